// Supervisor benchmark, in one run and beside its baselines:
//  - throughput: a session cats a 50 MB seq-text file to a reading
//    connection, beside a bare forkpty-and-read of the same file and a
//    detached tmux session running the same cat; MB/s of file bytes, median
//    of 5 runs, and the ratios;
//  - keystroke echo: one byte to `cat` in raw mode and back, p50/p99, beside
//    the same through a bare PTY.
//
//   bench_supervisor [--mb N] [--runs N] [--echoes N]

#include "baselines.hpp"

#include "harness.hpp"

#include <ptyctl/proto/supervisor_messages.hpp>

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

using namespace ptyctl;
using namespace ptyctl::test;
using namespace ptyctl::bench;
namespace json = boost::json;

namespace {

double ours_throughput(const std::string& socket, const std::string& file, std::size_t file_bytes,
                       int run) {
  SupervisorClient c(socket);
  c.hello();
  const std::string id = "bench" + std::to_string(run);
  json::object p{{"sessionId", id},
                 {"cols", 80},
                 {"rows", 24},
                 {"shell", "/bin/sh"},
                 {"command", "stty -echo; printf R; read x; cat " + file}};
  c.request("createSession", p);
  c.request("attachSession", json::object{{"sessionId", id}, {"fromOffset", 0}});
  std::string seen;
  while (seen.find('R') == std::string::npos) {
    auto ev = c.next_event(10s);
    if (!ev) return 0;
    if (ev->json.at("event").as_string() == "data") seen += ev->payload;
  }
  const auto t0 = Clock::now();
  c.request("write", json::object{{"sessionId", id}}, "\n");
  for (;;) {
    auto ev = c.next_event(60s);
    if (!ev) return 0;
    if (ev->json.at("event").as_string() == "exit") break;
  }
  const double s = seconds_since(t0);
  c.request("killSession", json::object{{"sessionId", id}});
  return file_bytes / s / 1e6;
}

std::vector<double> ours_echo(const std::string& socket, int n) {
  SupervisorClient c(socket);
  c.hello();
  json::object p{{"sessionId", "echo"},
                 {"cols", 80},
                 {"rows", 24},
                 {"shell", "/bin/sh"},
                 {"command", "stty raw -echo; printf R; exec cat"}};
  c.request("createSession", p);
  c.request("attachSession", json::object{{"sessionId", "echo"}, {"fromOffset", 0}});
  std::string seen;
  while (seen.find('R') == std::string::npos) {
    auto ev = c.next_event(10s);
    if (!ev) return {};
    if (ev->json.at("event").as_string() == "data") seen += ev->payload;
  }
  std::vector<double> us;
  for (int i = 0; i < n; ++i) {
    const std::string out(1, static_cast<char>('a' + i % 26));
    const auto t0 = Clock::now();
    // Fire the write without waiting for its response: a keystroke.
    c.send(
        proto::make_request("k" + std::to_string(i), "write", json::object{{"sessionId", "echo"}}),
        out);
    for (;;) {
      auto ev = c.next_event(5s);
      if (!ev) return us;
      if (ev->json.at("event").as_string() == "data" && ev->payload == out) break;
    }
    us.push_back(seconds_since(t0) * 1e6);
  }
  c.request("killSession", json::object{{"sessionId", "echo"}});
  return us;
}

}  // namespace

int main(int argc, char** argv) {
  const BenchArgs args = parse_bench_args(argc, argv);
  const std::size_t mb = args.mb;
  const int runs = args.runs, echoes = args.echoes;
  TempDir dir;
  const std::string file = dir.path() + "/seq.txt";
  const std::size_t file_bytes = write_seq_file(file, mb);
  Process supervisor(supervisor_binary(), {"--state-dir", dir.path(), "--log-level", "warn"});
  const std::string socket = dir.path() + "/pty-supervisor.sock";
  if (!wait_until([&] { return path_exists(dir.path() + "/pty-supervisor.pid"); }, 20s)) {
    std::fprintf(stderr, "bench_supervisor: pty-supervisor did not start\n%s",
                 supervisor.log().c_str());
    return 1;
  }
  std::vector<double> bare, tmux, ours;
  for (int r = 0; r < runs; ++r) {
    bare.push_back(bare_throughput(file, file_bytes));
    tmux.push_back(tmux_throughput(dir.path(), file, file_bytes));
    ours.push_back(ours_throughput(socket, file, file_bytes, r));
  }
  const double b = median(bare), t = median(tmux), o = median(ours);
  std::printf("supervisor throughput, cat of %zu MB seq text, 80x24, median of %d runs\n", mb,
              runs);
  std::printf(
      "  pty-supervisor %7.1f MB/s   bare PTY %7.1f MB/s (ratio %.2f)   tmux %7.1f MB/s "
      "(ratio %.2f)\n",
      o, b, o / b, t, t > 0 ? o / t : 0.0);
  const auto be = bare_echo(echoes), oe = ours_echo(socket, echoes);
  if (be.empty() || oe.empty()) {
    std::fprintf(stderr, "bench_supervisor: echo measurement failed\n");
    return 1;
  }
  std::printf("keystroke echo, %d round trips of one byte to cat in raw mode\n", echoes);
  std::printf("  pty-supervisor p50 %6.0f us  p99 %6.0f us   bare PTY p50 %6.0f us  p99 %6.0f us\n",
              percentile(oe, 0.5), percentile(oe, 0.99), percentile(be, 0.5), percentile(be, 0.99));
  return 0;
}
