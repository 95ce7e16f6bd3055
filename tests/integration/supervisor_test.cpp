// pty-supervisor against real shells in real PTYs: every test starts the real
// binary on a temp state dir and talks wire 1 to it.

#include "harness.hpp"

#include "emulator/emulator.hpp"

#include <ptyctl/proto/supervisor_messages.hpp>

#include <gtest/gtest.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <random>

using namespace ptyctl;
using namespace ptyctl::test;
namespace json = boost::json;

namespace {

json::object create_payload(const std::string& id, std::optional<std::string> command = {}) {
  json::object p{{"sessionId", id}, {"cols", 80}, {"rows", 24}, {"shell", "/bin/bash"}};
  if (command) {
    p["command"] = *command;
  } else {
    p["args"] = json::array{"--norc", "--noprofile"};
  }
  return p;
}

// Output of one session, checked to be contiguous by offset.
struct Output {
  std::string bytes;
  std::uint64_t start = 0;  // offset of bytes[0]
  std::uint64_t end() const { return start + bytes.size(); }
  std::optional<json::object> exit;
  std::optional<proto::Snapshot> resync;
};

// Reads events until `done(output)` or the deadline. Data for `sid` must
// continue exactly where the last one ended.
bool collect(SupervisorClient& c, const std::string& sid, Output& out,
             const std::function<bool(const Output&)>& done, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!done(out)) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    auto ev = c.next_event(left);
    if (!ev) return false;
    if (session_payload_id(*ev) != sid) continue;
    const std::string event(ev->json.at("event").as_string());
    if (event == "data") {
      const auto offset = json::value_to<proto::sup::DataEvent>(ev->json.at("payload")).offset;
      EXPECT_EQ(offset, out.end()) << "data must continue exactly where it stopped";
      if (offset != out.end()) return false;
      out.bytes += ev->payload;
    } else if (event == "exit") {
      out.exit = ev->json.at("payload").as_object();
    } else if (event == "snapshot") {
      out.resync = json::value_to<proto::sup::SnapshotEvent>(ev->json.at("payload")).snapshot;
    }
  }
  return true;
}

std::vector<proto::sup::SessionInfo> list(SupervisorClient& c) {
  auto r = c.request("listSessions");
  return json::value_to<proto::sup::ListSessionsResult>(r.at("payload")).sessions;
}

}  // namespace

TEST(Supervisor, StateDirAndSocketArePrivate) {
  SupervisorFixture f;
  struct stat st;
  ASSERT_EQ(::stat(f.dir.path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat(f.socket().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(read_file(f.dir.path() + "/pty-supervisor.pid"), std::to_string(f.process->pid()));
}

TEST(Supervisor, EchoSnapshotListAndKill) {
  SupervisorFixture f;
  SupervisorClient c(f.socket());
  auto hello = c.hello();
  ASSERT_TRUE(ok(hello));
  EXPECT_EQ(hello.at("payload").at("protocolVersion").as_int64(), 1);
  EXPECT_EQ(hello.at("payload").at("supervisorPid").as_int64(), f.process->pid());

  auto created = c.request("createSession", create_payload("s1"));
  ASSERT_TRUE(ok(created)) << json::serialize(created);
  const int pid = static_cast<int>(created.at("payload").at("pid").as_int64());
  // From offset 0: everything the shell printed, numbered from 0.
  auto attached = c.request("attachSession", json::object{{"sessionId", "s1"}, {"fromOffset", 0}});
  ASSERT_TRUE(ok(attached));
  EXPECT_TRUE(attached.at("payload").at("resumed").as_bool());
  Output out;

  ASSERT_TRUE(ok(c.request("write", json::object{{"sessionId", "s1"}}, "echo hello\r")));
  ASSERT_TRUE(collect(
      c, "s1", out, [](const Output& o) { return contains(o.bytes, "\rhello\r\n"); }, 10s))
      << out.bytes;

  auto snap = c.request("getSnapshot", json::object{{"sessionId", "s1"}});
  ASSERT_TRUE(ok(snap));
  const auto snapshot = json::value_to<proto::Snapshot>(snap.at("payload").at("snapshot"));
  EXPECT_TRUE(contains(*snapshot.text, "\nhello")) << *snapshot.text;
  EXPECT_GE(snapshot.offset, out.end());

  auto sessions = list(c);
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_EQ(sessions[0].sessionId, "s1");
  EXPECT_EQ(sessions[0].pid, pid);
  EXPECT_TRUE(sessions[0].isAlive);
  EXPECT_EQ(sessions[0].attachedClients, 1);

  ASSERT_TRUE(ok(c.request("killSession", json::object{{"sessionId", "s1"}})));
  ASSERT_TRUE(collect(
      c, "s1", out, [](const Output& o) { return o.exit.has_value(); }, 10s));
  EXPECT_EQ(out.exit->at("signal").as_int64(), SIGHUP);
  // An ended session stays listed, not alive, with its exit, until killed again.
  sessions = list(c);
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_FALSE(sessions[0].isAlive);
  EXPECT_EQ(sessions[0].signal, SIGHUP);
  ASSERT_TRUE(ok(c.request("killSession", json::object{{"sessionId", "s1"}})));
  EXPECT_TRUE(list(c).empty());
}

TEST(Supervisor, ExactlyOnceAcrossReattachAndAbruptClose) {
  SupervisorFixture f;
  const int kLines = 300000;
  // The program says it is ready (echo off), then waits for a line before
  // printing, so the test sees every byte from offset 0; then for another
  // before it ends (it runs at the PTY's pace, ahead of this reader, and must
  // still be running when the connection is cut).
  const std::string expected = "ready" + seq_output(1, kLines);
  auto c = std::make_unique<SupervisorClient>(f.socket());
  c->hello();
  ASSERT_TRUE(ok(
      c->request("createSession", create_payload("seq", "stty -echo; printf ready; read x; seq 1 " +
                                                            std::to_string(kLines) + "; read y"))));
  auto attached =
      c->request("attachSession", json::object{{"sessionId", "seq"}, {"fromOffset", 0}});
  ASSERT_TRUE(attached.at("payload").at("resumed").as_bool());
  Output out;
  ASSERT_TRUE(collect(
      *c, "seq", out, [](const Output& o) { return contains(o.bytes, "ready"); }, 10s));
  ASSERT_TRUE(ok(c->request("write", json::object{{"sessionId", "seq"}}, "\n")));

  // Stop at three points during the output: detach and reattach twice, and
  // once close the connection abruptly and resume on a new one.
  for (std::size_t stop : {expected.size() / 5, expected.size() / 2, expected.size() * 4 / 5}) {
    ASSERT_TRUE(collect(
        *c, "seq", out, [&](const Output& o) { return o.bytes.size() >= stop; }, 30s));
    if (stop == expected.size() / 2) {
      c.reset();  // abrupt close, mid-stream
      c = std::make_unique<SupervisorClient>(f.socket());
      c->hello();
      const auto sessions = list(*c);
      ASSERT_EQ(sessions.size(), 1u);
      EXPECT_TRUE(sessions[0].isAlive);
    } else {
      ASSERT_TRUE(ok(c->request("detachSession", json::object{{"sessionId", "seq"}})));
      c->drop_events("seq");  // in flight before the detach
    }
    auto again =
        c->request("attachSession", json::object{{"sessionId", "seq"}, {"fromOffset", out.end()}});
    ASSERT_TRUE(ok(again));
    EXPECT_TRUE(again.at("payload").at("resumed").as_bool());
  }
  ASSERT_TRUE(collect(
      *c, "seq", out, [&](const Output& o) { return o.bytes.size() >= expected.size(); }, 30s));
  ASSERT_TRUE(ok(c->request("write", json::object{{"sessionId", "seq"}}, "\n")));
  ASSERT_TRUE(collect(
      *c, "seq", out, [](const Output& o) { return o.exit.has_value(); }, 60s));
  EXPECT_EQ(out.start, 0u);
  EXPECT_EQ(out.bytes.size(), expected.size());
  EXPECT_TRUE(out.bytes == expected) << "output differs from seq's";
  EXPECT_EQ(out.exit->at("exitCode").as_int64(), 0);
}

TEST(Supervisor, SnapshotPlusDataReproducesTheFinalScreen) {
  SupervisorFixture f;
  SupervisorClient c(f.socket());
  c.hello();
  ASSERT_TRUE(ok(
      c.request("createSession", create_payload("s", "stty -echo; read x; seq 1 200000; read y"))));
  ASSERT_TRUE(ok(c.request("write", json::object{{"sessionId", "s"}}, "\n")));
  // Attach without fromOffset while the output runs: a snapshot at X, data from X.
  SupervisorClient late(f.socket());
  late.hello();
  ASSERT_TRUE(wait_until([&] { return list(c)[0].offset > 100000; }, 30s));
  auto attached = late.request("attachSession", json::object{{"sessionId", "s"}});
  ASSERT_TRUE(ok(attached));
  const auto snap = json::value_to<proto::Snapshot>(attached.at("payload").at("snapshot"));
  EXPECT_FALSE(attached.at("payload").at("resumed").as_bool());
  Output out;
  out.start = snap.offset;
  const std::string last = "200000\r\n";
  ASSERT_TRUE(collect(
      late, "s", out, [&](const Output& o) { return contains(o.bytes, last); }, 60s));
  emu::Emulator b(snap.cols, snap.rows);
  b.feed(snap.rehydrateSequences);
  b.feed(snap.snapshotAnsi);
  b.feed(out.bytes);
  auto final_snap = c.request("getSnapshot", json::object{{"sessionId", "s"}});
  const auto expected = json::value_to<proto::Snapshot>(final_snap.at("payload").at("snapshot"));
  ASSERT_EQ(expected.offset, out.end());
  EXPECT_EQ(b.text(), *expected.text);
  // No line twice: the screen is 23 consecutive numbers.
  EXPECT_TRUE(contains(b.text(), "199978\n199979\n")) << b.text();
}

namespace {
// About 10 MB of what programs print: colours, wide characters, tabs,
// scroll regions, cursor movement, erases, the alternate screen, titles,
// a UTF-8 character cut by a write boundary's worth of anything.
std::string mixed_output() {
  std::mt19937 rng(7);
  std::string out;
  for (int i = 0; out.size() < 10u * 1000 * 1000; ++i) {
    out += "\x1b[3" + std::to_string(i % 8) + "m" + std::to_string(i) + "\x1b[0m\tline ";
    switch (rng() % 12) {
      case 0:
        out += "\xe6\xbc\xa2\xe5\xad\x97 wide \xf0\x9f\x98\x80";
        break;
      case 1:
        out += "\x1b[5;20r\x1b[20H\n\n\x1b[r";
        break;
      case 2:
        out += "\x1b[" + std::to_string(rng() % 24 + 1) + ";" + std::to_string(rng() % 80 + 1) +
               "Hmoved\x1b[K";
        break;
      case 3:
        out += (i % 2 ? "\x1b[?1049h" : "\x1b[?1049l");
        break;
      case 4:
        out += "\x1b]2;title " + std::to_string(i) + "\x07";
        break;
      case 5:
        out += std::string(100 + rng() % 200, 'w');  // wraps
        break;
      case 6:
        out +=
            "\x1b[1;4mbold underlined\x1b[22;24m \x1b[38;5;" + std::to_string(rng() % 256) + "m256";
        break;
      default:
        out += std::to_string(rng());
    }
    out += "\r\n";
  }
  return out + "\x1b[0mthe-end";
}
}  // namespace

TEST(Supervisor, SnapshotsDuringAFloodAreTheEmulatorFedTheBytesBeforeTheirOffsets) {
  // The emulator runs beside the forwarding (its own thread): a snapshot
  // asked for while output pours in must be exactly the screen after the
  // bytes before its offset, as a fresh emulator fed those bytes has it.
  // (A ring that holds all of it: the collector reads it after the flood.)
  SupervisorFixture f({"--ring-size", std::to_string(32u * 1024 * 1024)});
  const std::string file = f.dir.path() + "/mixed";
  const std::string mixed = mixed_output();
  { std::ofstream(file, std::ios::binary) << mixed; }
  SupervisorClient c(f.socket());
  c.hello();
  ASSERT_TRUE(ok(c.request(
      "createSession", create_payload("s", "stty raw -echo; read x; cat " + file + "; read y"))));
  auto attached = c.request("attachSession", json::object{{"sessionId", "s"}, {"fromOffset", 0}});
  ASSERT_TRUE(attached.at("payload").at("resumed").as_bool());
  SupervisorClient snapper(f.socket());
  snapper.hello();
  ASSERT_TRUE(ok(c.request("write", json::object{{"sessionId", "s"}}, "\n")));
  // Snapshots while the output runs (the collector below reads it all after).
  std::vector<proto::Snapshot> snaps;
  std::uint64_t ring_end = 0;
  const auto deadline = Clock::now() + 60s;
  while (Clock::now() < deadline) {
    auto r = snapper.request("getSnapshot", json::object{{"sessionId", "s"}}, {}, 20s);
    ASSERT_TRUE(ok(r));
    const auto got = json::value_to<proto::sup::GetSnapshotResult>(r.at("payload"));
    snaps.push_back(got.snapshot);
    ring_end = got.session ? got.session->offset : 0;
    if (got.snapshot.offset >= mixed.size()) break;
  }
  Output out;
  ASSERT_TRUE(collect(
      c, "s", out, [&](const Output& o) { return o.bytes.size() >= mixed.size(); }, 60s));
  ASSERT_FALSE(out.resync) << "the collector fell behind the ring";
  ASSERT_EQ(out.bytes, mixed);  // raw mode: the bytes as the program wrote them
  int during = 0;
  for (const proto::Snapshot& snap : snaps) {
    ASSERT_LE(snap.offset, out.bytes.size());
    if (snap.offset > 0 && snap.offset < mixed.size()) ++during;
    emu::Emulator fresh(80, 24);
    fresh.feed(std::string_view(out.bytes).substr(0, snap.offset));
    proto::Snapshot expected = fresh.snapshot();
    expected.offset = snap.offset - fresh.unfinished_bytes();
    expected.cwd = snap.cwd;
    EXPECT_EQ(expected.offset, snap.offset);
    EXPECT_TRUE(expected == snap) << "the snapshot at offset " << snap.offset
                                  << " is not the screen after the bytes before it\n"
                                  << "expected:\n"
                                  << expected.text.value_or("") << "\ngot:\n"
                                  << snap.text.value_or("");
  }
  std::cout << snaps.size() << " snapshots, " << during << " during the output; ring end "
            << ring_end << "\n";
  RecordProperty("snapshots_during_output", during);
  EXPECT_GE(during, 2) << "too few snapshots were taken while the output ran";
}

TEST(Supervisor, TenMebibytePasteArrivesByteForByte) {
  SupervisorFixture f;
  SupervisorClient c(f.socket());
  c.hello();
  const std::string file = f.dir.path() + "/pasted";
  ASSERT_TRUE(ok(c.request("createSession", create_payload("cat", "stty -echo; cat > " + file))));
  std::mt19937 rng(42);
  std::string paste;
  while (paste.size() < 10u * 1024 * 1024) {
    const int len = static_cast<int>(rng() % 200);
    for (int i = 0; i < len; ++i)
      paste += static_cast<char>(' ' + rng() % 95);
    paste += '\n';
  }
  for (std::size_t pos = 0; pos < paste.size(); pos += 1u << 20) {
    auto r = c.request("write", json::object{{"sessionId", "cat"}},
                       std::string_view(paste).substr(pos, 1u << 20));
    ASSERT_TRUE(ok(r)) << json::serialize(r);
  }
  ASSERT_TRUE(ok(c.request("write", json::object{{"sessionId", "cat"}}, "\x04")));  // EOF
  ASSERT_TRUE(wait_until([&] { return !list(c)[0].isAlive; }, 60s));
  EXPECT_EQ(list(c)[0].exitCode, 0);
  const std::string got = read_file(file);
  EXPECT_EQ(got.size(), paste.size());
  EXPECT_TRUE(got == paste);
}

TEST(Supervisor, SlowReaderBlocksNobody) {
  SupervisorFixture f;
  // The reader that stops reading.
  SupervisorClient slow(f.socket());
  slow.hello();
  ASSERT_TRUE(ok(slow.request(
      "createSession",
      create_payload("flood", "stty -echo; read x; head -c 100000000 /dev/zero | tr '\\0' x"))));
  ASSERT_TRUE(ok(slow.request("attachSession", json::object{{"sessionId", "flood"}})));
  ASSERT_TRUE(ok(slow.request("write", json::object{{"sessionId", "flood"}}, "\n")));
  // From here on `slow` reads nothing.

  SupervisorClient fast(f.socket());
  fast.hello();
  ASSERT_TRUE(ok(fast.request("createSession", create_payload("echo", "stty -echo; cat"))));
  auto a = fast.request("attachSession", json::object{{"sessionId", "echo"}});
  Output out;
  out.start = json::value_to<std::uint64_t>(a.at("payload").at("snapshot").at("offset"));
  long peak_kib = 0;
  int round_trips = 0;
  // Echo round trips keep completing while the flood runs (to its end, or
  // for two minutes at most).
  const auto give_up = Clock::now() + 120s;
  const auto flood_offset = [&] {
    for (const auto& s : list(fast))
      if (s.sessionId == "flood") return s.offset;
    return std::uint64_t{0};
  };
  while (flood_offset() < 100000000 || round_trips < 20) {
    const std::string token = "ping-" + std::to_string(round_trips) + "\n";
    const auto t0 = Clock::now();
    ASSERT_TRUE(ok(fast.request("write", json::object{{"sessionId", "echo"}}, token)));
    ASSERT_TRUE(collect(
        fast, "echo", out,
        [&](const Output& o) {
          return contains(o.bytes, "ping-" + std::to_string(round_trips) + "\r\n");
        },
        5s))
        << "round trip " << round_trips << " did not complete";
    EXPECT_LT(Clock::now() - t0, 2s);
    ++round_trips;
    peak_kib = std::max(peak_kib, rss_kib(f.process->pid()));
    if (Clock::now() > give_up) break;
  }
  const auto flood = list(fast);
  const auto it = std::find_if(flood.begin(), flood.end(),
                               [](const auto& s) { return s.sessionId == "flood"; });
  ASSERT_NE(it, flood.end());
  EXPECT_GE(it->offset, 100000000u);
  // Documented bound (docs/operations.md): rings + emulators + per-connection
  // buffers; 192 MiB covers the ASan test build's own overhead.
  EXPECT_LT(peak_kib, 192 * 1024) << "peak RSS " << peak_kib << " KiB";
  RecordProperty("peak_rss_kib", std::to_string(peak_kib));
}

TEST(Supervisor, BadInputGetsItsCodeAndTheServerGoesOn) {
  SupervisorFixture f;
  auto expect_frame_error = [&](const std::string& raw, const std::string& code) {
    SupervisorClient c(f.socket());
    c.send_raw(raw);
    auto frame = c.next_frame(10s);
    ASSERT_TRUE(frame) << code;
    EXPECT_EQ(error_code(frame->json), code);
    // ... and the connection is closed.
    EXPECT_FALSE(c.next_frame(10s));
    EXPECT_TRUE(c.closed_by_peer());
  };
  auto u32 = [](std::uint32_t v) {
    std::string s(4, '\0');
    for (int i = 0; i < 4; ++i)
      s[i] = static_cast<char>((v >> (24 - 8 * i)) & 0xff);
    return s;
  };
  expect_frame_error(u32(64u << 20) + u32(2) + "{}", "FRAME_TOO_LARGE");
  expect_frame_error(u32(10) + u32(7) + "{}abcd", "BAD_FRAME");
  expect_frame_error(u32(4 + 5) + u32(5) + "{\"a\":", "BAD_JSON");
  expect_frame_error(u32(4 + 3) + u32(3) + "[1]", "NOT_AN_OBJECT");

  SupervisorClient c(f.socket());
  EXPECT_EQ(error_code(c.request("listSessions")), "NOT_AUTHENTICATED");
  EXPECT_EQ(error_code(c.request(
                "hello",
                json::object{{"protocolVersion", 99}, {"daemonPid", 1}, {"daemonVersion", "x"}})),
            "PROTOCOL_MISMATCH");
  SupervisorClient d(f.socket());
  d.hello();
  EXPECT_EQ(error_code(d.request("frobnicate")), "UNKNOWN_REQUEST");
  auto missing = d.request("createSession", json::object{{"sessionId", "x"}, {"rows", 24}});
  EXPECT_EQ(error_code(missing), "INVALID_PAYLOAD");
  EXPECT_EQ(missing.at("error").at("message").as_string(), "cols is required");
  EXPECT_EQ(error_code(d.request("attachSession", json::object{{"sessionId", "nope"}})),
            "SESSION_NOT_FOUND");
  EXPECT_EQ(error_code(d.request("write", json::object{{"sessionId", "../x"}}, "x")),
            "INVALID_SESSION_ID");
  auto bad_cwd = create_payload("x");
  bad_cwd["cwd"] = "/nonexistent/dir";
  auto spawn = d.request("createSession", bad_cwd);
  EXPECT_EQ(error_code(spawn), "SPAWN_FAILED");
  ASSERT_TRUE(ok(d.request("createSession", create_payload("dup"))));
  EXPECT_EQ(error_code(d.request("createSession", create_payload("dup"))), "SESSION_EXISTS");

  // Another uid: let it reach the socket, then the server must refuse it.
  ASSERT_EQ(::chmod(f.dir.path().c_str(), 0711), 0);
  ASSERT_EQ(::chmod(f.socket().c_str(), 0666), 0);
  const int status = run_as_nobody([&] {
    // The refusal comes at once, before anything is sent.
    SupervisorClient other(f.socket());
    auto frame = other.next_frame(10s);
    if (!frame || error_code(frame->json) != "PERMISSION_DENIED") return 1;
    if (other.next_frame(10s)) return 2;  // must be closed
    return 0;
  });
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;

  // Still serving.
  SupervisorClient e(f.socket());
  ASSERT_TRUE(ok(e.hello()));
  EXPECT_EQ(list(e).size(), 1u);
}

TEST(Supervisor, ExitCodesAndSignals) {
  SupervisorFixture f;
  SupervisorClient c(f.socket());
  c.hello();
  ASSERT_TRUE(ok(c.request("createSession", create_payload("seven", "read x; exit 7"))));
  ASSERT_TRUE(ok(c.request("attachSession", json::object{{"sessionId", "seven"}})));
  ASSERT_TRUE(ok(c.request("write", json::object{{"sessionId", "seven"}}, "\n")));
  Output out;
  ASSERT_TRUE(collect(
      c, "seven", out, [](const Output& o) { return o.exit.has_value(); }, 10s));
  EXPECT_EQ(out.exit->at("exitCode").as_int64(), 7);
  EXPECT_FALSE(out.exit->contains("signal"));

  ASSERT_TRUE(ok(c.request("createSession", create_payload("sleeper", "sleep 100"))));
  ASSERT_TRUE(ok(c.request("attachSession", json::object{{"sessionId", "sleeper"}})));
  ASSERT_TRUE(
      ok(c.request("killSession", json::object{{"sessionId", "sleeper"}, {"signal", "SIGTERM"}})));
  Output out2;
  ASSERT_TRUE(collect(
      c, "sleeper", out2, [](const Output& o) { return o.exit.has_value(); }, 10s));
  EXPECT_EQ(out2.exit->at("signal").as_int64(), SIGTERM);
}

TEST(Supervisor, AKillHangsUpEvenAShellThatIsStillStarting) {
  // Killed as soon as it is created: bash 5.2 misses a SIGHUP in its first
  // milliseconds (up to one start in ten here) and would wait for the grace
  // period's SIGKILL. The hangup ends every one of them by SIGHUP.
  SupervisorFixture f;
  SupervisorClient c(f.socket());
  c.hello();
  constexpr int kSessions = 30;
  for (int i = 0; i < kSessions; ++i) {
    const std::string id = "k" + std::to_string(i);
    ASSERT_TRUE(ok(c.request("createSession", create_payload(id))));
    ASSERT_TRUE(ok(c.request("attachSession", json::object{{"sessionId", id}})));
    ASSERT_TRUE(ok(c.request("killSession", json::object{{"sessionId", id}})));
  }
  std::map<std::string, std::int64_t> signal_of;
  const auto deadline = Clock::now() + 30s;
  while (signal_of.size() < kSessions && Clock::now() < deadline) {
    auto ev = c.next_event(10s);
    if (!ev) break;
    if (ev->json.at("event").as_string() != "exit") continue;
    const auto& p = ev->json.at("payload").as_object();
    signal_of[session_payload_id(*ev)] = p.contains("signal") ? p.at("signal").as_int64() : 0;
  }
  ASSERT_EQ(signal_of.size(), static_cast<std::size_t>(kSessions));
  for (const auto& [id, sig] : signal_of)
    EXPECT_EQ(sig, SIGHUP) << id;
}

TEST(Supervisor, AKillEndsAJobThatIgnoresTheHangupInItsOwnGroup) {
  // After the grace period SIGKILL reaches every process of the terminal's
  // session, a background job in a group of its own too; what was printed
  // before the kill is in the output.
  SupervisorFixture f;
  SupervisorClient c(f.socket());
  c.hello();
  ASSERT_TRUE(ok(c.request("createSession",
                           create_payload("jobs",
                                          "set -m; trap '' HUP; (trap '' HUP; exec sleep 1000) & "
                                          "echo \"job=$!\"; wait"))));
  ASSERT_TRUE(
      ok(c.request("attachSession", json::object{{"sessionId", "jobs"}, {"fromOffset", 0}})));
  Output out;
  ASSERT_TRUE(collect(
      c, "jobs", out,
      [](const Output& o) {
        return o.bytes.find("\r\n", o.bytes.find("job=")) != std::string::npos;
      },
      10s))
      << out.bytes;
  const auto at = out.bytes.find("job=") + 4;
  const pid_t job = std::stoi(out.bytes.substr(at));
  ASSERT_GT(job, 0);
  ASSERT_EQ(::getpgid(job), job);  // its own group
  ASSERT_TRUE(ok(c.request("killSession", json::object{{"sessionId", "jobs"}})));
  ASSERT_TRUE(collect(
      c, "jobs", out, [](const Output& o) { return o.exit.has_value(); }, 20s));
  EXPECT_EQ(out.exit->at("signal").as_int64(), SIGKILL);
  EXPECT_TRUE(wait_until([&] { return process_gone(job); }, 10s)) << "job " << job << " lives on";
}

TEST(Supervisor, TwoHundredSessions) {
  SupervisorFixture f;
  SupervisorClient c(f.socket());
  c.hello();
  const int baseline_fds = count_fds(f.process->pid());
  constexpr int kSessions = 200;
  std::map<std::string, Output> outputs;
  for (int i = 0; i < kSessions; ++i) {
    const std::string id = "s" + std::to_string(i);
    ASSERT_TRUE(ok(c.request("createSession", create_payload(id, "stty -echo; cat"))));
    ASSERT_TRUE(ok(c.request("attachSession", json::object{{"sessionId", id}})));
    outputs[id];
  }
  EXPECT_EQ(children_of(f.process->pid()).size(), static_cast<std::size_t>(kSessions));
  for (int i = 0; i < kSessions; ++i) {
    const std::string id = "s" + std::to_string(i);
    ASSERT_TRUE(ok(c.request("write", json::object{{"sessionId", id}}, "ok-" + id + "\n")));
  }
  // Every session echoes its own line.
  const auto deadline = Clock::now() + 60s;
  int echoed = 0, exited = 0;
  while (echoed < kSessions && Clock::now() < deadline) {
    auto ev = c.next_event(10s);
    ASSERT_TRUE(ev);
    if (ev->json.at("event").as_string() != "data") continue;
    // (A line may come in two events: count a session once its line is whole.)
    auto& o = outputs[session_payload_id(*ev)];
    const bool before = contains(o.bytes, "ok-" + session_payload_id(*ev) + "\r\n");
    o.bytes += ev->payload;
    if (!before && contains(o.bytes, "ok-" + session_payload_id(*ev) + "\r\n")) ++echoed;
  }
  EXPECT_EQ(echoed, kSessions);
  for (int i = 0; i < kSessions; ++i)
    ASSERT_TRUE(ok(c.request("killSession", json::object{{"sessionId", "s" + std::to_string(i)}})));
  while (exited < kSessions) {
    auto ev = c.next_event(30s);
    ASSERT_TRUE(ev) << exited << " of " << kSessions << " exits";
    if (ev->json.at("event").as_string() == "exit") ++exited;
  }
  for (int i = 0; i < kSessions; ++i)
    ASSERT_TRUE(ok(c.request("killSession", json::object{{"sessionId", "s" + std::to_string(i)}})));
  EXPECT_TRUE(list(c).empty());
  // No fd and no child left behind.
  EXPECT_TRUE(wait_until([&] { return children_of(f.process->pid()).empty(); }, 10s));
  EXPECT_TRUE(wait_until([&] { return count_fds(f.process->pid()) <= baseline_fds; }, 10s))
      << count_fds(f.process->pid()) << " fds, " << baseline_fds << " before";
}

TEST(Supervisor, LiveSupervisorIsNotReplaced) {
  SupervisorFixture f;
  Process second(supervisor_binary(), {"--state-dir", f.dir.path()});
  auto status = second.wait(20s);
  ASSERT_TRUE(status);
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 1);
  EXPECT_TRUE(contains(second.log(), "already serving")) << second.log();
  SupervisorClient c(f.socket());  // the first one still answers
  EXPECT_TRUE(ok(c.hello()));
}

TEST(Supervisor, SigtermHangsUpSessionsAndExitsZero) {
  SupervisorFixture f;
  int shell_pid;
  {
    SupervisorClient c(f.socket());
    c.hello();
    auto r = c.request("createSession", create_payload("s"));
    shell_pid = static_cast<int>(r.at("payload").at("pid").as_int64());
  }
  f.process->signal(SIGTERM);
  auto status = f.process->wait(20s);
  ASSERT_TRUE(status);
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << f.process->log();
  EXPECT_NE(::kill(shell_pid, 0), 0);  // the shell is gone
  EXPECT_FALSE(path_exists(f.socket()));
  EXPECT_FALSE(path_exists(f.dir.path() + "/pty-supervisor.pid"));
}

TEST(Supervisor, DetachedRunsInTheBackgroundWithItsOwnLog) {
  TempDir dir;
  Process launcher(supervisor_binary(), {"--state-dir", dir.path(), "-d"});
  auto status = launcher.wait(20s);
  ASSERT_TRUE(status);
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
  const std::string pid_file = dir.path() + "/pty-supervisor.pid";
  ASSERT_TRUE(
      wait_until([&] { return path_exists(pid_file) && !read_file(pid_file).empty(); }, 20s));
  const int pid = std::stoi(read_file(pid_file));
  EXPECT_NE(pid, launcher.pid());
  // A session of its own (not a leader, so it never gains a terminal).
  EXPECT_NE(::getsid(pid), ::getsid(0));
  EXPECT_NE(::getsid(pid), pid);
  SupervisorClient c(dir.path() + "/pty-supervisor.sock");
  EXPECT_TRUE(ok(c.hello()));
  EXPECT_TRUE(wait_until(
      [&] { return contains(read_file(dir.path() + "/pty-supervisor.log"), "listening on"); },
      10s));
  ::kill(pid, SIGTERM);
  EXPECT_TRUE(wait_until([&] { return ::kill(pid, 0) != 0; }, 20s));
}

TEST(Supervisor, NotifiesSystemdWhenReady) {
  TempDir dir;
  NotifySocket notify(dir.path() + "/notify.sock");
  Process p(supervisor_binary(), {"--state-dir", dir.path() + "/state"},
            {{"NOTIFY_SOCKET", notify.path()}});
  const auto ready = notify.receive(20s);
  ASSERT_TRUE(ready) << p.log();
  EXPECT_EQ(*ready, "READY=1");
  // By then it answers.
  SupervisorClient c(dir.path() + "/state/pty-supervisor.sock");
  EXPECT_TRUE(ok(c.hello()));
}

TEST(Supervisor, TerminalQueriesGetExactlyOneAnswer) {
  SupervisorFixture f;
  SupervisorClient c(f.socket());
  c.hello();
  // Asks for the cursor position, prints the answer, then checks for a second one.
  const std::string program =
      "stty raw -echo; printf '\\033[6n'; IFS= read -r -d R -t 5 a; printf '[%s]' \"${a#?}\"; "
      "IFS= read -r -d R -t 1 b && printf extra; printf done";
  // Nobody attached: the supervisor's emulator answers.
  ASSERT_TRUE(ok(c.request("createSession", create_payload("alone", program))));
  ASSERT_TRUE(wait_until([&] { return !list(c)[0].isAlive; }, 20s));
  c.drop_events("alone");  // its exit, sent to every connection since nobody was attached
  ASSERT_TRUE(
      ok(c.request("attachSession", json::object{{"sessionId", "alone"}, {"fromOffset", 0}})));
  Output alone;
  ASSERT_TRUE(collect(
      c, "alone", alone, [](const Output& o) { return o.exit.has_value(); }, 10s));
  EXPECT_TRUE(contains(alone.bytes, "[[1;1]done")) << testing::PrintToString(alone.bytes);
  EXPECT_FALSE(contains(alone.bytes, "extra"));

  // Attached: the attached terminal (here the test) answers, the emulator does not.
  ASSERT_TRUE(ok(c.request("createSession", create_payload("watched", "read x; " + program))));
  ASSERT_TRUE(
      ok(c.request("attachSession", json::object{{"sessionId", "watched"}, {"fromOffset", 0}})));
  ASSERT_TRUE(ok(c.request("write", json::object{{"sessionId", "watched"}}, "\n")));
  Output watched;
  ASSERT_TRUE(collect(
      c, "watched", watched, [](const Output& o) { return contains(o.bytes, "\x1b[6n"); }, 10s));
  ASSERT_TRUE(ok(c.request("write", json::object{{"sessionId", "watched"}}, "\x1b[5;7R")));
  ASSERT_TRUE(collect(
      c, "watched", watched, [](const Output& o) { return o.exit.has_value(); }, 10s));
  EXPECT_TRUE(contains(watched.bytes, "[[5;7]done")) << watched.bytes;
  EXPECT_FALSE(contains(watched.bytes, "extra"));
}
