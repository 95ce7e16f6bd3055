// In-place upgrade benchmark: the time from prepareUpgrade to serving again
// (the answer comes from the new image once it has restored everything), with
// 10, 100 and 1000 idle sessions and with 100 sessions whose 4 MiB rings are
// full. Rounds are interleaved across the four supervisors; medians. Beside
// it, in the same rounds, the floor: starting the same binary (`--version`),
// since an upgrade execs it twice (the check, then the new image).
//
//   bench_upgrade [--runs N]

#include "baselines.hpp"

#include "harness.hpp"

#include <ptyctl/proto/supervisor_messages.hpp>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

using namespace ptyctl;
using namespace ptyctl::test;
using namespace ptyctl::bench;
namespace json = boost::json;

namespace {

struct Setup {
  std::string name;
  int sessions;
  bool full;
  double goal_ms;  // 0: none given
  std::unique_ptr<SupervisorFixture> f;
  std::vector<double> client_ms, took_ms;
};

std::uint64_t total_offset(SupervisorClient& c) {
  auto r = c.request("listSessions", {}, {}, 60s);
  std::uint64_t sum = 0;
  for (const auto& s : json::value_to<proto::sup::ListSessionsResult>(r.at("payload")).sessions)
    sum += s.offset;
  return sum;
}

void populate(Setup& s) {
  s.f = std::make_unique<SupervisorFixture>();
  SupervisorClient c(s.f->socket());
  c.hello();
  const std::string command =
      s.full ? "head -c 4194304 /dev/zero | tr '\\0' x; exec sleep 100000" : "exec sleep 100000";
  for (int i = 0; i < s.sessions; ++i) {
    json::object p{{"sessionId", "s" + std::to_string(i)},
                   {"cols", 80},
                   {"rows", 24},
                   {"shell", "/bin/sh"},
                   {"command", command}};
    c.request("createSession", p, {}, 60s);
  }
  if (s.full) {
    const std::uint64_t want = static_cast<std::uint64_t>(s.sessions) * 4194304u;
    wait_until([&] { return total_offset(c) >= want; }, std::chrono::minutes(10));
  }
}

double upgrade_once(Setup& s) {
  SupervisorClient u(s.f->socket());
  u.hello();
  const auto t0 = Clock::now();
  auto r = u.request("prepareUpgrade", json::object{}, {}, 120s);
  const double ms = seconds_since(t0) * 1000;
  if (!ok(r)) {
    std::fprintf(stderr, "%s: upgrade failed: %s\n", s.name.c_str(), json::serialize(r).c_str());
    return -1;
  }
  s.took_ms.push_back(static_cast<double>(
      json::value_to<proto::sup::PrepareUpgradeResult>(r.at("payload")).tookMs));
  return ms;
}

double start_binary_ms() {
  const auto t0 = Clock::now();
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int null_fd = ::open("/dev/null", O_WRONLY);
    ::dup2(null_fd, 1);
    const std::string bin = supervisor_binary();
    ::execl(bin.c_str(), bin.c_str(), "--version", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status;
  ::waitpid(pid, &status, 0);
  return seconds_since(t0) * 1000;
}

}  // namespace

int main(int argc, char** argv) {
  const BenchArgs args = parse_bench_args(argc, argv);
  std::vector<Setup> setups;
  setups.push_back({"10 idle sessions", 10, false, 0, nullptr, {}, {}});
  setups.push_back({"100 idle sessions", 100, false, 50, nullptr, {}, {}});
  setups.push_back({"1000 idle sessions", 1000, false, 0, nullptr, {}, {}});
  setups.push_back({"100 full 4 MiB rings", 100, true, 500, nullptr, {}, {}});
  for (auto& s : setups) {
    std::fprintf(stderr, "setting up %s...\n", s.name.c_str());
    populate(s);
  }
  std::vector<double> floor_ms;
  for (int round = 0; round < args.runs; ++round) {
    for (auto& s : setups) {
      const double ms = upgrade_once(s);
      if (ms >= 0) s.client_ms.push_back(ms);
      floor_ms.push_back(start_binary_ms());
    }
  }
  const double floor = median(floor_ms);
  std::printf("in-place upgrade, median of %d (interleaved); floor: starting the binary %.1f ms\n",
              args.runs, floor);
  std::printf("%-22s %12s %12s %10s %14s\n", "", "answer ms", "tookMs", "goal ms", "answer/floor");
  for (auto& s : setups) {
    const double m = median(s.client_ms);
    std::printf("%-22s %12.1f %12.1f %10s %14.1f\n", s.name.c_str(), m, median(s.took_ms),
                s.goal_ms > 0 ? std::to_string(static_cast<int>(s.goal_ms)).c_str() : "-",
                floor > 0 ? m / floor : 0.0);
  }
  return 0;
}
