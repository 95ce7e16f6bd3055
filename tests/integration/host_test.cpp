// terminal-host against the real pty-supervisor and real shells: a
// conformance suite for the desktop app's protocol (version 2, every row of
// shared/reference/superset-terminal-host-v2.md), restarts without loss, and
// the behaviour a careful user of a desktop terminal expects.

#include "host_client.hpp"
#include "utf8_sequence.hpp"

#include "emulator/emulator.hpp"

#include <ptyctl/proto/envelope.hpp>
#include <ptyctl/proto/snapshot.hpp>
#include <ptyctl/proto/utf8.hpp>

#include <gtest/gtest.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <random>
#include <set>

using namespace ptyctl;
using namespace ptyctl::test;
namespace json = boost::json;

namespace {

// A session as the app asks for one. Tests run an rc-less bash through the
// reference's `command` (the shell runs it with -c).
json::object attach_payload(const std::string& id,
                            const std::string& command = "exec /bin/bash --norc --noprofile") {
  return json::object{{"sessionId", id},      {"cols", 80},         {"rows", 24},
                      {"workspaceId", "ws"},  {"paneId", "pane-1"}, {"tabId", "tab-1"},
                      {"shell", "/bin/bash"}, {"command", command}};
}

// From offset 0: everything the program printed comes as data (without it,
// output between create and attach is in the snapshot).
json::object from_start(json::object p) {
  p["resumeFrom"] = 0;
  return p;
}

json::object hello_payload(const std::string& token, int version, const std::string& client,
                           const std::string& role) {
  return json::object{
      {"token", token}, {"protocolVersion", version}, {"clientId", client}, {"role", role}};
}

std::optional<json::object> ask(LineSocket& s, const std::string& id, const std::string& type,
                                json::value payload = nullptr) {
  json::object m{{"id", id}, {"type", type}};
  if (!payload.is_null()) m["payload"] = std::move(payload);
  s.send(m);
  return s.response(id, 20s);
}

std::vector<json::object> sessions(HostClient& c) {
  std::vector<json::object> out;
  const json::object r = c.request("listSessions");
  for (const auto& s : r.at("payload").at("sessions").as_array())
    out.push_back(s.as_object());
  return out;
}

std::optional<json::object> find_session(HostClient& c, const std::string& id) {
  for (auto& s : sessions(c))
    if (s.at("sessionId").as_string() == id) return s;
  return std::nullopt;
}

bool until_text(HostClient& c, const std::string& sid, Received& out, std::string_view text,
                std::chrono::milliseconds timeout = 20s) {
  return c.collect(
      sid, out, [&](const Received& r) { return contains(r.bytes, text); }, timeout);
}

bool until_exit(HostClient& c, const std::string& sid, Received& out,
                std::chrono::milliseconds timeout = 60s) {
  return c.collect(
      sid, out, [](const Received& r) { return r.exit.has_value(); }, timeout);
}

// A child process of `shell_pid` running `comm` (e.g. "sleep").
bool has_child_named(int shell_pid, const std::string& comm) {
  for (int child : children_of(shell_pid))
    if (read_file("/proc/" + std::to_string(child) + "/comm") == comm + "\n") return true;
  return false;
}

int pid_of(const json::object& create_response) {
  return static_cast<int>(create_response.at("payload").at("pid").as_int64());
}

mode_t mode_of(const std::string& path) {
  struct stat st {};
  ::stat(path.c_str(), &st);
  return st.st_mode & 0777;
}

}  // namespace

// --- conformance: hello ---------------------------------------------------------

TEST(HostProtocol, HelloAnswersAndEveryRefusal) {
  HostFixture f;
  EXPECT_EQ(mode_of(f.dir.path()), 0700u);
  EXPECT_EQ(mode_of(f.socket()), 0600u);
  EXPECT_EQ(mode_of(f.dir.path() + "/terminal-host.token"), 0600u);
  const std::string token = f.token();
  ASSERT_EQ(token.size(), 64u);
  EXPECT_EQ(token.find_first_not_of("0123456789abcdef"), std::string::npos);

  LineSocket s(f.socket());
  EXPECT_EQ(error_code(ask(s, "r1", "listSessions")), "NOT_AUTHENTICATED");
  // The version is checked before the token.
  EXPECT_EQ(error_code(ask(s, "h1", "hello", hello_payload("wrong", 1, "c", "control"))),
            "PROTOCOL_MISMATCH");
  EXPECT_EQ(error_code(ask(s, "h2", "hello", hello_payload("wrong", 2, "c", "control"))),
            "AUTH_FAILED");
  EXPECT_EQ(error_code(ask(s, "h3", "hello", hello_payload(token, 2, "", "control"))),
            "INVALID_HELLO");
  EXPECT_EQ(error_code(ask(s, "h4", "hello", hello_payload(token, 2, "c", "viewer"))),
            "INVALID_HELLO");
  // A line that is not JSON gets no answer; the next one is served.
  s.send_raw("{this is not json\n\n");
  auto hello = ask(s, "h5", "hello", hello_payload(token, 2, "c", "control"));
  ASSERT_EQ(error_code(hello), "OK");
  EXPECT_EQ(hello->at("payload").at("protocolVersion").as_int64(), 2);
  EXPECT_EQ(hello->at("payload").at("daemonVersion").as_string(), "0.1.0");
  EXPECT_EQ(hello->at("payload").at("daemonPid").as_int64(), f.process->pid());
  EXPECT_EQ(error_code(ask(s, "r2", "noSuchRequest", json::object{})), "UNKNOWN_REQUEST");
  // No stream socket yet for client "c".
  EXPECT_EQ(error_code(ask(s, "r3", "createOrAttach", attach_payload("x"))),
            "STREAM_NOT_CONNECTED");

  // The hello answer is the first line a stream socket receives; requests
  // there are refused.
  LineSocket st(f.socket());
  st.send(proto::make_request("sh", "hello", hello_payload(token, 2, "c", "stream")));
  auto first = st.next(20s);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->at("id").as_string(), "sh");
  EXPECT_TRUE(ok(*first));
  EXPECT_EQ(error_code(ask(st, "r4", "listSessions")), "INVALID_ROLE");
  EXPECT_EQ(error_code(ask(s, "r5", "createOrAttach", attach_payload("x"))), "OK");

  // A second control socket for the same client replaces the first.
  LineSocket s2(f.socket());
  EXPECT_EQ(error_code(ask(s2, "h6", "hello", hello_payload(token, 2, "c", "control"))), "OK");
  EXPECT_FALSE(s.next(20s));  // closed
  EXPECT_TRUE(s.closed_by_peer());

  // A line over the limit (16 MiB) is refused and that socket closed.
  LineSocket big(f.socket());
  const std::string chunk(1024 * 1024, 'x');
  for (int i = 0; i < 17; ++i)  // the server may close before it has all
    if (::send(big.fd(), chunk.data(), chunk.size(), MSG_NOSIGNAL) < 0) break;
  auto refusal = big.next(20s);
  EXPECT_EQ(error_code(refusal), "LINE_TOO_LONG");
  EXPECT_FALSE(big.next(20s));
  EXPECT_EQ(error_code(ask(s2, "r6", "listSessions")), "OK");  // others go on
}

TEST(HostProtocol, AnotherUidIsRefused) {
  HostFixture f;
  ASSERT_EQ(::chmod(f.dir.path().c_str(), 0711), 0);
  ASSERT_EQ(::chmod(f.socket().c_str(), 0666), 0);
  const int status = run_as_nobody([&] {
    LineSocket other(f.socket());
    auto line = other.next(10s);
    if (!line || error_code(*line) != "PERMISSION_DENIED") return 1;
    if (other.next(10s)) return 2;  // must be closed
    return 0;
  });
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
  HostClient c(f.socket(), f.token());
  EXPECT_TRUE(ok(c.request("listSessions")));
}

// --- conformance: requests ------------------------------------------------------

namespace {
// One session "s1" made by createOrAttach, its stream read into `out`.
struct OneSession {
  HostFixture f;
  HostClient c{f.socket(), f.token()};
  json::object created = c.request("createOrAttach", attach_payload("s1"));
  int pid = ok(created) ? pid_of(created) : -1;
  Received out;

  bool write(const std::string& data) {
    return ok(c.request("write", json::object{{"sessionId", "s1"}, {"data", data}}));
  }
  ::testing::AssertionResult shows(const std::string& text) {
    if (until_text(c, "s1", out, text)) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "no " << text << " in " << out.bytes << "\n"
                                         << f.process->log();
  }
};
}  // namespace

TEST(HostRequests, CreateOrAttachAnswersANewSession) {
  OneSession s;
  ASSERT_TRUE(ok(s.created)) << json::serialize(s.created);
  const auto& p = s.created.at("payload");
  EXPECT_TRUE(p.at("isNew").as_bool());
  EXPECT_FALSE(p.at("wasRecovered").as_bool());
  EXPECT_GT(s.pid, 0);
  const auto snap = json::value_to<proto::Snapshot>(p.at("snapshot"));
  EXPECT_EQ(snap.cols, 80);
  EXPECT_EQ(snap.rows, 24);
  EXPECT_TRUE(contains(snap.rehydrateSequences, "\x1b[?25h"));
  EXPECT_TRUE(snap.modes.autoWrap);
  EXPECT_FALSE(p.as_object().contains("resumed"));  // only answered to resumeFrom
  EXPECT_EQ(error_code(s.c.request("createOrAttach", json::object{{"sessionId", "bad"}})),
            "INVALID_PAYLOAD");
}

TEST(HostRequests, WriteReachesTheProgramAndANotifyWriteHasNoResponse) {
  OneSession s;
  ASSERT_TRUE(ok(s.created));
  ASSERT_TRUE(s.write("echo hi-$((6*7))\n"));
  EXPECT_TRUE(s.shows("hi-42"));
  // notify_ write: no response, the data still arrives.
  const std::string note_id = s.c.send(
      "write", json::object{{"sessionId", "s1"}, {"data", "echo note-$((2+3))\n"}}, "notify_");
  EXPECT_TRUE(s.shows("note-5"));
  EXPECT_TRUE(ok(s.c.request("listSessions")));  // answered after the write was done
  EXPECT_FALSE(s.c.control.response(note_id, 300ms)) << "a notify_ write got a response";
  // Keystrokes past the 1024 terminal-host keeps unanswered (then one is
  // sent with an answer, which settles them): every one arrives, in order.
  ASSERT_TRUE(s.write("stty raw -echo; cat\n"));
  std::string typed;
  for (int i = 0; i < 1500; ++i) {
    const std::string key(1, static_cast<char>('a' + i % 26));
    typed += key;
    s.c.send("write", json::object{{"sessionId", "s1"}, {"data", key}}, "notify_");
  }
  EXPECT_TRUE(s.shows(typed));
  EXPECT_TRUE(ok(s.c.request("listSessions")));
}

TEST(HostRequests, ResizeReachesTheProgramAndOfAnUnknownSessionSucceeds) {
  OneSession s;
  ASSERT_TRUE(ok(s.created));
  ASSERT_TRUE(
      ok(s.c.request("resize", json::object{{"sessionId", "s1"}, {"cols", 100}, {"rows", 30}})));
  ASSERT_TRUE(s.write("echo cols=$(tput cols)\n"));
  EXPECT_TRUE(s.shows("cols=100"));
  // As in the app's daemon.
  EXPECT_TRUE(
      ok(s.c.request("resize", json::object{{"sessionId", "nope"}, {"cols", 10}, {"rows", 5}})));
}

TEST(HostRequests, CreateOrAttachAgainRecoversTheSameSession) {
  OneSession s;
  ASSERT_TRUE(ok(s.created));
  ASSERT_TRUE(s.write("echo first\n"));
  ASSERT_TRUE(s.shows("first"));
  auto again = s.c.request("createOrAttach", attach_payload("s1"));
  ASSERT_TRUE(ok(again));
  EXPECT_FALSE(again.at("payload").at("isNew").as_bool());
  EXPECT_TRUE(again.at("payload").at("wasRecovered").as_bool());
  EXPECT_EQ(pid_of(again), s.pid);
  // Data from the new snapshot's offset: what is older and still unread in
  // the stream socket is skipped, as a client must.
  s.out = Received{};
  s.out.started = true;
  s.out.next = again.at("payload").at("snapshot").at("offset").to_number<std::uint64_t>();
  ASSERT_TRUE(s.write("echo second\n"));
  EXPECT_TRUE(s.shows("second"));
}

TEST(HostRequests, SignalInterruptsTheForegroundAndAnUnknownOneIsRefused) {
  OneSession s;
  ASSERT_TRUE(ok(s.created));
  ASSERT_TRUE(s.write("sleep 100\n"));
  ASSERT_TRUE(wait_until([&] { return has_child_named(s.pid, "sleep"); }, 20s));
  ASSERT_TRUE(ok(s.c.request("signal", json::object{{"sessionId", "s1"}, {"signal", "SIGINT"}})));
  EXPECT_TRUE(wait_until([&] { return !has_child_named(s.pid, "sleep"); }, 20s));
  // (A list after the interrupted command would be abandoned, as at a real
  // terminal: the status is asked for by the next command line.)
  ASSERT_TRUE(s.write("echo rc=$?\n"));
  EXPECT_TRUE(s.shows("rc=130"));
  EXPECT_EQ(
      error_code(s.c.request("signal", json::object{{"sessionId", "s1"}, {"signal", "SIGNOPE"}})),
      "INVALID_SIGNAL");
}

TEST(HostRequests, DetachThenResumeFromContinuesExactly) {
  OneSession s;
  ASSERT_TRUE(ok(s.created));
  ASSERT_TRUE(s.write("echo before\n"));
  ASSERT_TRUE(s.shows("\rbefore\r\n"));
  ASSERT_TRUE(ok(s.c.request("detach", json::object{{"sessionId", "s1"}})));
  ASSERT_TRUE(s.write("echo while-away\n"));
  ASSERT_TRUE(wait_until(
      [&] {
        auto l = find_session(s.c, "s1");
        return l && l->at("offset").to_number<std::uint64_t>() > s.out.next + 30;
      },
      20s));
  auto back = s.c.request("createOrAttach", [&] {
    auto a = attach_payload("s1");
    a["resumeFrom"] = s.out.next;
    return a;
  }());
  ASSERT_TRUE(ok(back));
  EXPECT_TRUE(back.at("payload").at("resumed").as_bool());
  EXPECT_TRUE(s.shows("\rwhile-away\r\n"));  // collect() checks continuity
  EXPECT_EQ(error_code(s.c.request("detach", json::object{{"sessionId", "zzz"}})), "OK");
}

TEST(HostRequests, ListSessionsHasEveryField) {
  OneSession s;
  ASSERT_TRUE(ok(s.created));
  auto listed = find_session(s.c, "s1");
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->at("workspaceId").as_string(), "ws");
  EXPECT_EQ(listed->at("paneId").as_string(), "pane-1");
  EXPECT_TRUE(listed->at("isAlive").as_bool());
  EXPECT_EQ(listed->at("attachedClients").as_int64(), 1);
  EXPECT_EQ(listed->at("pid").as_int64(), s.pid);
  EXPECT_EQ(listed->at("shell").as_string(), "/bin/bash");
  const std::string created_at(listed->at("createdAt").as_string());
  EXPECT_EQ(created_at.size(), 24u) << created_at;  // 2026-11-22T03:04:05.678Z
  EXPECT_EQ(created_at.back(), 'Z');
  EXPECT_TRUE(listed->contains("lastAttachedAt"));
}

TEST(HostRequests, ClearScrollbackEmptiesIt) {
  OneSession s;
  ASSERT_TRUE(ok(s.created));
  ASSERT_TRUE(s.write("seq 1 100\n"));
  ASSERT_TRUE(s.shows("\n99\r\n100\r\n"));
  auto before = s.c.request("getSnapshot", json::object{{"sessionId", "s1"}});
  ASSERT_TRUE(ok(before));
  EXPECT_GT(before.at("payload").at("snapshot").at("scrollbackLines").as_int64(), 0);
  ASSERT_TRUE(ok(s.c.request("clearScrollback", json::object{{"sessionId", "s1"}})));
  auto after = s.c.request("getSnapshot", json::object{{"sessionId", "s1"}});
  ASSERT_TRUE(ok(after));
  EXPECT_EQ(after.at("payload").at("snapshot").at("scrollbackLines").as_int64(), 0);
}

TEST(HostRequests, KillEndsItAndWhatFollowsIsAnsweredAsTheAppsDaemonDoes) {
  OneSession s;
  ASSERT_TRUE(ok(s.created));
  // kill → success at once, then the exit event.
  ASSERT_TRUE(ok(s.c.request("kill", json::object{{"sessionId", "s1"}})));
  ASSERT_TRUE(until_exit(s.c, "s1", s.out));
  EXPECT_EQ(s.out.exit->at("signal").as_int64(), SIGHUP);
  EXPECT_TRUE(ok(s.c.request("kill", json::object{{"sessionId", "never-was"}})));
  // A write to an ended or unknown session fails with WRITE_FAILED.
  EXPECT_EQ(error_code(s.c.request("write", json::object{{"sessionId", "s1"}, {"data", "x"}})),
            "WRITE_FAILED");
  EXPECT_EQ(error_code(s.c.request("write", json::object{{"sessionId", "zzz"}, {"data", "x"}})),
            "WRITE_FAILED");
  EXPECT_EQ(error_code(s.c.request("cancelCreateOrAttach",
                                   json::object{{"sessionId", "zzz"}, {"requestId", "r"}})),
            "OK");
}

TEST(HostProtocol, NotifyWriteFailureIsAnErrorEvent) {
  HostFixture f;
  HostClient c(f.socket(), f.token());
  c.send("write", json::object{{"sessionId", "nosuch"}, {"data", "x"}}, "notify_");
  auto ev = c.next_event(20s);
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->at("event").as_string(), "error");
  EXPECT_EQ(ev->at("sessionId").as_string(), "nosuch");
  EXPECT_EQ(ev->at("payload").at("type").as_string(), "error");
  EXPECT_EQ(ev->at("payload").at("code").as_string(), "WRITE_FAILED");
}

TEST(HostProtocol, SpawnFailureIsCreateAttachFailed) {
  HostFixture f;
  HostClient c(f.socket(), f.token());
  auto p = attach_payload("nowhere");
  p["cwd"] = "/no/such/directory";
  EXPECT_EQ(error_code(c.request("createOrAttach", p)), "CREATE_ATTACH_FAILED");
}

TEST(HostProtocol, UnwatchedExitGoesToEveryStreamKillAllAndShutdown) {
  HostFixture f;
  HostClient a(f.socket(), f.token());
  HostClient b(f.socket(), f.token());
  ASSERT_TRUE(ok(a.request("createOrAttach", attach_payload("u", "sleep 1000"))));
  ASSERT_TRUE(ok(a.request("detach", json::object{{"sessionId", "u"}})));
  ASSERT_TRUE(ok(a.request("kill", json::object{{"sessionId", "u"}})));
  for (HostClient* c : {&a, &b}) {
    Received r;
    ASSERT_TRUE(until_exit(*c, "u", r, 20s));
  }

  // killAll: every session ends.
  ASSERT_TRUE(ok(a.request("createOrAttach", attach_payload("k1", "sleep 1000"))));
  ASSERT_TRUE(ok(a.request("createOrAttach", attach_payload("k2", "sleep 1000"))));
  ASSERT_TRUE(ok(a.request("killAll", json::object{})));
  // Both exits, in whichever order they come.
  std::set<std::string> ended;
  const auto deadline = Clock::now() + 20s;
  while (ended.size() < 2 && Clock::now() < deadline) {
    auto ev = a.next_event(20s);
    ASSERT_TRUE(ev) << ended.size() << " exits";
    if (ev->at("event").as_string() == "exit")
      ended.insert(std::string(ev->at("sessionId").as_string()));
  }
  EXPECT_EQ(ended, (std::set<std::string>{"k1", "k2"}));
  for (auto& s : sessions(a))
    EXPECT_FALSE(s.at("isAlive").as_bool()) << json::serialize(s);

  // shutdown (sessions kept): the daemon exits 0; the session lives on.
  auto keep = a.request("createOrAttach", attach_payload("keep", "sleep 1000"));
  ASSERT_TRUE(ok(keep));
  ASSERT_TRUE(ok(a.request("shutdown", json::object{{"killSessions", false}})));
  auto status = f.process->wait(20s);
  ASSERT_TRUE(status);
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << f.process->log();
  EXPECT_EQ(::kill(pid_of(keep), 0), 0);
  f.restart();
  HostClient c(f.socket(), f.token());
  auto s = find_session(c, "keep");
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->at("isAlive").as_bool());
  // shutdown with killSessions: they end too.
  ASSERT_TRUE(ok(c.request("shutdown", json::object{{"killSessions", true}})));
  ASSERT_TRUE(f.process->wait(20s));
  EXPECT_TRUE(wait_until([&] { return ::kill(pid_of(keep), 0) != 0; }, 20s));
}

// --- restarts -----------------------------------------------------------------------

TEST(HostRestart, TwentySigkillsLoseAndRepeatNothing) {
  // A ring large enough for the output produced while the daemon is down.
  HostFixture f({}, {"--ring-size", std::to_string(64u * 1024 * 1024)});
  const std::string program =
      "for i in $(seq 0 199); do seq $((i*10000+1)) $((i*10000+10000)); sleep 0.05; done";
  const std::string expected = seq_output(1, 2000000);
  std::mt19937 gen(20261122);
  Received out;
  auto client = std::make_unique<HostClient>(f.socket(), f.token());
  auto first = client->request("createOrAttach", [&] {
    auto a = attach_payload("seq", program);
    a["resumeFrom"] = 0;
    return a;
  }());
  ASSERT_TRUE(ok(first)) << json::serialize(first);
  ASSERT_TRUE(first.at("payload").at("resumed").as_bool());
  int resumed_mid_output = 0;
  for (int kill = 0; kill < 20; ++kill) {
    const auto pause = std::chrono::milliseconds(50 + gen() % 350);
    const auto until = Clock::now() + pause;
    client->collect(
        "seq", out, [&](const Received&) { return Clock::now() >= until; }, pause);
    f.process->signal(SIGKILL);
    ASSERT_TRUE(f.process->wait(20s));
    client.reset();
    f.restart();
    client = std::make_unique<HostClient>(f.socket(), f.token());
    auto a = attach_payload("seq", program);
    a["resumeFrom"] = out.next;
    auto r = client->request("createOrAttach", a);
    ASSERT_TRUE(ok(r)) << json::serialize(r);
    EXPECT_FALSE(r.at("payload").at("isNew").as_bool());
    EXPECT_TRUE(r.at("payload").at("resumed").as_bool()) << "at offset " << out.next;
    if (!out.exit && out.next < expected.size()) ++resumed_mid_output;
  }
  ASSERT_TRUE(until_exit(*client, "seq", out, 120s));
  EXPECT_EQ(out.stale, 0) << "events repeated on a new connection";
  EXPECT_EQ(out.bytes.size(), expected.size());
  EXPECT_TRUE(out.bytes == expected) << "the output differs from seq's";
  EXPECT_EQ(out.exit->at("exitCode").as_int64(), 0);
  EXPECT_GE(resumed_mid_output, 10) << "the program ended before most restarts";
}

TEST(HostRestart, ShellsSurviveASigkill) {
  HostFixture f;
  std::map<std::string, int> pids;
  {
    HostClient c(f.socket(), f.token());
    for (int i = 0; i < 10; ++i) {
      const std::string id = "sleeper-" + std::to_string(i);
      auto r = c.request("createOrAttach", attach_payload(id, "sleep 1000"));
      ASSERT_TRUE(ok(r));
      pids[id] = pid_of(r);
    }
  }
  f.process->signal(SIGKILL);
  ASSERT_TRUE(f.process->wait(20s));
  f.restart();
  HostClient c(f.socket(), f.token());
  std::map<std::string, int> after;
  for (auto& s : sessions(c)) {
    EXPECT_TRUE(s.at("isAlive").as_bool());
    after[std::string(s.at("sessionId").as_string())] = static_cast<int>(s.at("pid").as_int64());
  }
  EXPECT_EQ(after, pids);
}

TEST(HostRestart, SupervisorItStartedSurvivesCtrlCOnItsGroup) {
  HostFixture f;
  int shell;
  {
    HostClient c(f.socket(), f.token());
    auto r = c.request("createOrAttach", attach_payload("s", "sleep 1000"));
    ASSERT_TRUE(ok(r));
    shell = pid_of(r);
  }
  const int sup = f.supervisor_pid();
  ASSERT_GT(sup, 0);
  EXPECT_NE(::getpgid(sup), ::getpgid(f.process->pid()));
  EXPECT_NE(::getsid(sup), ::getsid(f.process->pid()));
  // What a Ctrl-C on the terminal running terminal-host in the foreground does.
  ASSERT_EQ(::kill(-::getpgid(f.process->pid()), SIGINT), 0);
  auto status = f.process->wait(20s);
  ASSERT_TRUE(status);
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
  EXPECT_EQ(::kill(sup, 0), 0) << "the supervisor died with terminal-host";
  EXPECT_EQ(::kill(shell, 0), 0);
  f.restart();
  HostClient c(f.socket(), f.token());
  auto s = find_session(c, "s");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->at("pid").as_int64(), shell);
  EXPECT_EQ(f.supervisor_pid(), sup);
}

TEST(HostRestart, ALostSupervisorConnectionIsRemadeWithoutLoss) {
  HostFixture f;
  HostClient a(f.socket(), f.token());
  HostClient b(f.socket(), f.token());
  const std::string program =
      "stty -echo; printf R; read x; for i in $(seq 0 59); do seq $((i*2000+1)) $((i*2000+2000)); "
      "sleep 0.05; done";
  ASSERT_TRUE(ok(a.request("createOrAttach", from_start(attach_payload("s", program)))));
  Received ra, rb;
  ASSERT_TRUE(until_text(a, "s", ra, "R"));  // echo is off
  // b attaches now: R is in its snapshot, the rest comes as data.
  ASSERT_TRUE(ok(b.request("createOrAttach", attach_payload("s", program))));
  ASSERT_TRUE(ok(a.request("write", json::object{{"sessionId", "s"}, {"data", "\n"}})));
  // Drop terminal-host's supervisor connection (SIGUSR1) five times while
  // the output runs: both viewers must still see one unbroken stream.
  for (int i = 0; i < 5; ++i) {
    const std::size_t want = 100000u * (i + 1);
    ASSERT_TRUE(a.collect(
        "s", ra, [&](const Received& r) { return r.bytes.size() > want; }, 30s));
    f.process->signal(SIGUSR1);
  }
  ASSERT_TRUE(until_exit(a, "s", ra, 60s)) << f.process->log();
  ASSERT_TRUE(until_exit(b, "s", rb, 60s));
  const std::string expected = "R" + seq_output(1, 120000);
  EXPECT_TRUE(ra.bytes == expected) << ra.bytes.size() << " vs " << expected.size();
  EXPECT_TRUE("R" + rb.bytes == expected) << rb.bytes.size() << " vs " << expected.size();
  EXPECT_TRUE(contains(f.process->log(), "resubscribed session s")) << f.process->log();
}

TEST(HostRestart, ADeadSupervisorIsReplacedAndItsViewersTold) {
  HostFixture f;
  HostClient c(f.socket(), f.token());
  ASSERT_TRUE(ok(c.request("createOrAttach", attach_payload("doomed", "sleep 1000"))));
  const int first = f.supervisor_pid();
  ASSERT_EQ(::kill(first, SIGKILL), 0);
  // terminal-host notices, starts a new supervisor, and tells the viewer.
  Received r;
  ASSERT_TRUE(until_exit(c, "doomed", r, 30s)) << f.process->log();
  EXPECT_EQ(r.exit->at("signal").as_int64(), SIGHUP);
  ASSERT_TRUE(wait_until([&] { return f.supervisor_pid() != first; }, 30s));
  auto again = c.request("createOrAttach", attach_payload("fresh"));
  ASSERT_TRUE(ok(again)) << json::serialize(again);
  EXPECT_TRUE(again.at("payload").at("isNew").as_bool());
}

// --- several clients, slow clients ----------------------------------------------

TEST(HostClients, TwoViewersGetEveryByteAndAStalledOneBlocksNobody) {
  HostFixture f({"--stream-queue-mib", "4"});
  HostClient a(f.socket(), f.token());
  HostClient b(f.socket(), f.token());
  const std::string program =
      "stty -echo; printf R; read x; seq 1 200000; read y; yes flood-line | head -n 2500000";
  const auto first = a.request("createOrAttach", from_start(attach_payload("flood", program)));
  ASSERT_TRUE(ok(first));
  // Echo is off once R shows (a newline typed earlier would be echoed).
  Received ra, rb;
  ASSERT_TRUE(until_text(a, "flood", ra, "R"));
  // b attaches now: R is in its snapshot, the rest comes as data.
  auto second = b.request("createOrAttach", attach_payload("flood", program));
  ASSERT_TRUE(ok(second));
  EXPECT_FALSE(second.at("payload").at("isNew").as_bool());
  // Its record comes from the supervisor though terminal-host was subscribed.
  EXPECT_TRUE(second.at("payload").at("wasRecovered").as_bool());
  EXPECT_EQ(pid_of(second), pid_of(first));
  EXPECT_EQ(second.at("payload").at("snapshot").at("offset").as_int64(), 1);
  ASSERT_TRUE(ok(a.request("write", json::object{{"sessionId", "flood"}, {"data", "\n"}})));
  const std::string expected = "R" + seq_output(1, 200000);
  ASSERT_TRUE(until_text(a, "flood", ra, "\r\n200000\r\n", 60s));
  ASSERT_TRUE(until_text(b, "flood", rb, "\r\n200000\r\n", 60s));
  EXPECT_TRUE(ra.bytes == expected);
  EXPECT_TRUE("R" + rb.bytes == expected);

  // b stops reading; a keeps receiving; a third client is answered at once.
  ASSERT_TRUE(ok(a.request("write", json::object{{"sessionId", "flood"}, {"data", "\n"}})));
  ASSERT_TRUE(a.collect(
      "flood", ra, [](const Received& r) { return r.bytes.size() > 10'000'000; }, 60s));
  HostClient c(f.socket(), f.token());
  const auto t0 = Clock::now();
  EXPECT_TRUE(ok(c.request("createOrAttach", attach_payload("other", "sleep 1000"))));
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0);
  EXPECT_LT(took.count(), 3000) << "createOrAttach waited " << took.count() << " ms";
  ASSERT_TRUE(until_exit(a, "flood", ra, 120s));
  EXPECT_EQ(ra.bytes.size(), expected.size() + 2500000u * 12);
  // The stalled stream socket was disconnected, with a reason in the log.
  bool closed = false;
  for (int i = 0; i < 100000 && !closed; ++i) {
    if (!b.stream.next(20s)) closed = b.stream.closed_by_peer();
  }
  EXPECT_TRUE(closed);
  EXPECT_TRUE(contains(f.process->log(), "stopped reading")) << f.process->log();
  // Its client comes back and resumes by offset.
  HostClient b2(f.socket(), f.token(), b.client_id());
  auto again = attach_payload("flood", program);
  again["resumeFrom"] = rb.next;
  auto r = b2.request("createOrAttach", again);
  ASSERT_TRUE(ok(r));
}

// --- snapshot consistency and text -------------------------------------------------

TEST(HostSnapshot, SnapshotAtAttachPlusDataReproducesTheScreen) {
  HostFixture f;
  HostClient a(f.socket(), f.token());
  ASSERT_TRUE(
      ok(a.request("createOrAttach", attach_payload("s",
                                                    "stty -echo; read x; seq 1 200000; read z; "
                                                    "seq 200001 300000; read y"))));
  ASSERT_TRUE(ok(a.request("write", json::object{{"sessionId", "s"}, {"data", "\n"}})));
  ASSERT_TRUE(wait_until(
      [&] {
        auto s = find_session(a, "s");
        return s && s->at("offset").to_number<std::uint64_t>() > 100000;
      },
      30s));
  // A second client attaches while the first half runs (or once it is out: the
  // PTY may be read faster than this client connects); the second half comes
  // after the attach either way, so its data ends with 300000.
  HostClient late(f.socket(), f.token());
  auto r = late.request("createOrAttach", attach_payload("s"));
  ASSERT_TRUE(ok(r));
  const auto snap = json::value_to<proto::Snapshot>(r.at("payload").at("snapshot"));
  ASSERT_TRUE(ok(a.request("write", json::object{{"sessionId", "s"}, {"data", "\n"}})));
  Received out;
  ASSERT_TRUE(until_text(late, "s", out, "\n300000\r\n", 60s));
  auto first_offset_ok = out.next - out.bytes.size() == snap.offset;
  EXPECT_TRUE(first_offset_ok) << "data must start at the snapshot's offset";
  emu::Emulator screen(snap.cols, snap.rows);
  screen.feed(snap.rehydrateSequences);
  screen.feed(snap.snapshotAnsi);
  screen.feed(out.bytes);
  auto final_snap = late.request("getSnapshot", json::object{{"sessionId", "s"}});
  const auto expected = json::value_to<proto::Snapshot>(final_snap.at("payload").at("snapshot"));
  ASSERT_EQ(expected.offset, out.next);
  EXPECT_EQ(screen.text(), *expected.text);
  // No line twice: the scrollback + screen hold consecutive numbers.
  std::istringstream lines(screen.text(true));
  std::string line;
  long prev = -1, seen = 0;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    const long n = std::stol(line);
    if (prev >= 0) {
      EXPECT_EQ(n, prev + 1) << "after " << prev;
    }
    prev = n;
    ++seen;
  }
  EXPECT_GT(seen, 1000);  // the snapshot's scrollback, then what scrolled after it
  EXPECT_EQ(prev, 300000);
}

TEST(HostText, DataEventsNeverSplitAUtf8Sequence) {
  HostFixture f;
  HostClient c(f.socket(), f.token());
  const std::string expected = random_utf8(10000, 7);
  ASSERT_TRUE(ok(c.request(
      "createOrAttach",
      from_start(attach_payload("u8", "stty -echo; printf R; read x; " +
                                          std::string(PTYCTL_TEST_HELPER_BIN) + " 10000 7")))));
  Received gate;
  ASSERT_TRUE(until_text(c, "u8", gate, "R"));  // echo is off
  ASSERT_TRUE(ok(c.request("write", json::object{{"sessionId", "u8"}, {"data", "\n"}})));
  Received out;
  int invalid = 0;
  std::string all;
  const auto deadline = Clock::now() + 120s;
  while (!out.exit && Clock::now() < deadline) {
    auto ev = c.next_event(20s);
    ASSERT_TRUE(ev);
    const auto& p = ev->at("payload").as_object();
    if (p.at("type").as_string() == "exit") {
      out.exit = p;
      continue;
    }
    // Check the raw line's data: the JSON text is what a client decodes.
    const std::string data(p.at("data").as_string());
    if (!proto::utf8_is_valid(data)) ++invalid;
    all += data;
    ++out.events;
    out.next = p.at("endOffset").to_number<std::uint64_t>();
  }
  ASSERT_TRUE(out.exit);
  EXPECT_EQ(invalid, 0);
  EXPECT_GT(out.events, 100);  // many reads, so many cut points
  EXPECT_TRUE(all == expected) << "the characters differ (a split sequence became U+FFFD?)";
  EXPECT_EQ(out.next, expected.size() + 1);  // after "R"
}

TEST(HostText, InvalidBytesBecomeReplacementCharacters) {
  HostFixture f;
  HostClient c(f.socket(), f.token());
  ASSERT_TRUE(ok(c.request(
      "createOrAttach",
      from_start(attach_payload("bad", "stty -echo; printf R; read x; printf 'a\\377\\376b'")))));
  Received out;
  ASSERT_TRUE(until_text(c, "bad", out, "R"));  // echo is off
  ASSERT_TRUE(ok(c.request("write", json::object{{"sessionId", "bad"}, {"data", "\n"}})));
  ASSERT_TRUE(until_exit(c, "bad", out, 20s));
  EXPECT_EQ(out.bytes,
            "Ra\xEF\xBF\xBD\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(out.next, 5u);  // offsets count the program's bytes
}

// --- lifecycle ----------------------------------------------------------------------

TEST(HostLifecycle, LiveDaemonIsNotReplacedAndSigtermLeavesSessions) {
  HostFixture f;
  const std::string token = f.token();
  Process second(host_binary(), {"--state-dir", f.dir.path()});
  auto status = second.wait(20s);
  ASSERT_TRUE(status);
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 1);
  EXPECT_TRUE(contains(second.log(), "already serving")) << second.log();
  int shell;
  {
    HostClient c(f.socket(), token);
    auto r = c.request("createOrAttach", attach_payload("s", "sleep 1000"));
    ASSERT_TRUE(ok(r));
    shell = pid_of(r);
  }
  f.process->signal(SIGTERM);
  status = f.process->wait(20s);
  ASSERT_TRUE(status);
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << f.process->log();
  EXPECT_FALSE(path_exists(f.socket()));
  EXPECT_FALSE(path_exists(f.dir.path() + "/terminal-host.pid"));
  EXPECT_EQ(::kill(shell, 0), 0) << "SIGTERM to terminal-host must not touch sessions";
  f.restart();
  EXPECT_EQ(f.token(), token);  // reused
}

TEST(HostLifecycle, DetachedWithLogAndReadyNotification) {
  TempDir dir;
  NotifySocket notify(dir.path() + "/notify.sock");
  const std::string state = dir.path() + "/state";
  Process launcher(host_binary(),
                   {"--state-dir", state, "-d", "--supervisor-binary", supervisor_binary()},
                   {{"NOTIFY_SOCKET", notify.path()}});
  auto status = launcher.wait(20s);
  ASSERT_TRUE(status);
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
  const auto ready = notify.receive(20s);
  ASSERT_TRUE(ready);
  EXPECT_EQ(*ready, "READY=1");
  const int pid = std::stoi(read_file(state + "/terminal-host.pid"));
  EXPECT_NE(pid, launcher.pid());
  EXPECT_NE(::getsid(pid), ::getsid(0));
  {
    HostClient c(state + "/terminal-host.sock", read_file(state + "/terminal-host.token"));
    EXPECT_TRUE(ok(c.request("listSessions")));
  }
  EXPECT_TRUE(contains(read_file(state + "/terminal-host.log"), "listening on"));
  ::kill(pid, SIGTERM);
  EXPECT_TRUE(wait_until([&] { return process_gone(pid); }, 20s));
  const std::string sup = read_file(state + "/pty-supervisor.pid");
  if (!sup.empty()) {
    ::kill(std::stoi(sup), SIGTERM);
    EXPECT_TRUE(wait_until([&] { return process_gone(std::stoi(sup)); }, 20s));
  }
}

// --- the desktop app's exact answers (docs/protocol.md, "Answers the app relies on") --------

TEST(HostAppAnswers, WriteToAnUnknownOrEndedSessionSaysSessionNotFound) {
  HostFixture f;
  HostClient c(f.socket(), f.token());
  ASSERT_TRUE(ok(c.request("createOrAttach", attach_payload("pane-e", "exit 0"))));
  Received out;
  ASSERT_TRUE(until_exit(c, "pane-e", out));
  for (const std::string id : {"ghost-1", "pane-e"}) {
    // An acked write.
    const auto r = c.request("write", json::object{{"sessionId", id}, {"data", "x"}});
    EXPECT_EQ(error_code(r), "WRITE_FAILED") << id;
    EXPECT_EQ(r.at("error").at("message").as_string(), "Session not found: " + id);
    // A notify_ write: the error event on the stream socket.
    c.send("write", json::object{{"sessionId", id}, {"data", "x"}}, "notify_");
    std::optional<json::object> ev;
    while ((ev = c.next_event(20s)) && ev->at("event").as_string() != "error") {
    }
    ASSERT_TRUE(ev) << id;
    EXPECT_EQ(ev->at("sessionId").as_string(), id);
    EXPECT_EQ(ev->at("payload").at("code").as_string(), "WRITE_FAILED");
    EXPECT_EQ(ev->at("payload").at("error").as_string(), "Session not found: " + id);
  }
}

TEST(HostAppAnswers, ClearScrollbackLeavesOnlyTheCursorsLine) {
  HostFixture f;
  HostClient c(f.socket(), f.token());
  ASSERT_TRUE(ok(c.request("createOrAttach",
                           from_start(attach_payload("c", "seq 1 100; printf last; sleep 1000")))));
  Received out;
  ASSERT_TRUE(until_text(c, "c", out, "100\r\nlast"));
  ASSERT_TRUE(ok(c.request("clearScrollback", json::object{{"sessionId", "c"}})));
  // A fresh attach (another client) repaints only what xterm.js clear() keeps.
  HostClient fresh(f.socket(), f.token());
  const auto r = fresh.request("createOrAttach", attach_payload("c"));
  ASSERT_TRUE(ok(r));
  const auto snap = json::value_to<ptyctl::proto::Snapshot>(r.at("payload").at("snapshot"));
  EXPECT_EQ(snap.scrollbackLines, 0);
  ptyctl::emu::Emulator screen(snap.cols, snap.rows);
  screen.feed(snap.rehydrateSequences);
  screen.feed(snap.snapshotAnsi);
  EXPECT_EQ(screen.text(true), "last");
  EXPECT_EQ(screen.cursor().row, 0);
  EXPECT_EQ(screen.cursor().col, 4);
}

TEST(HostAppAnswers, CancelledCreateOrAttachDisposesOnlyASessionItCreated) {
  HostFixture f;
  HostClient c(f.socket(), f.token());
  auto cancelled = [&](const std::string& id) {
    // The cancel goes out right behind the request, while the session is made.
    auto p = attach_payload(id, "sleep 1000");
    p["requestId"] = "r-" + id;
    const std::string rid = c.send("createOrAttach", p);
    c.send("cancelCreateOrAttach", json::object{{"sessionId", id}, {"requestId", "r-" + id}});
    return c.control.response(rid, 20s);
  };
  // A new id: refused, and no session is left behind (not even an ended one).
  auto r = cancelled("fresh");
  ASSERT_TRUE(r);
  EXPECT_EQ(error_code(*r), "CREATE_ATTACH_FAILED");
  EXPECT_TRUE(wait_until([&] { return !find_session(c, "fresh"); }, 20s))
      << json::serialize(*find_session(c, "fresh"));
  // An existing session: refused, and it runs on.
  const auto made = c.request("createOrAttach", attach_payload("old", "sleep 1000"));
  ASSERT_TRUE(ok(made));
  r = cancelled("old");
  ASSERT_TRUE(r);
  EXPECT_EQ(error_code(*r), "CREATE_ATTACH_FAILED");
  auto s = find_session(c, "old");
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->at("isAlive").as_bool());
  EXPECT_EQ(s->at("pid").as_int64(), pid_of(made));
}

TEST(HostAppAnswers, SignalToAnUnknownSessionSucceeds) {
  HostFixture f;
  HostClient c(f.socket(), f.token());
  const auto r =
      c.request("signal", json::object{{"sessionId", "nobody-here"}, {"signal", "SIGINT"}});
  EXPECT_EQ(error_code(r), "OK");
  EXPECT_TRUE(r.at("payload").at("success").as_bool());
}
