// End-to-end benchmark: client → terminal-host → pty-supervisor → PTY and
// back, the path the desktop app uses, in one run beside its baselines:
//  - throughput: a session cats a 50 MB seq-text file while a wire-2 client
//    reads the data events (JSON decoded), beside a bare forkpty-and-read of
//    the same file and a detached tmux session running the same cat; MB/s of
//    file bytes, median of 5 runs, and the ratios;
//  - keystroke echo: a notify_ write of one byte to `cat` in raw mode until
//    its data event comes back, p50/p99, beside the same through a bare PTY.
//
//   bench_end_to_end [--mb N] [--runs N] [--echoes N]

#include "baselines.hpp"

#include "host_client.hpp"

#include <cstdio>
#include <cstring>

using namespace ptyctl::test;
using namespace ptyctl::bench;
namespace json = boost::json;

namespace {

json::object session(const std::string& id, const std::string& command) {
  return json::object{{"sessionId", id},        {"cols", 80},         {"rows", 24},
                      {"workspaceId", "bench"}, {"paneId", "bench"},  {"tabId", "bench"},
                      {"shell", "/bin/sh"},     {"command", command}, {"resumeFrom", 0}};
}

// Reads data events of `id` until `marker` has been seen.
bool wait_for(HostClient& c, const std::string& id, const std::string& marker) {
  Received r;
  return c.collect(
      id, r, [&](const Received& x) { return x.bytes.find(marker) != std::string::npos; }, 20s);
}

double ours_throughput(HostClient& c, const std::string& file, std::size_t file_bytes, int run) {
  const std::string id = "bench" + std::to_string(run);
  c.request("createOrAttach", session(id, "stty -echo; printf R; read x; cat " + file));
  if (!wait_for(c, id, "R")) return 0;
  const auto t0 = Clock::now();
  c.send("write", json::object{{"sessionId", id}, {"data", "\n"}}, "notify_");
  Received r;
  if (!c.collect(
          id, r, [](const Received& x) { return x.exit.has_value(); }, 120s))
    return 0;
  const double s = seconds_since(t0);
  c.request("kill", json::object{{"sessionId", id}});
  return file_bytes / s / 1e6;
}

std::vector<double> ours_echo(HostClient& c, int n) {
  c.request("createOrAttach", session("echo", "stty raw -echo; printf R; exec cat"));
  if (!wait_for(c, "echo", "R")) return {};
  std::vector<double> us;
  for (int i = 0; i < n; ++i) {
    const std::string key(1, static_cast<char>('a' + i % 26));
    const auto t0 = Clock::now();
    c.send("write", json::object{{"sessionId", "echo"}, {"data", key}}, "notify_");
    Received r;
    if (!c.collect(
            "echo", r, [&](const Received& x) { return x.bytes == key; }, 5s))
      return us;
    us.push_back(seconds_since(t0) * 1e6);
  }
  c.request("kill", json::object{{"sessionId", "echo"}});
  return us;
}

}  // namespace

int main(int argc, char** argv) {
  const BenchArgs args = parse_bench_args(argc, argv);
  const std::size_t mb = args.mb;
  const int runs = args.runs, echoes = args.echoes;
  HostFixture host;
  const std::string file = host.dir.path() + "/seq.txt";
  const std::size_t file_bytes = write_seq_file(file, mb);
  HostClient client(host.socket(), host.token());
  std::vector<double> bare, tmux, ours;
  for (int r = 0; r < runs; ++r) {
    bare.push_back(bare_throughput(file, file_bytes));
    tmux.push_back(tmux_throughput(host.dir.path(), file, file_bytes));
    ours.push_back(ours_throughput(client, file, file_bytes, r));
  }
  const double b = median(bare), t = median(tmux), o = median(ours);
  std::printf(
      "end-to-end throughput (client → terminal-host → pty-supervisor), cat of %zu MB seq "
      "text, 80x24, median of %d runs\n",
      mb, runs);
  std::printf(
      "  ptyctl %7.1f MB/s   bare PTY %7.1f MB/s (ratio %.2f)   tmux %7.1f MB/s "
      "(ratio %.2f)\n",
      o, b, o / b, t, t > 0 ? o / t : 0.0);
  const auto be = bare_echo(echoes), oe = ours_echo(client, echoes);
  if (be.empty() || oe.size() < static_cast<std::size_t>(echoes)) {
    std::fprintf(stderr, "bench_end_to_end: echo measurement failed\n");
    return 1;
  }
  std::printf("end-to-end keystroke echo, %d notify_ writes of one byte to cat in raw mode\n",
              echoes);
  std::printf("  ptyctl p50 %6.0f us  p99 %6.0f us   bare PTY p50 %6.0f us  p99 %6.0f us\n",
              percentile(oe, 0.5), percentile(oe, 0.99), percentile(be, 0.5), percentile(be, 0.99));
  return 0;
}
