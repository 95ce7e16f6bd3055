// End-to-end benchmark: client → terminal-host → pty-supervisor → PTY and
// back, the path the desktop app uses, in one run beside its baselines:
//  - throughput, raw mode (stty raw -echo; cat) and cooked mode (cat): a
//    session cats a seq-text file while a wire-2 client reads the data events
//    (JSON decoded), beside a bare forkpty-and-read of the same file by a C
//    reader and a detached tmux session running the same; MB/s of file
//    bytes, median of the runs (interleaved), the ratios, and the CPU time
//    per MB of pty-supervisor and terminal-host (/proc);
//  - keystroke echo: a notify_ write of one byte to `cat` in raw mode until
//    its data event comes back, p50/p99, beside the same through a bare PTY;
//  - flood isolation: the same echo in an idle session while 20 others
//    print flat out (`yes`, read by a second client), beside a bare PTY's
//    echo under 20 bare PTYs running `yes`.
//
// For throughput the supervisor's ring holds a whole run (twice --mb): the
// path must keep up over the run, not within 4 MiB. Echo and flood run with
// the servers' defaults.
//
//   bench_end_to_end [--mb N] [--runs N] [--echoes N] [--only throughput|echo|flood]

#include "baselines.hpp"

#include "host_client.hpp"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <thread>

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

struct Throughput {
  double mb_per_s = 0;
  double supervisor_ms_per_mb = 0;
  double host_ms_per_mb = 0;
};

Throughput ours_throughput(HostFixture& host, HostClient& c, const std::string& file,
                           std::size_t file_bytes, bool raw, int run) {
  const std::string id = std::string(raw ? "raw" : "cooked") + std::to_string(run);
  c.request("createOrAttach",
            session(id, mode_prefix(raw) + "stty -echo; printf R; read x; cat " + file));
  if (!wait_for(c, id, "R")) return {};
  const int sup = host.supervisor_pid(), th = host.process->pid();
  const double sup0 = cpu_ms(sup), th0 = cpu_ms(th);
  const auto t0 = Clock::now();
  c.send("write", json::object{{"sessionId", id}, {"data", "\n"}}, "notify_");
  Received r;
  if (!c.collect(
          id, r, [](const Received& x) { return x.exit.has_value(); }, 120s))
    return {};
  const double s = seconds_since(t0);
  const double mb = file_bytes / 1e6;
  Throughput t{mb / s, (cpu_ms(sup) - sup0) / mb, (cpu_ms(th) - th0) / mb};
  c.request("kill", json::object{{"sessionId", id}});
  return t;
}

std::vector<double> ours_echo(HostClient& c, int n, const std::string& id = "echo") {
  c.request("createOrAttach", session(id, "stty raw -echo; printf R; exec cat"));
  if (!wait_for(c, id, "R")) return {};
  std::vector<double> us;
  for (int i = 0; i < n; ++i) {
    const std::string key(1, static_cast<char>('a' + i % 26));
    const auto t0 = Clock::now();
    c.send("write", json::object{{"sessionId", id}, {"data", key}}, "notify_");
    Received r;
    if (!c.collect(
            id, r, [&](const Received& x) { return x.bytes == key; }, 5s))
      return us;
    us.push_back(seconds_since(t0) * 1e6);
  }
  c.request("kill", json::object{{"sessionId", id}});
  return us;
}

// 20 sessions printing flat out, attached by a client of their own whose
// stream is read (and thrown away) by a thread, as the app would read it.
class OursFlood {
 public:
  OursFlood(HostFixture& host, int sessions) : client_(host.socket(), host.token()) {
    for (int i = 0; i < sessions; ++i)
      client_.request("createOrAttach", session("flood" + std::to_string(i), "exec yes"));
    reader_ = std::thread([this] {
      static char buf[65536];
      while (!stop_) {
        pollfd p{client_.stream.fd(), POLLIN, 0};
        if (::poll(&p, 1, 100) > 0 && ::read(client_.stream.fd(), buf, sizeof buf) <= 0) return;
      }
    });
  }
  ~OursFlood() {
    stop_ = true;
    reader_.join();
    client_.request("killAll", json::object{});
  }

 private:
  HostClient client_;
  std::atomic<bool> stop_{false};
  std::thread reader_;
};

void print_echo(const char* what, const std::vector<double>& ours,
                const std::vector<double>& bare) {
  const double op50 = percentile(ours, 0.5), op99 = percentile(ours, 0.99);
  const double bp50 = percentile(bare, 0.5), bp99 = percentile(bare, 0.99);
  std::printf(
      "  %s: ptyctl p50 %7.0f us  p99 %7.0f us   bare PTY p50 %7.0f us  p99 %7.0f us   "
      "(p50 %.2fx bare, p99 %.2fx bare)\n",
      what, op50, op99, bp50, bp99, op50 / bp50, op99 / bp99);
}

}  // namespace

int main(int argc, char** argv) {
  const BenchArgs args = parse_bench_args(argc, argv);
  const std::size_t mb = args.mb;
  const int runs = args.runs, echoes = args.echoes;
  const auto part = [&](const char* name) { return args.only.empty() || args.only == name; };
  if (part("throughput")) {
    // A ring that holds a whole run: the program is never paused for a
    // reader, so a reader slower than the PTY would otherwise get a repaint
    // (a snapshot) where this benchmark counts bytes.
    const std::size_t ring = std::max<std::size_t>(4u << 20, 2 * mb * 1000 * 1000);
    HostFixture host({}, {"--ring-size", std::to_string(ring)});
    const std::string file = host.dir.path() + "/seq.txt";
    const std::size_t file_bytes = write_seq_file(file, mb);
    HostClient client(host.socket(), host.token());
    for (const bool raw : {true, false}) {
      std::vector<double> bare, tmux, ours, sup_cpu, host_cpu;
      for (int r = 0; r < runs; ++r) {
        bare.push_back(bare_throughput(file, file_bytes, raw));
        tmux.push_back(tmux_throughput(host.dir.path(), file, file_bytes, raw));
        const Throughput t = ours_throughput(host, client, file, file_bytes, raw, r);
        ours.push_back(t.mb_per_s);
        sup_cpu.push_back(t.supervisor_ms_per_mb);
        host_cpu.push_back(t.host_ms_per_mb);
      }
      const double b = median(bare), t = median(tmux), o = median(ours);
      std::printf(
          "end-to-end throughput, %s mode (client → terminal-host → pty-supervisor), cat of %zu "
          "MB seq text, 80x24, median of %d interleaved runs\n",
          raw ? "raw" : "cooked", mb, runs);
      std::printf(
          "  ptyctl %7.1f MB/s   bare PTY %7.1f MB/s (ratio %.2f)   tmux %7.1f MB/s (ratio "
          "%.2f)\n",
          o, b, o / b, t, t > 0 ? o / t : 0.0);
      std::printf(
          "  CPU per MB: pty-supervisor %.1f ms, terminal-host %.1f ms (user+sys, medians)\n",
          median(sup_cpu), median(host_cpu));
      std::fflush(stdout);
    }
  }
  // Echo with the servers' defaults (the ring a user has).
  HostFixture host;
  HostClient client(host.socket(), host.token());
  if (part("echo")) {
    const auto be = bare_echo(echoes), oe = ours_echo(client, echoes);
    if (be.empty() || oe.size() < static_cast<std::size_t>(echoes)) {
      std::fprintf(stderr, "bench_end_to_end: echo measurement failed (%zu of %d)\n", oe.size(),
                   echoes);
      return 1;
    }
    std::printf("end-to-end keystroke echo, %d notify_ writes of one byte to cat in raw mode\n",
                echoes);
    print_echo("quiet", oe, be);
    std::fflush(stdout);
  }
  if (part("flood")) {
    constexpr int kFloods = 20;
    std::vector<double> bare_flooded, ours_flooded;
    {
      BareFlood flood(kFloods);
      bare_flooded = bare_echo(echoes);
    }
    {
      OursFlood flood(host, kFloods);
      ours_flooded = ours_echo(client, echoes, "idle");
    }
    if (bare_flooded.empty() || ours_flooded.size() < static_cast<std::size_t>(echoes)) {
      std::fprintf(stderr, "bench_end_to_end: echo under the flood failed (%zu of %d)\n",
                   ours_flooded.size(), echoes);
      return 1;
    }
    std::printf("flood isolation: the same echo in an idle session while %d others run `yes`\n",
                kFloods);
    print_echo("flooded", ours_flooded, bare_flooded);
  }
  return 0;
}
