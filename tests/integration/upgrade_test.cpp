// pty-supervisor's in-place upgrade (docs/upgrade.md): the real binary execs
// itself (or a new binary) in the same process, with real shells attached.

#include "cli_harness.hpp"
#include "emulator/emulator.hpp"
#include "harness.hpp"
#include "host_client.hpp"

#include <ptyctl/proto/snapshot.hpp>
#include <ptyctl/proto/supervisor_messages.hpp>

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sys/socket.h>
#include <sys/un.h>

#include <atomic>
#include <fstream>
#include <thread>

using namespace ptyctl;
using namespace ptyctl::test;
namespace json = boost::json;

namespace {

json::object bash_session(const std::string& id) {
  return json::object{{"sessionId", id},
                      {"cols", 80},
                      {"rows", 24},
                      {"shell", "/bin/bash"},
                      {"args", json::array{"--norc", "--noprofile"}}};
}

// The data of `sid` from `from` on, until `text` appears in it.
bool read_until(SupervisorClient& c, const std::string& sid, std::uint64_t& next,
                std::string& bytes, const std::string& text) {
  const auto deadline = Clock::now() + 20s;
  while (!contains(bytes, text)) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    auto ev = c.next_event(left);
    if (!ev) return false;
    if (session_payload_id(*ev) != sid || ev->json.at("event").as_string() != "data") continue;
    const auto d = json::value_to<proto::sup::DataEvent>(ev->json.at("payload"));
    if (d.offset != next) {
      ADD_FAILURE() << "data at " << d.offset << ", expected " << next;
      return false;
    }
    next += ev->payload.size();
    bytes += ev->payload;
  }
  return true;
}

proto::Snapshot snapshot_of(SupervisorClient& c, const std::string& sid) {
  auto r = c.request("getSnapshot", json::object{{"sessionId", sid}});
  EXPECT_TRUE(ok(r)) << json::serialize(r);
  return json::value_to<proto::Snapshot>(r.at("payload").at("snapshot"));
}

// A new connection after an upgrade (the old ones went with the old image):
// the same supervisor pid, and `id` alone, alive, with the same shell.
void expect_same_process_and_shell(const SupervisorFixture& f, SupervisorClient& c,
                                   const std::string& id, int shell) {
  auto hello = c.hello();
  ASSERT_TRUE(ok(hello));
  EXPECT_EQ(hello.at("payload").at("supervisorPid").as_int64(), f.process->pid());
  const auto sessions =
      json::value_to<proto::sup::ListSessionsResult>(c.request("listSessions").at("payload"))
          .sessions;
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_EQ(sessions[0].sessionId, id);
  EXPECT_EQ(sessions[0].pid, shell);
  EXPECT_TRUE(sessions[0].isAlive);
}

std::string script(const TempDir& dir, const std::string& name, const std::string& body) {
  const std::string path = dir.path() + "/" + name;
  std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
  ::chmod(path.c_str(), 0700);
  return path;
}

}  // namespace

TEST(Upgrade, InPlaceKeepsThePidTheShellsAndEveryByte) {
  SupervisorFixture f;
  SupervisorClient c(f.socket());
  ASSERT_TRUE(ok(c.hello()));
  auto created = c.request("createSession", bash_session("s1"));
  ASSERT_TRUE(ok(created)) << json::serialize(created);
  const int shell = static_cast<int>(created.at("payload").at("pid").as_int64());
  ASSERT_TRUE(ok(c.request("attachSession", json::object{{"sessionId", "s1"}, {"fromOffset", 0}})));
  std::uint64_t next = 0;
  std::string bytes;
  ASSERT_TRUE(ok(c.request("write", json::object{{"sessionId", "s1"}}, "echo be$((1))fore\r")));
  ASSERT_TRUE(read_until(c, "s1", next, bytes, "be1fore\r\n")) << bytes;
  const auto before = snapshot_of(c, "s1");

  SupervisorClient u(f.socket());
  ASSERT_TRUE(ok(u.hello()));
  auto r = u.request("prepareUpgrade", json::object{}, {}, 30s);
  ASSERT_TRUE(ok(r)) << json::serialize(r) << "\n" << f.process->log();
  const auto result = json::value_to<proto::sup::PrepareUpgradeResult>(r.at("payload"));
  EXPECT_EQ(result.supervisorPid, f.process->pid());
  EXPECT_FALSE(result.version.empty());
  std::cout << "upgrade took " << result.tookMs << " ms\n";

  SupervisorClient c2(f.socket());
  expect_same_process_and_shell(f, c2, "s1", shell);
  const auto after = snapshot_of(c2, "s1");
  EXPECT_EQ(after.offset, before.offset);
  EXPECT_EQ(after.text, before.text);
  // Resumed where the old connection stopped: nothing lost, nothing repeated.
  auto attached =
      c2.request("attachSession", json::object{{"sessionId", "s1"}, {"fromOffset", next}});
  ASSERT_TRUE(ok(attached));
  EXPECT_TRUE(attached.at("payload").at("resumed").as_bool());
  ASSERT_TRUE(ok(c2.request("write", json::object{{"sessionId", "s1"}}, "echo af$((2))ter\r")));
  bytes.clear();
  ASSERT_TRUE(read_until(c2, "s1", next, bytes, "af2ter\r\n")) << bytes;
  // The shell is still our child: its exit code arrives.
  ASSERT_TRUE(ok(c2.request("write", json::object{{"sessionId", "s1"}}, "exit 7\r")));
  const auto deadline = Clock::now() + 20s;
  std::optional<json::object> exit;
  while (!exit && Clock::now() < deadline) {
    auto ev = c2.next_event(5s);
    if (ev && ev->json.at("event").as_string() == "exit") exit = ev->json.at("payload").as_object();
  }
  ASSERT_TRUE(exit);
  EXPECT_EQ(exit->at("exitCode").as_int64(), 7);
}

TEST(Upgrade, ABinaryThatRefusesTheStateChangesNothing) {
  SupervisorFixture f;
  SupervisorClient c(f.socket());
  ASSERT_TRUE(ok(c.hello()));
  ASSERT_TRUE(ok(c.request("createSession", bash_session("s1"))));
  ASSERT_TRUE(ok(c.request("attachSession", json::object{{"sessionId", "s1"}, {"fromOffset", 0}})));
  std::uint64_t next = 0;
  std::string bytes;
  const struct {
    std::string binary, says;
  } cases[] = {
      {script(f.dir, "exits", "exit 1"), "exited with status 1"},
      {script(f.dir, "crashes", "cat \"/dev/fd/$2\" >/dev/null && kill -SEGV $$"), "SIGSEGV"},
      {PTYCTL_SUPERVISOR_NEXT_FORMAT_BIN,
       "state format 2 is not known to this version (it reads format 3)"},
      {f.dir.path() + "/not-there", "no binary to run at " + f.dir.path() + "/not-there"},
  };
  int round = 0;
  for (const auto& k : cases) {
    auto r = c.request("prepareUpgrade", json::object{{"binary", k.binary}}, {}, 30s);
    EXPECT_EQ(error_code(r), "UPGRADE_FAILED") << json::serialize(r);
    EXPECT_TRUE(contains(json::serialize(r), k.says)) << json::serialize(r);
    // The same connection, the same session, the output continuing exactly.
    const std::string mark = "round-" + std::to_string(++round);
    ASSERT_TRUE(ok(c.request("write", json::object{{"sessionId", "s1"}}, "echo " + mark + "\r")));
    ASSERT_TRUE(read_until(c, "s1", next, bytes, "\r" + mark + "\r\n")) << bytes;
  }
}

namespace {
json::object host_session(const std::string& id, const std::string& command) {
  return json::object{{"sessionId", id}, {"cols", 80},   {"rows", 24},        {"workspaceId", "w"},
                      {"paneId", id},    {"tabId", "t"}, {"command", command}};
}
std::map<std::string, std::int64_t> shell_pids(HostClient& c) {
  std::map<std::string, std::int64_t> out;
  auto r = c.request("listSessions");
  for (const auto& s : r.at("payload").at("sessions").as_array())
    if (s.at("isAlive").as_bool())
      out[std::string(s.at("sessionId").as_string())] = s.at("pid").as_int64();
  return out;
}
}  // namespace

TEST(Upgrade, TwentyInARowDuringOutputThroughTerminalHost) {
  HostFixture f;
  HostClient c(f.socket(), f.token());
  constexpr int kLines = 3000;
  // Paced output through a viewer; an idle shell; one ending 7 after 2 s; one
  // ending 3 while the upgrades go on.
  // From offset 0: without it, what seq prints before the attach is done is
  // in the answer's snapshot, not in data (the viewer's bytes then began at
  // line 51: seen once in CI).
  json::object seq_session =
      host_session("seq", "for i in $(seq 1 " + std::to_string(kLines) +
                              "); do echo line-$i; [ $((i % 50)) = 0 ] && sleep 0.05; done; "
                              "echo seq-done; sleep 1000");
  seq_session["resumeFrom"] = 0;
  ASSERT_TRUE(ok(c.request("createOrAttach", seq_session)));
  ASSERT_TRUE(ok(c.request("createOrAttach", host_session("idle", "sleep 1000"))));
  // A full-screen program: less on the alternate screen with mouse mode on
  // (1000 and 1006), keypad and cursor keys in application mode, colours.
  const std::string text = f.dir.path() + "/text";
  {
    std::ofstream out(text);
    for (int i = 1; i <= 200; ++i)
      out << "\x1b[3" << i % 8 << "mpage line " << i << "\x1b[0m\n";
  }
  ASSERT_TRUE(ok(c.request("createOrAttach", host_session("tui", "exec less -R --mouse " + text))));
  ASSERT_TRUE(ok(c.request("createOrAttach", host_session("seven", "sleep 2; exit 7"))));
  ASSERT_TRUE(ok(c.request("createOrAttach", host_session("three", "sleep 4; exit 3"))));
  const int supervisor = f.supervisor_pid();
  const auto shells = shell_pids(c);
  ASSERT_EQ(shells.size(), 5u);
  const auto tui_shows = [&](const std::string& what) {
    return wait_until(
        [&] {
          auto r = c.request("getSnapshot", json::object{{"sessionId", "tui"}});
          if (!ok(r)) return false;
          const auto snap = json::value_to<proto::Snapshot>(r.at("payload").at("snapshot"));
          return snap.modes.mouseSgr && snap.modes.alternateScreen && snap.text &&
                 contains(*snap.text, what);
        },
        20s);
  };
  ASSERT_TRUE(tui_shows("page line 23"));
  Received seq, seven, three;
  for (int i = 0; i < 20; ++i) {
    const auto idle_before = c.request("getSnapshot", json::object{{"sessionId", "idle"}});
    const auto tui_before = c.request("getSnapshot", json::object{{"sessionId", "tui"}});
    const auto r = run_cli(with_state(f, {"upgrade", "supervisor"}), {}, 60s);
    ASSERT_EQ(r.code, 0) << r.err << r.out;
    EXPECT_TRUE(contains(r.out, "upgraded in place")) << r.out;
    EXPECT_EQ(f.supervisor_pid(), supervisor);
    // terminal-host has reconnected: every shell is the same process.
    std::map<std::string, std::int64_t> now;
    ASSERT_TRUE(wait_until(
        [&] {
          auto r2 = c.request("listSessions");
          if (!ok(r2)) return false;
          now = shell_pids(c);
          return true;
        },
        20s))
        << json::serialize(c.request("listSessions")) << "\n"
        << f.process->log() << "\n"
        << read_file(f.dir.path() + "/pty-supervisor.log");
    for (const auto& [id, pid] : now)
      EXPECT_EQ(shells.at(id), pid) << id;
    const auto idle_after = c.request("getSnapshot", json::object{{"sessionId", "idle"}});
    ASSERT_TRUE(ok(idle_before) && ok(idle_after));
    EXPECT_EQ(json::serialize(idle_after.at("payload").at("snapshot")),
              json::serialize(idle_before.at("payload").at("snapshot")))
        << "upgrade " << i;
    const auto tui_after = c.request("getSnapshot", json::object{{"sessionId", "tui"}});
    ASSERT_TRUE(ok(tui_before) && ok(tui_after));
    EXPECT_EQ(json::serialize(tui_after.at("payload").at("snapshot")),
              json::serialize(tui_before.at("payload").at("snapshot")))
        << "upgrade " << i;
  }
  // less goes on: a page down, then it quits back to the primary screen.
  ASSERT_TRUE(ok(c.request("write", json::object{{"sessionId", "tui"}, {"data", " "}})));
  ASSERT_TRUE(tui_shows("page line 46"));
  ASSERT_TRUE(ok(c.request("write", json::object{{"sessionId", "tui"}, {"data", "q"}})));
  Received tui;
  ASSERT_TRUE(c.collect(
      "tui", tui, [](const Received& r) { return r.exit.has_value(); }, 20s));
  EXPECT_EQ(tui.exit->at("exitCode").as_int64(), 0);
  // Every line exactly once, in order (collect() checks offsets too).
  ASSERT_TRUE(c.collect(
      "seq", seq, [](const Received& r) { return contains(r.bytes, "seq-done\r\n"); }, 60s))
      << seq.bytes.size();
  std::string expected;
  for (int i = 1; i <= kLines; ++i)
    expected += "line-" + std::to_string(i) + "\r\n";
  expected += "seq-done\r\n";
  if (seq.bytes != expected) {
    std::size_t at = 0;
    while (at < seq.bytes.size() && at < expected.size() && seq.bytes[at] == expected[at])
      ++at;
    ADD_FAILURE() << "the viewer's output differs from byte " << at << " (of " << seq.bytes.size()
                  << ", expected " << expected.size()
                  << "): " << testing::PrintToString(seq.bytes.substr(at > 40 ? at - 40 : 0, 200))
                  << "\n"
                  << f.process->log();
  }
  const auto ended = [](const Received& r) { return r.exit.has_value(); };
  ASSERT_TRUE(c.collect("seven", seven, ended, 60s))
      << f.process->log() << "\n"
      << read_file(f.dir.path() + "/pty-supervisor.log");
  EXPECT_EQ(seven.exit->at("exitCode").as_int64(), 7);
  ASSERT_TRUE(c.collect("three", three, ended, 60s));
  EXPECT_EQ(three.exit->at("exitCode").as_int64(), 3);
}

TEST(Upgrade, AClientConnectingThroughoutIsNeverRefused) {
  SupervisorFixture f;
  SupervisorClient c(f.socket());
  ASSERT_TRUE(ok(c.hello()));
  ASSERT_TRUE(ok(c.request("createSession", bash_session("s1"))));
  std::atomic<bool> done{false};
  std::atomic<int> refused{0}, connected{0};
  std::thread knocker([&] {
    while (!done) {
      const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
      sockaddr_un addr{};
      addr.sun_family = AF_UNIX;
      std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", f.socket().c_str());
      if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0)
        ++connected;
      else if (errno == ECONNREFUSED || errno == ENOENT)
        ++refused;
      ::close(fd);
    }
  });
  for (int i = 0; i < 20; ++i) {
    SupervisorClient u(f.socket());
    ASSERT_TRUE(ok(u.hello()));
    auto r = u.request("prepareUpgrade", json::object{}, {}, 30s);
    ASSERT_TRUE(ok(r)) << json::serialize(r);
  }
  done = true;
  knocker.join();
  EXPECT_EQ(refused.load(), 0);
  EXPECT_GT(connected.load(), 20);
  std::cout << connected.load() << " connections during 20 upgrades, " << refused.load()
            << " refused\n";
}

TEST(Upgrade, SystemdIsToldReloadingThenReady) {
  // What ExecReload= relies on: RELOADING=1 before the exec, READY=1 once the
  // same pid (MAINPID unchanged) serves again.
  TempDir dir;
  NotifySocket notify(dir.path() + "/notify.sock");
  Process p(supervisor_binary(), {"--state-dir", dir.path() + "/state"},
            {{"NOTIFY_SOCKET", notify.path()}});
  const auto ready = notify.receive(20s);
  ASSERT_TRUE(ready) << p.log();
  EXPECT_EQ(*ready, "READY=1");
  SupervisorClient u(dir.path() + "/state/pty-supervisor.sock");
  ASSERT_TRUE(ok(u.hello()));
  auto r = u.request("prepareUpgrade", json::object{}, {}, 30s);
  ASSERT_TRUE(ok(r)) << json::serialize(r);
  const auto reloading = notify.receive(20s);
  ASSERT_TRUE(reloading);
  EXPECT_TRUE(reloading->starts_with("RELOADING=1\nMONOTONIC_USEC=")) << *reloading;
  const auto again = notify.receive(20s);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, "READY=1");
  EXPECT_EQ(json::value_to<proto::sup::PrepareUpgradeResult>(r.at("payload")).supervisorPid,
            p.pid());
}

TEST(Upgrade, PtyctlSaysWhyAnUpgradeDidNotHappen) {
  HostFixture f;
  HostClient c(f.socket(), f.token());
  ASSERT_TRUE(ok(c.request("createOrAttach", host_session("s", "sleep 1000"))));
  const int supervisor = f.supervisor_pid();
  const std::string bad = script(f.dir, "refuses", "echo 'state format 9 only'; exit 1");
  auto r = run_cli(with_state(f, {"upgrade", "supervisor", "--binary", bad}));
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_TRUE(contains(r.err,
                       "the upgrade did not happen: the new binary exited with status 1: "
                       "state format 9 only"))
      << r.err;
  r = run_cli(with_state(f, {"upgrade", "terminal-host"}));
  EXPECT_EQ(r.code, 2) << r.err;
  // And one that happens prints both versions and the same pid.
  r = run_cli(with_state(f, {"upgrade", "supervisor", "--json"}));
  ASSERT_EQ(r.code, 0) << r.err;
  const auto result = json::value_to<proto::sup::PrepareUpgradeResult>(json::parse(r.out));
  EXPECT_EQ(result.supervisorPid, supervisor);
  EXPECT_EQ(result.previousVersion, result.version);
}

TEST(Upgrade, ANewImageThatCannotRestoreGoesBackIntoTheOldOne) {
  // It passed the check (a wrapper says yes), then fails on the state after
  // the exec: it execs the old binary (kept open) with the same state, which
  // answers UPGRADE_FAILED. Same pid, every session, nothing lost.
  SupervisorFixture f;
  SupervisorClient c(f.socket());
  ASSERT_TRUE(ok(c.hello()));
  auto created = c.request("createSession", bash_session("s1"));
  ASSERT_TRUE(ok(created));
  const int shell = static_cast<int>(created.at("payload").at("pid").as_int64());
  ASSERT_TRUE(ok(c.request("attachSession", json::object{{"sessionId", "s1"}, {"fromOffset", 0}})));
  std::uint64_t next = 0;
  std::string bytes;
  ASSERT_TRUE(ok(c.request("write", json::object{{"sessionId", "s1"}}, "echo one-$((1))\r")));
  ASSERT_TRUE(read_until(c, "s1", next, bytes, "one-1\r\n")) << bytes;
  const std::string later = script(f.dir, "later",
                                   "[ \"$1\" = --check-upgrade ] && exit 0\n"
                                   "exec " PTYCTL_SUPERVISOR_NEXT_FORMAT_BIN " \"$@\"");
  for (int i = 0; i < 3; ++i) {
    SupervisorClient u(f.socket());
    ASSERT_TRUE(ok(u.hello()));
    auto r = u.request("prepareUpgrade", json::object{{"binary", later}}, {}, 30s);
    EXPECT_EQ(error_code(r), "UPGRADE_FAILED") << json::serialize(r);
    EXPECT_TRUE(contains(json::serialize(r),
                         "the new binary cannot restore the state: state format 2 is not known"))
        << json::serialize(r) << "\n"
        << f.process->log();
  }
  SupervisorClient c2(f.socket());
  expect_same_process_and_shell(f, c2, "s1", shell);
  ASSERT_TRUE(
      ok(c2.request("attachSession", json::object{{"sessionId", "s1"}, {"fromOffset", next}})));
  ASSERT_TRUE(ok(c2.request("write", json::object{{"sessionId", "s1"}}, "echo two-$((2))\r")));
  bytes.clear();
  ASSERT_TRUE(read_until(c2, "s1", next, bytes, "two-2\r\n")) << bytes;
}

TEST(Upgrade, AKillsGracePeriodRunsOnAcrossIt) {
  // A program that ignores SIGHUP: killSession's SIGKILL after the grace
  // period still comes when an upgrade happened in between.
  SupervisorFixture f;
  SupervisorClient c(f.socket());
  ASSERT_TRUE(ok(c.hello()));
  auto created = c.request("createSession",
                           json::object{{"sessionId", "stubborn"},
                                        {"cols", 80},
                                        {"rows", 24},
                                        {"shell", "/bin/bash"},
                                        {"command", "trap '' HUP; echo ready; exec sleep 1000"}});
  ASSERT_TRUE(ok(created));
  ASSERT_TRUE(
      ok(c.request("attachSession", json::object{{"sessionId", "stubborn"}, {"fromOffset", 0}})));
  std::uint64_t next = 0;
  std::string bytes;
  ASSERT_TRUE(read_until(c, "stubborn", next, bytes, "ready")) << bytes;
  ASSERT_TRUE(ok(c.request("killSession", json::object{{"sessionId", "stubborn"}})));
  SupervisorClient u(f.socket());
  ASSERT_TRUE(ok(u.hello()));
  ASSERT_TRUE(ok(u.request("prepareUpgrade", json::object{}, {}, 30s)));
  // The grace period is 3 s; then SIGKILL.
  ASSERT_TRUE(wait_until(
      [&] {
        auto r = u.request("listSessions");
        const auto l = json::value_to<proto::sup::ListSessionsResult>(r.at("payload")).sessions;
        return l.size() == 1 && !l[0].isAlive && l[0].signal == SIGKILL;
      },
      20s))
      << read_file(f.dir.path() + "/pty-supervisor.log") << f.process->log();
}

TEST(Upgrade, AnEscapeSequenceCutByTheUpgradeIsFinishedAfterIt) {
  // The program's output stops inside a CSI, then inside a title (OSC): the
  // new image's emulator must go on from there, not print the rest as text.
  SupervisorFixture f;
  auto c = std::make_unique<SupervisorClient>(f.socket());
  ASSERT_TRUE(ok(c->hello()));
  auto created =
      c->request("createSession",
                 json::object{{"sessionId", "cut"},
                              {"cols", 80},
                              {"rows", 24},
                              {"shell", "/bin/bash"},
                              {"command",
                               "stty -echo; printf 'A\\033[3'; read x; printf '1mB\\033]2;up'; "
                               "read y; printf 'graded\\007C'; exec sleep 1000"}});
  ASSERT_TRUE(ok(created)) << json::serialize(created);
  ASSERT_TRUE(
      ok(c->request("attachSession", json::object{{"sessionId", "cut"}, {"fromOffset", 0}})));
  std::uint64_t next = 0;
  std::string bytes;
  ASSERT_TRUE(read_until(*c, "cut", next, bytes, "A\x1b[3")) << bytes;
  for (const std::string rest : {"1mB\x1b]2;up",
                                 "graded\x07"
                                 "C"}) {
    SupervisorClient u(f.socket());
    ASSERT_TRUE(ok(u.hello()));
    auto r = u.request("prepareUpgrade", json::object{}, {}, 30s);
    ASSERT_TRUE(ok(r)) << json::serialize(r) << "\n" << f.process->log();
    c = std::make_unique<SupervisorClient>(f.socket());
    ASSERT_TRUE(ok(c->hello()));
    ASSERT_TRUE(
        ok(c->request("attachSession", json::object{{"sessionId", "cut"}, {"fromOffset", next}})));
    ASSERT_TRUE(ok(c->request("write", json::object{{"sessionId", "cut"}}, "\r")));
    ASSERT_TRUE(read_until(*c, "cut", next, bytes, rest)) << bytes;
  }
  // What the emulator made of it, as a viewer's terminal would show it.
  ASSERT_TRUE(wait_until([&] { return contains(*snapshot_of(*c, "cut").text, "ABC"); }, 10s))
      << *snapshot_of(*c, "cut").text;
  const auto snap = snapshot_of(*c, "cut");
  EXPECT_EQ(snap.text, "ABC");
  EXPECT_EQ(snap.title, "upgraded");
  emu::Emulator screen(snap.cols, snap.rows);
  screen.feed(snap.rehydrateSequences);
  screen.feed(snap.snapshotAnsi);
  const auto row = screen.row_cells(0);
  EXPECT_EQ(row[0].pen.fg.kind, emu::Color::kDefault);
  EXPECT_EQ(row[1].pen.fg, (emu::Color{emu::Color::kIndexed, 1, 0, 0}));  // CSI 31 m
  EXPECT_EQ(row[2].pen.fg, (emu::Color{emu::Color::kIndexed, 1, 0, 0}));
}
