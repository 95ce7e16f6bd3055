// Nothing a program prints or a client sends stalls the supervisor, and a
// state dir someone else controls is refused: hostile output, hostile sizes,
// fd exhaustion, connections that never say hello, clients that pipeline
// without reading or die mid-request, and planted files.

#include "cli_harness.hpp"

#include <ptyctl/common/process.hpp>
#include <ptyctl/proto/limits.hpp>
#include <ptyctl/proto/supervisor_messages.hpp>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

using namespace ptyctl;
using namespace ptyctl::test;
namespace json = boost::json;

namespace {

json::object create_payload(const std::string& id, const std::string& command, int cols = 80,
                            int rows = 24) {
  return json::object{{"sessionId", id},
                      {"cols", cols},
                      {"rows", rows},
                      {"shell", "/bin/bash"},
                      {"command", command}};
}

// An echo session on wire 1 (`cat` with echo off): round trips, timed.
class Echo {
 public:
  Echo(const std::string& socket, const std::string& id) : c_(socket), id_(id) {
    c_.hello();
    if (!ok(c_.request("createSession", create_payload(id, "stty -echo; cat"))))
      throw std::runtime_error("createSession");
    auto a = c_.request("attachSession", json::object{{"sessionId", id}});
    if (!ok(a)) throw std::runtime_error("attachSession");
  }
  // One round trip; nullopt if it did not complete within 10 s.
  std::optional<std::chrono::microseconds> round_trip() {
    const std::string token = "ping-" + std::to_string(n_++);
    const auto t0 = Clock::now();
    if (!ok(c_.request("write", json::object{{"sessionId", id_}}, token + "\n"))) return {};
    while (!contains(seen_, token + "\r\n")) {
      auto ev = c_.next_event(10s);
      if (!ev) return std::nullopt;
      if (session_payload_id(*ev) == id_ && ev->json.at("event").as_string() == "data")
        seen_ += ev->payload;
    }
    seen_.clear();
    return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0);
  }
  SupervisorClient& client() { return c_; }

 private:
  SupervisorClient c_;
  std::string id_;
  std::string seen_;
  int n_ = 0;
};

std::vector<proto::sup::SessionInfo> sessions_of(SupervisorClient& c) {
  auto r = c.request("listSessions");
  return json::value_to<proto::sup::ListSessionsResult>(r.at("payload")).sessions;
}

std::chrono::microseconds median(std::vector<std::chrono::microseconds> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? std::chrono::microseconds{0} : v[v.size() / 2];
}

// CPU time (user + system) of a process so far, from /proc (ms).
long cpu_ms(int pid) {
  std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  const auto close_paren = stat.rfind(')');
  std::istringstream in(stat.substr(close_paren + 2));
  std::string field;
  long utime = 0, stime = 0;
  for (int i = 3; in >> field; ++i) {
    if (i == 14) utime = std::stol(field);
    if (i == 15) {
      stime = std::stol(field);
      break;
    }
  }
  return (utime + stime) * 1000 / ::sysconf(_SC_CLK_TCK);
}

int count_lines_with(const std::string& text, const std::string& what) {
  int n = 0;
  for (std::size_t at = 0; (at = text.find(what, at)) != std::string::npos; at += what.size())
    ++n;
  return n;
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

}  // namespace

// --- hostile output -------------------------------------------------------------------

TEST(Hardening, HostileOutputStallsNobodyAndSigtermStillWorks) {
  SupervisorFixture f;
  // What once hung the loop for good or for minutes, played into one session
  // at 200x50: the REP family, 300 KB of DECALN, CSI with huge counts.
  std::string hostile;
  for (const char* rep : {"hello\n\xe2\x80\x8b\x1b[b", "\xcc\x81\x1b[b", "\xc2\x80\x1b[b",
                          "\xc2\x9c\x1b[b", "x\x1b[5;5H\xe2\x80\x8b\x1b[b",
                          "abc\x1b"
                          "c\xe2\x80\x8b\x1b[3b"})
    hostile += rep;
  for (int i = 0; i < 100000; ++i)
    hostile += "\x1b#8";
  for (int i = 0; i < 2000; ++i)
    hostile += "\x1b[65535L\x1b[65535M\x1b[65535S\x1b[65535T\x1b[65535;65535H\x1b[2J\x1b[99999b";
  const std::string file = f.dir.path() + "/hostile.bin";
  write_file(file, hostile);

  Echo echo(f.socket(), "echo");
  SupervisorClient lister(f.socket());
  lister.hello();
  SupervisorClient attacker(f.socket());
  attacker.hello();
  ASSERT_TRUE(ok(attacker.request(
      "createSession",
      create_payload("hostile",
                     "for i in 1 2 3 4 5 6 7 8 9 10; do cat " + file + "; done; exec sleep 1000",
                     200, 50))));
  // A resize storm on the same session, pipelined: 400 requests between the
  // largest window and the smallest.
  std::string storm;
  for (int i = 0; i < 400; ++i) {
    const bool big = i % 2 == 0;
    storm +=
        proto::encode_frame(proto::make_request("r" + std::to_string(i), "resize",
                                                json::object{{"sessionId", "hostile"},
                                                             {"cols", big ? proto::kMaxCols : 1},
                                                             {"rows", big ? proto::kMaxRows : 1}}));
  }
  // ...ending at 200x50, where the DECALN flood goes on.
  storm += proto::encode_frame(proto::make_request(
      "last", "resize", json::object{{"sessionId", "hostile"}, {"cols", 200}, {"rows", 50}}));
  attacker.send_raw(storm);

  std::vector<std::chrono::microseconds> trips, lists;
  const auto until = Clock::now() + 8s;
  while (Clock::now() < until) {
    auto rt = echo.round_trip();
    ASSERT_TRUE(rt) << "an echo round trip did not complete";
    trips.push_back(*rt);
    const auto t0 = Clock::now();
    ASSERT_TRUE(ok(lister.request("listSessions", {}, {}, 5s)));
    lists.push_back(std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0));
  }
  // The hostile session is still being worked through (it is the one that waits).
  const auto listed = sessions_of(lister);
  const auto h = std::find_if(listed.begin(), listed.end(),
                              [](const auto& s) { return s.sessionId == "hostile"; });
  ASSERT_NE(h, listed.end());
  EXPECT_TRUE(h->isAlive);
  const auto worst = *std::max_element(trips.begin(), trips.end());
  const auto worst_list = *std::max_element(lists.begin(), lists.end());
  std::cout << "echo round trips during the flood: " << trips.size() << ", median "
            << median(trips).count() << " us, worst " << worst.count() << " us; listSessions worst "
            << worst_list.count() << " us\n";
  RecordProperty("echo_worst_us", std::to_string(worst.count()));
  RecordProperty("echo_median_us", std::to_string(median(trips).count()));
  // The design bound is one 5 ms slice plus one whole-screen operation at the
  // largest size (a DECALN or the coalesced resize at 1024x512): a few ms in
  // a release build. This sanitizer build is about ten times slower, on a
  // loaded 2-core machine: the assertion allows for that.
  EXPECT_LT(worst, 500ms);
  EXPECT_LT(worst_list, 500ms);
  EXPECT_GT(trips.size(), 20u);

  // SIGTERM in the middle of it: a clean stop within 5 s.
  const auto t0 = Clock::now();
  f.process->signal(SIGTERM);
  auto status = f.process->wait(5s);
  ASSERT_TRUE(status) << "SIGTERM did not end the supervisor within 5 s";
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << f.process->log();
  EXPECT_LT(Clock::now() - t0, 5s);
}

// --- sizes ----------------------------------------------------------------------------

TEST(Hardening, SizesPastTheLimitsAreRefusedAndAFailedResizeChangesNothing) {
  SupervisorFixture f;
  SupervisorClient c(f.socket());
  c.hello();
  auto r = c.request("createSession", create_payload("huge", "sleep 1000", 65535, 3000));
  EXPECT_EQ(error_code(r), "INVALID_PAYLOAD");
  EXPECT_EQ(r.at("error").at("message").as_string(), "cols must be at most 1024");
  r = c.request("createSession", create_payload("tall", "sleep 1000", 80, 513));
  EXPECT_EQ(r.at("error").at("message").as_string(), "rows must be at most 512");
  EXPECT_TRUE(sessions_of(c).empty());

  ASSERT_TRUE(ok(c.request("createSession",
                           create_payload("s", "stty -echo; while read x; do stty size; done"))));
  ASSERT_TRUE(ok(c.request("attachSession", json::object{{"sessionId", "s"}})));
  r = c.request("resize", json::object{{"sessionId", "s"}, {"cols", 65535}, {"rows", 65535}});
  EXPECT_EQ(error_code(r), "INVALID_PAYLOAD");
  // Nothing changed: the program, the listing and the snapshot say 80x24.
  ASSERT_TRUE(ok(c.request("write", json::object{{"sessionId", "s"}}, "\n")));
  std::string seen;
  const auto deadline = Clock::now() + 20s;
  while (!contains(seen, "24 80\r\n") && Clock::now() < deadline) {
    auto ev = c.next_event(20s);
    if (ev && ev->json.at("event").as_string() == "data") seen += ev->payload;
  }
  EXPECT_TRUE(contains(seen, "24 80\r\n")) << seen;
  const auto s = sessions_of(c);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].cols, 80);
  EXPECT_EQ(s[0].rows, 24);
  auto snap = c.request("getSnapshot", json::object{{"sessionId", "s"}});
  EXPECT_EQ(snap.at("payload").at("snapshot").at("cols").as_int64(), 80);
  // The largest allowed size works.
  EXPECT_TRUE(ok(c.request(
      "resize",
      json::object{{"sessionId", "s"}, {"cols", proto::kMaxCols}, {"rows", proto::kMaxRows}})));

  // Wire 2 says the same.
  HostFixture host;
  HostClient hc(host.socket(), host.token());
  r = hc.request("createOrAttach", json::object{{"sessionId", "w"},
                                                {"cols", 2000},
                                                {"rows", 24},
                                                {"workspaceId", "w"},
                                                {"paneId", "p"},
                                                {"tabId", "t"}});
  EXPECT_EQ(error_code(r), "INVALID_PAYLOAD");
  EXPECT_EQ(r.at("error").at("message").as_string(), "cols must be at most 1024");
}

// --- file descriptors -----------------------------------------------------------------

namespace {
// The supervisor under `prlimit --nofile=SOFT:HARD`.
std::unique_ptr<Process> supervisor_with_fd_limit(const TempDir& dir, rlim_t soft, rlim_t hard) {
  return std::make_unique<Process>(
      "/usr/bin/prlimit",
      std::vector<std::string>{"--nofile=" + std::to_string(soft) + ":" + std::to_string(hard),
                               supervisor_binary(), "--state-dir", dir.path()});
}
}  // namespace

TEST(Hardening, AThousandSessionsUnderASoftLimitOf1024) {
  rlimit lim{};
  ::getrlimit(RLIMIT_NOFILE, &lim);
  if (lim.rlim_max != RLIM_INFINITY && lim.rlim_max < 4096)
    GTEST_SKIP() << "the hard fd limit here is " << lim.rlim_max;
  TempDir dir;
  auto sup = supervisor_with_fd_limit(dir, 1024, 4096);
  ASSERT_TRUE(wait_until([&] { return path_exists(dir.path() + "/pty-supervisor.pid"); }, 20s))
      << sup->log();
  SupervisorClient c(dir.path() + "/pty-supervisor.sock");
  c.hello();
  for (int i = 0; i < 1000; ++i) {
    auto r = c.request("createSession", create_payload("s" + std::to_string(i), "exec sleep 1000"),
                       {}, 30s);
    ASSERT_TRUE(ok(r)) << "session " << i << ": " << json::serialize(r);
  }
  EXPECT_EQ(sessions_of(c).size(), 1000u);
  ASSERT_TRUE(ok(c.request("write", json::object{{"sessionId", "s999"}}, "")));
}

TEST(Hardening, OutOfFdsNeitherSpinsNorFloodsTheLog) {
  TempDir dir;
  // A hard limit it cannot raise: accept() runs out of fds quickly.
  auto sup = supervisor_with_fd_limit(dir, 40, 40);
  const std::string sock = dir.path() + "/pty-supervisor.sock";
  ASSERT_TRUE(wait_until([&] { return path_exists(dir.path() + "/pty-supervisor.pid"); }, 20s))
      << sup->log();
  std::vector<int> held;
  for (int i = 0; i < 60; ++i)
    held.push_back(connect_unix(sock));  // queued in the backlog when it cannot accept
  const int pid = sup->pid();
  ASSERT_TRUE(wait_until([&] { return contains(sup->log(), "accept failed"); }, 20s)) << sup->log();
  const long cpu0 = cpu_ms(pid);
  const auto t0 = Clock::now();
  // Three seconds of a listener that cannot accept (no condition to wait
  // for: the test is what does not happen meanwhile).
  wait_until([] { return false; }, 3s);
  const long busy = cpu_ms(pid) - cpu0;
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0);
  const int lines = count_lines_with(sup->log(), "accept failed");
  std::cout << "while out of fds: " << busy << " ms CPU in " << elapsed.count() << " ms, " << lines
            << " log lines\n";
  EXPECT_LT(busy, elapsed.count() / 5) << "it spins";
  EXPECT_LE(lines, 2) << sup->log();
  // Freed again, it serves.
  for (int fd : held)
    ::close(fd);
  EXPECT_TRUE(wait_until(
      [&] {
        try {
          SupervisorClient c(sock);
          return ok(c.hello());
        } catch (...) {
          return false;
        }
      },
      30s))
      << sup->log();
}

TEST(Hardening, ConnectionsWithoutHelloAreCappedAndTimedOut) {
  SupervisorFixture f;
  std::vector<std::unique_ptr<SupervisorClient>> silent;
  for (int i = 0; i < proto::kMaxUnauthenticated; ++i)
    silent.push_back(std::make_unique<SupervisorClient>(f.socket()));
  // One more without hello is refused at once, with a reason.
  SupervisorClient extra(f.socket());
  auto frame = extra.next_frame(20s);
  ASSERT_TRUE(frame);
  EXPECT_EQ(error_code(frame->json), "TOO_MANY_CONNECTIONS");
  EXPECT_FALSE(extra.next_frame(20s));
  EXPECT_TRUE(extra.closed_by_peer());
  // Clients that say hello are still served (the cap counts the silent ones:
  // the first of them says hello now and is no longer counted).
  EXPECT_TRUE(ok(silent[0]->hello()));
  SupervisorClient good(f.socket());
  EXPECT_TRUE(ok(good.hello()));
  // A second hello is refused; the connection goes on.
  auto again = good.request(
      "hello", json::object{{"protocolVersion", 1}, {"daemonPid", 1}, {"daemonVersion", "x"}});
  EXPECT_EQ(error_code(again), "ALREADY_AUTHENTICATED");
  EXPECT_TRUE(ok(good.request("listSessions")));
  // The silent ones are closed at the hello deadline, with a reason.
  auto timed_out = silent[1]->next_frame(std::chrono::seconds(proto::kHelloDeadlineSeconds + 10));
  ASSERT_TRUE(timed_out);
  EXPECT_EQ(error_code(timed_out->json), "HELLO_TIMEOUT");
  EXPECT_FALSE(silent[1]->next_frame(10s));
  EXPECT_TRUE(silent[1]->closed_by_peer());
}

TEST(Hardening, AHalfClosedClientStillGetsItsAnswers) {
  SupervisorFixture f;
  SupervisorClient c(f.socket());
  c.hello();
  c.send(proto::make_request("L", "listSessions", json::object{}));
  ::shutdown(c.fd(), SHUT_WR);
  auto frame = c.next_frame(20s);
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->json.at("id").as_string(), "L");
  EXPECT_TRUE(ok(frame->json));
}

// --- terminal-host: clients that pipeline or die mid-request -------------------------

TEST(Hardening, APipeliningClientCutsNobodyOff) {
  HostFixture f;
  HostClient hog(f.socket(), f.token());
  std::string lines;
  for (int i = 0; i < 100000; ++i)
    lines += "{\"id\":\"p" + std::to_string(i) + "\",\"type\":\"listSessions\"}\n";
  // It writes them all and reads no answer; terminal-host stops reading it
  // once 64 are in flight, so the write blocks: on a thread.
  std::atomic<bool> written{false};
  std::thread writer([&] {
    try {
      send_all(hog.control.fd(), lines);
    } catch (...) {
    }
    written = true;
  });
  HostClient other(f.socket(), f.token());
  long peak_kib = 0;
  std::vector<std::chrono::microseconds> answers;
  while (!written && answers.size() < 2000) {
    const auto t0 = Clock::now();
    auto r = other.request("createOrAttach", json::object{{"sessionId", "o"},
                                                          {"cols", 80},
                                                          {"rows", 24},
                                                          {"workspaceId", "w"},
                                                          {"paneId", "p"},
                                                          {"tabId", "t"},
                                                          {"command", "sleep 1000"}});
    ASSERT_TRUE(ok(r)) << json::serialize(r);
    answers.push_back(std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0));
    peak_kib = std::max(peak_kib, rss_kib(f.process->pid()));
  }
  writer.join();
  const auto worst = *std::max_element(answers.begin(), answers.end());
  std::cout << "createOrAttach beside 100k pipelined requests: " << answers.size()
            << " answers, worst " << worst.count() << " us; terminal-host peak RSS " << peak_kib
            << " KiB\n";
  EXPECT_LT(worst, 3s);
  // Bound: 64 requests in flight and the 64 MiB control queue it may fill,
  // over the ASan build's baseline.
  EXPECT_LT(peak_kib, 256 * 1024);
  EXPECT_FALSE(contains(read_file(f.dir.path() + "/pty-supervisor.log"), "does not read"))
      << "terminal-host must not become a slow reader of the supervisor";
  EXPECT_FALSE(contains(f.process->log(), "lost the connection to pty-supervisor"));
}

TEST(Hardening, AClientKilledDuringCreateOrAttachLeavesNoSubscription) {
  HostFixture f;
  HostClient owner(f.socket(), f.token());
  // The program asks for the cursor position whenever it reads a line: with
  // nobody attached, the supervisor's emulator must answer it. bash by name:
  // `read -d -t` are not POSIX, and the session's shell is the caller's $SHELL.
  const std::string script = f.dir.path() + "/ask-cursor.bash";
  std::ofstream(script) << "stty -echo\n"
                           "while read x; do\n"
                           "  printf '\\033[6n'\n"
                           "  if read -rsd R -t 2 ans; then echo \"got-$x:${ans#*[}\"; "
                           "else echo \"lost-$x\"; fi\n"
                           "done\n";
  ASSERT_TRUE(ok(owner.request("createOrAttach", json::object{{"sessionId", "q"},
                                                              {"cols", 80},
                                                              {"rows", 24},
                                                              {"workspaceId", "w"},
                                                              {"paneId", "p"},
                                                              {"tabId", "t"},
                                                              {"command", "bash " + script}})));
  ASSERT_TRUE(ok(owner.request("detach", json::object{{"sessionId", "q"}})));
  std::mt19937 gen(20261201);
  for (int i = 0; i < 100; ++i) {
    auto c = std::make_unique<HostClient>(f.socket(), f.token());
    c->send("createOrAttach", json::object{{"sessionId", "q"},
                                           {"cols", 80},
                                           {"rows", 24},
                                           {"workspaceId", "w"},
                                           {"paneId", "p"},
                                           {"tabId", "t"}});
    // Killed 0-4 ms after the request (the stimulus, not a synchronisation).
    std::this_thread::sleep_for(std::chrono::microseconds(gen() % 4000));
    c.reset();
  }
  // Nobody is attached once the dead clients are cleaned up...
  EXPECT_TRUE(wait_until(
      [&] {
        SupervisorClient sup(f.dir.path() + "/pty-supervisor.sock");
        sup.hello();
        const auto s = sessions_of(sup);
        return s.size() == 1 && s[0].attachedClients == 0;
      },
      20s));
  // ...so the program's queries are answered (by the supervisor's emulator).
  // A query asked while a dying client was still attached has no one to
  // answer it (it times out as "lost-"); a stale subscription would lose
  // every one of them.
  bool answered = false;
  for (int i = 0; i < 10 && !answered; ++i) {
    const std::string x = "hi" + std::to_string(i);
    ASSERT_TRUE(ok(owner.request("write", json::object{{"sessionId", "q"}, {"data", x + "\n"}})));
    std::string text;
    ASSERT_TRUE(wait_until(
        [&] {
          auto snap = owner.request("getSnapshot", json::object{{"sessionId", "q"}});
          text =
              ok(snap) ? std::string(snap.at("payload").at("snapshot").at("text").as_string()) : "";
          return contains(text, "got-" + x + ":") || contains(text, "lost-" + x);
        },
        20s));
    answered = contains(text, "got-" + x + ":");
  }
  EXPECT_TRUE(answered) << "every cursor position query went unanswered";
}

// --- the state dir ---------------------------------------------------------------------

namespace {
struct Started {
  int code;
  std::string err;
};
// Runs a server binary to its exit (it should refuse at once).
Started run_server(const std::string& binary, const std::vector<std::string>& args) {
  Process p(binary, args);
  auto status = p.wait(20s);
  return {status && WIFEXITED(*status) ? WEXITSTATUS(*status) : -1, p.log()};
}
}  // namespace

TEST(Hardening, AStateDirSomeoneElseControlsIsRefused) {
  TempDir dir;
  const std::string victim = dir.path() + "/victim";
  write_file(victim, "untouched");
  auto victim_ok = [&] { return read_file(victim) == "untouched"; };
  for (const std::string& binary : {supervisor_binary(), host_binary()}) {
    const std::string name = binary == host_binary() ? "host" : "sup";
    // Writable by others.
    const std::string open_dir = dir.path() + "/open-" + name;
    ::mkdir(open_dir.c_str(), 0777);
    ::chmod(open_dir.c_str(), 0777);
    auto r = run_server(binary, {"--state-dir", open_dir});
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_TRUE(contains(r.err, "writable by group or others (mode 0777)")) << r.err;
    EXPECT_EQ(std::filesystem::directory_iterator(open_dir), std::filesystem::directory_iterator())
        << "nothing written in it";
    // A symlink to such a directory: refused too, its mode left alone.
    const std::string link = dir.path() + "/link-" + name;
    ::symlink(open_dir.c_str(), link.c_str());
    r = run_server(binary, {"--state-dir", link});
    EXPECT_EQ(r.code, 1);
    EXPECT_TRUE(contains(r.err, "a symlink to it")) << r.err;
    struct stat st {};
    ::stat(open_dir.c_str(), &st);
    EXPECT_EQ(st.st_mode & 0777, 0777u);
    // Planted links and a hard link in a directory of ours.
    const std::string planted = dir.path() + "/planted-" + name;
    ::mkdir(planted.c_str(), 0700);
    const std::string log =
        planted + (name == "host" ? "/terminal-host.log" : "/pty-supervisor.log");
    ::symlink(victim.c_str(), log.c_str());
    r = run_server(binary, {"--state-dir", planted, "-d"});
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_TRUE(contains(r.err, "is a symlink: refusing to follow it")) << r.err;
    ::unlink(log.c_str());
    ASSERT_EQ(::link(victim.c_str(), log.c_str()), 0);
    r = run_server(binary, {"--state-dir", planted, "-d"});
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_TRUE(contains(r.err, "hard links")) << r.err;
    ::unlink(log.c_str());
    const std::string lock =
        planted + (name == "host" ? "/terminal-host.lock" : "/pty-supervisor.lock");
    ::unlink(lock.c_str());  // the runs above made it
    ASSERT_EQ(::symlink(victim.c_str(), lock.c_str()), 0);
    r = run_server(binary, {"--state-dir", planted});
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_TRUE(contains(r.err, "is a symlink")) << r.err;
    ::unlink(lock.c_str());
    EXPECT_TRUE(victim_ok());
  }
  // terminal-host's token: a planted token symlink is refused; planted temp
  // names (the old fixed one) and a planted pid-file link are never written through.
  const std::string planted = dir.path() + "/planted-token";
  ::mkdir(planted.c_str(), 0700);
  ::symlink(victim.c_str(), (planted + "/terminal-host.token").c_str());
  auto r = run_server(host_binary(), {"--state-dir", planted, "--spawn-supervisor=never"});
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_TRUE(contains(r.err, "token")) << r.err;
  ::unlink((planted + "/terminal-host.token").c_str());
  ::symlink(victim.c_str(), (planted + "/terminal-host.token.tmp").c_str());
  ::symlink(victim.c_str(), (planted + "/terminal-host.pid").c_str());
  {
    Process host(host_binary(), {"--state-dir", planted, "--spawn-supervisor=never"});
    ASSERT_TRUE(wait_until([&] { return socket_answers(planted + "/terminal-host.sock"); }, 20s))
        << host.log();
    ASSERT_TRUE(wait_until(
        [&] {
          struct stat st {};
          return ::lstat((planted + "/terminal-host.pid").c_str(), &st) == 0 && S_ISREG(st.st_mode);
        },
        20s));
    EXPECT_EQ(read_file(planted + "/terminal-host.pid"), std::to_string(host.pid()));
    EXPECT_EQ(read_file(planted + "/terminal-host.token").size(), 64u);
    host.signal(SIGTERM);
    host.wait(20s);
  }
  EXPECT_TRUE(victim_ok()) << read_file(victim);

  // Owned by another uid (root can make one; as another user the test cannot).
  if (::geteuid() == 0) {
    const passwd* nobody = ::getpwnam("nobody");
    ASSERT_TRUE(nobody);
    const std::string foreign = dir.path() + "/foreign";
    ::mkdir(foreign.c_str(), 0700);
    ASSERT_EQ(::chown(foreign.c_str(), nobody->pw_uid, nobody->pw_gid), 0);
    for (const std::string& binary : {supervisor_binary(), host_binary()}) {
      r = run_server(binary, {"--state-dir", foreign});
      EXPECT_EQ(r.code, 1) << r.err;
      EXPECT_TRUE(contains(r.err, "is owned by uid " + std::to_string(nobody->pw_uid))) << r.err;
    }
    // ptyctl sends no token there (it does not even connect).
    auto c = run_cli({"--state-dir", foreign, "--no-start", "ls"});
    EXPECT_EQ(c.code, 3);
    EXPECT_TRUE(contains(c.err, "is owned by uid")) << c.err;
    EXPECT_EQ(lines_of(c.err), 1);
  }
}

TEST(Hardening, ASocketPathTooLongIsRefusedUpFrontNamingTheLimit) {
  TempDir dir;
  // 88 characters of state dir: the supervisor's socket path would be 108.
  std::string deep = dir.path() + "/";
  while (deep.size() < 88)
    deep += "d";
  ::mkdir(deep.c_str(), 0700);
  for (const std::string& binary : {supervisor_binary(), host_binary()}) {
    auto r = run_server(binary, {"--state-dir", deep});
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_TRUE(contains(r.err, "socket path too long")) << r.err;
    EXPECT_TRUE(contains(r.err, "at most 107")) << r.err;
  }
  auto c = run_cli({"--state-dir", deep, "--no-start", "ls"});
  EXPECT_EQ(c.code, 3) << c.err;
  EXPECT_TRUE(contains(c.err, "socket path too long")) << c.err;
  EXPECT_EQ(lines_of(c.err), 1);
}

TEST(Hardening, ASecondViewerOfABusySessionGetsItsOutput) {
  // The supervisor forwards output before its emulator has worked through it:
  // a viewer attaching meanwhile gets a snapshot behind what the first viewer
  // already has, and must still get every byte after it.
  HostFixture f;
  std::string flood;
  for (int i = 0; i < 20000; ++i)
    flood += "\x1b#8";
  const std::string file = f.dir.path() + "/flood.bin";
  write_file(file, flood);
  HostClient a(f.socket(), f.token());
  auto payload =
      json::object{{"sessionId", "busy"},
                   {"cols", 100},
                   {"rows", 30},
                   {"workspaceId", "w"},
                   {"paneId", "p"},
                   {"tabId", "t"},
                   {"command", "cat " + file + "; seq 1 2000; echo the-end; sleep 1000"}};
  ASSERT_TRUE(ok(a.request("createOrAttach", payload)));
  Received got_a;
  ASSERT_TRUE(a.collect(
      "busy", got_a, [](const Received& r) { return r.bytes.size() > 3000; }, 30s));
  HostClient b(f.socket(), f.token());
  const auto attached = b.request("createOrAttach", payload);
  ASSERT_TRUE(ok(attached));
  Received got_b;
  got_b.next = attached.at("payload").at("snapshot").at("offset").to_number<std::uint64_t>();
  got_b.started = true;
  EXPECT_TRUE(b.collect(
      "busy", got_b, [](const Received& r) { return contains(r.bytes, "the-end"); }, 120s))
      << got_b.bytes.size() << " bytes";
  EXPECT_TRUE(contains(got_b.bytes, "\r\n1999\r\n2000\r\n"));
  EXPECT_TRUE(a.collect(
      "busy", got_a, [](const Received& r) { return contains(r.bytes, "the-end"); }, 120s));
}
