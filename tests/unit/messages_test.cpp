// Every message type round-trips through JSON (as a value and as text), and
// validation names the offending field with a stable code.

#include <ptyctl/proto/client_messages.hpp>
#include <ptyctl/proto/handover.hpp>
#include <ptyctl/proto/session_listing.hpp>
#include <ptyctl/proto/supervisor_messages.hpp>
#include <ptyctl/proto/version.hpp>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <typeinfo>

namespace json = boost::json;
using namespace ptyctl::proto;

namespace {

template <class T>
void expect_round_trip(const T& x) {
  SCOPED_TRACE(typeid(T).name());
  const json::value v = json::value_from(x);
  EXPECT_EQ(json::value_to<T>(v), x);
  // Through text too, as it crosses a socket.
  const json::value reparsed = json::parse(json::serialize(v));
  EXPECT_EQ(json::value_to<T>(reparsed), x);
}

Snapshot full_snapshot() {
  Snapshot s;
  s.snapshotAnsi = "\x1b[H\x1b[2Jhello \xe4\xb8\x96\r\n";
  s.rehydrateSequences = rehydrate_sequences(s.modes);
  s.cwd = "/tmp/x y";
  s.modes.bracketedPaste = true;
  s.modes.mouseSgr = true;
  s.modes.cursorVisible = false;
  s.cols = 132;
  s.rows = 43;
  s.scrollbackLines = 5000;
  s.offset = 1ull << 40;
  s.title = "vim";
  s.cursorX = 3;
  s.cursorY = 7;
  s.text = "hello";
  return s;
}

Snapshot minimal_snapshot() {
  Snapshot s;
  s.snapshotAnsi = "";
  s.rehydrateSequences = rehydrate_sequences(s.modes);
  return s;
}

sup::SessionInfo full_info() {
  sup::SessionInfo i;
  i.sessionId = "pane-1:a.b_c";
  i.pid = 4242;
  i.isAlive = false;
  i.exitCode = 0;
  i.signal = 15;
  i.cols = 100;
  i.rows = 30;
  i.cwd = "/home/u";
  i.shell = "/bin/bash";
  i.command = "npm run dev";
  i.workspaceId = "ws";
  i.paneId = "pane";
  i.createdAt = 1'790'000'000'000;
  i.lastAttachedAt = 1'790'000'001'000;
  i.offset = 123456789;
  i.attachedClients = 2;
  i.restorable = true;
  i.recordedAt = 1'790'000'002'000;
  return i;
}

}  // namespace

TEST(Messages, SharedTypesRoundTrip) {
  expect_round_trip(Modes{});
  Modes all_on{true, true, true, true, true, true, true, true, true, true, true, true, true, true};
  expect_round_trip(all_on);
  expect_round_trip(full_snapshot());
  expect_round_trip(minimal_snapshot());
  expect_round_trip(ErrorInfo{"WRITE_FAILED", "session not found"});
}

TEST(Messages, SnapshotWritesNullCwdAndAllFourteenModes) {
  const json::value v = json::value_from(minimal_snapshot());
  ASSERT_TRUE(v.as_object().contains("cwd"));
  EXPECT_TRUE(v.at("cwd").is_null());
  EXPECT_EQ(v.at("modes").as_object().size(), 14u);
  EXPECT_EQ(v.at("modes").at("autoWrap"), json::value(true));
  EXPECT_EQ(v.at("modes").at("cursorVisible"), json::value(true));
  EXPECT_FALSE(v.as_object().contains("title"));  // empty optionals are left out
}

TEST(Messages, SupervisorTypesRoundTrip) {
  expect_round_trip(full_info());
  sup::SessionInfo minimal;
  minimal.sessionId = "s";
  expect_round_trip(minimal);
  expect_round_trip(sup::HelloRequest{kSupervisorProtocolVersion, 99, "0.1.0"});
  sup::CreateSessionRequest create;
  create.sessionId = "s1";
  create.cols = 120;
  create.rows = 40;
  create.cwd = "/";
  create.shell = "/bin/bash";
  create.args = std::vector<std::string>{"--norc", "--noprofile"};
  create.env = std::map<std::string, std::string>{{"A", "1"}, {"B", ""}};
  create.workspaceId = "w";
  create.paneId = "p";
  create.inheritEnv = false;
  expect_round_trip(create);
  create.args.reset();
  create.command = "echo hi";
  expect_round_trip(create);
  expect_round_trip(
      sup::CreateSessionRequest{"s2", 80, 24, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}});
  create.restore = true;
  create.rerun = false;
  expect_round_trip(create);
  expect_round_trip(sup::AttachSessionRequest{"s1", 77});
  expect_round_trip(sup::AttachSessionRequest{"s1", std::nullopt});
  expect_round_trip(sup::DetachSessionRequest{"s1"});
  expect_round_trip(sup::WriteRequest{"s1", std::nullopt});
  expect_round_trip(sup::WriteRequest{"s1", true});
  expect_round_trip(sup::ResizeRequest{"s1", 1, 512});
  expect_round_trip(sup::GetSnapshotRequest{"s1"});
  expect_round_trip(sup::KillSessionRequest{"s1", "SIGTERM", true});
  expect_round_trip(sup::KillSessionRequest{"s1", std::nullopt, std::nullopt});
  expect_round_trip(sup::SignalRequest{"s1", "SIGINT"});
  expect_round_trip(sup::ListSessionsRequest{});
  expect_round_trip(sup::ClearScrollbackRequest{"s1"});
  expect_round_trip(sup::PrepareUpgradeRequest{"/usr/bin/pty-supervisor"});
  expect_round_trip(sup::PrepareUpgradeRequest{});
  expect_round_trip(sup::HelloResult{1, 10, "0.1.0", {full_info(), minimal}});
  expect_round_trip(sup::CreateSessionResult{"s1", 10, false, std::nullopt});
  expect_round_trip(sup::CreateSessionResult{"s1", 10, true, true});
  expect_round_trip(sup::AttachSessionResult{full_snapshot(), true, std::nullopt});
  expect_round_trip(sup::AttachSessionResult{minimal_snapshot(), false, full_info()});
  expect_round_trip(sup::GetSnapshotResult{minimal_snapshot(), std::nullopt});
  expect_round_trip(sup::GetSnapshotResult{full_snapshot(), full_info()});
  expect_round_trip(sup::ListSessionsResult{{full_info()}});
  expect_round_trip(sup::ListSessionsResult{});
  expect_round_trip(sup::EmptyResult{});
  expect_round_trip(sup::DataEvent{1ull << 33});
  expect_round_trip(sup::ExitEvent{7, std::nullopt});
  expect_round_trip(sup::ExitEvent{0, 15});
  expect_round_trip(sup::ErrorEvent{"queue full", "WRITE_QUEUE_FULL"});
  expect_round_trip(sup::SnapshotEvent{full_snapshot()});
}

TEST(Messages, ClientTypesRoundTrip) {
  expect_round_trip(client::HelloRequest{"ab", 2, "c1", "control"});
  client::CreateOrAttachRequest coa;
  coa.sessionId = "pane-1";
  coa.requestId = "r1";
  coa.cols = 80;
  coa.rows = 24;
  coa.cwd = "/tmp";
  coa.env = std::map<std::string, std::string>{{"FOO", "bar"}};
  coa.shell = "/bin/zsh";
  coa.workspaceId = "ws";
  coa.paneId = "pane-1";
  coa.tabId = "tab";
  coa.workspaceName = "name";
  coa.workspacePath = "/w";
  coa.rootPath = "/r";
  coa.command = "ls";
  coa.resumeFrom = 1000;
  expect_round_trip(coa);
  client::CreateOrAttachRequest coa_min;
  coa_min.sessionId = "x";
  coa_min.workspaceId = "w";
  coa_min.paneId = "p";
  coa_min.tabId = "t";
  expect_round_trip(coa_min);
  expect_round_trip(client::CancelCreateOrAttachRequest{"x", "r1"});
  expect_round_trip(client::WriteRequest{"x", "echo \xe2\x82\xac\r"});
  expect_round_trip(client::ResizeRequest{"x", 10, 5});
  expect_round_trip(client::DetachRequest{"x"});
  expect_round_trip(client::SignalRequest{"x", "SIGINT"});
  expect_round_trip(client::KillRequest{"x", true});
  expect_round_trip(client::KillRequest{"x", std::nullopt});
  expect_round_trip(client::KillAllRequest{false});
  expect_round_trip(client::KillAllRequest{});
  expect_round_trip(client::ListSessionsRequest{});
  expect_round_trip(client::ClearScrollbackRequest{"x"});
  expect_round_trip(client::ShutdownRequest{true});
  expect_round_trip(client::ShutdownRequest{});
  expect_round_trip(client::GetSnapshotRequest{"x"});
  expect_round_trip(client::HelloResult{2, "0.1.0", 123});
  expect_round_trip(
      client::CreateOrAttachResult{true, full_snapshot(), false, 55, std::nullopt, std::nullopt});
  expect_round_trip(client::CreateOrAttachResult{false, minimal_snapshot(), true, 55, true, false});
  expect_round_trip(client::CreateOrAttachResult{true, full_snapshot(), false, 55, true, true});
  expect_round_trip(client::ListSessionsRequest{true});
  expect_round_trip(client::SuccessResult{});
  client::SessionSummary summary;
  summary.sessionId = "x";
  summary.workspaceId = "w";
  summary.paneId = "p";
  summary.pid = 9;
  summary.attachedClients = 1;
  expect_round_trip(summary);
  summary.restorable = true;
  expect_round_trip(summary);
  summary.createdAt = "2026-11-22T00:00:00.000Z";
  summary.lastAttachedAt = "2026-11-22T00:01:00.000Z";
  summary.shell = "/bin/bash";
  summary.cwd = "/";
  summary.command = "top";
  summary.cols = 80;
  summary.rows = 24;
  summary.exitCode = 1;
  summary.offset = 99;
  expect_round_trip(summary);
  expect_round_trip(client::ListSessionsResult{{summary, summary}});
  expect_round_trip(client::GetSnapshotResult{full_snapshot()});
  expect_round_trip(client::DataEvent{"data", "hi\r\n", 17, 21});
  expect_round_trip(client::DataEvent{"data", "", std::nullopt, std::nullopt});
  expect_round_trip(client::ExitEvent{"exit", 0, 9});
  expect_round_trip(client::ExitEvent{"exit", 130, std::nullopt});
  expect_round_trip(client::ErrorEvent{"error", "write failed", "WRITE_FAILED"});
  expect_round_trip(client::ErrorEvent{"error", "boom", std::nullopt});
}

// The spec is one struct in the code and flat in the JSON: a state (and so
// a record) written before it was one still reads.
TEST(Messages, HandoverSessionSpecIsWrittenInline) {
  handover::State state;
  handover::SessionState st;
  st.spec.sessionId = "s1";
  st.spec.cols = 132;
  st.spec.rows = 43;
  st.spec.cwd = "/tmp";
  st.spec.shell = "/bin/sh";
  st.spec.args = {"-l"};
  st.spec.workspaceId = "w";
  st.spec.paneId = "p";
  st.spec.env = std::map<std::string, std::string>{{"A", "1"}};
  st.spec.inheritEnv = false;
  st.createdAt = 5;
  st.ringCapacity = 16;
  state.sessions.push_back(st);
  const json::value v = json::value_from(state);
  const json::object& written = v.at("sessions").at(0).as_object();
  EXPECT_FALSE(written.contains("spec"));
  EXPECT_EQ(written.at("sessionId"), "s1");
  EXPECT_EQ(written.at("cols"), 132);
  EXPECT_EQ(written.at("env").at("A"), "1");
  EXPECT_EQ(written.at("inheritEnv"), false);
  EXPECT_EQ(json::value_to<handover::State>(v), state);

  // An earlier release's session: no env, no inheritEnv.
  json::object old = written;
  old.erase("env");
  old.erase("inheritEnv");
  const auto read = json::value_to<handover::SessionState>(json::value(old));
  EXPECT_FALSE(read.spec.env);
  EXPECT_TRUE(read.spec.inherits_env());
  EXPECT_EQ(read.spec.paneId, "p");
  // A spec field missing is named, as any other.
  old.erase("shell");
  try {
    (void)json::value_to<handover::SessionState>(json::value(old));
    ADD_FAILURE() << "a state without its shell was read";
  } catch (const ProtocolError& e) {
    EXPECT_STREQ(e.what(), "shell is required");
  }
}

// Each wire's listing entry carries every field of the same name and type.
TEST(Messages, ListingsCarryTheSameNamedFields) {
  SessionSpec spec;
  spec.sessionId = "s1";
  spec.cols = 100;
  spec.rows = 30;
  spec.cwd = "/srv";
  spec.shell = "/bin/zsh";
  spec.command = "make";
  spec.workspaceId = "w";
  spec.paneId = "p";
  spec.env = std::map<std::string, std::string>{{"A", "1"}};
  sup::SessionInfo info = session_info_of(spec);
  EXPECT_EQ(info.sessionId, "s1");
  EXPECT_EQ(info.cols, 100);
  EXPECT_EQ(info.rows, 30);
  EXPECT_EQ(info.cwd, "/srv");
  EXPECT_EQ(info.shell, "/bin/zsh");
  EXPECT_EQ(info.command, "make");
  EXPECT_EQ(info.workspaceId, "w");
  EXPECT_EQ(info.paneId, "p");
  EXPECT_EQ(info.pid, 0);  // the program's part is the caller's

  info.pid = 42;
  info.isAlive = false;
  info.exitCode = 3;
  info.offset = 1234;
  info.createdAt = 1700000000000;
  info.restorable = true;
  const client::SessionSummary sum = session_summary_of(info);
  EXPECT_EQ(sum.sessionId, "s1");
  EXPECT_EQ(sum.workspaceId, "w");
  EXPECT_EQ(sum.paneId, "p");
  EXPECT_FALSE(sum.isAlive);
  EXPECT_EQ(sum.pid, 42);
  EXPECT_EQ(sum.shell, "/bin/zsh");
  EXPECT_EQ(sum.cwd, "/srv");
  EXPECT_EQ(sum.command, "make");
  EXPECT_EQ(sum.cols, 100);
  EXPECT_EQ(sum.rows, 30);
  EXPECT_EQ(sum.exitCode, 3);
  EXPECT_EQ(sum.offset, 1234u);
  EXPECT_EQ(sum.restorable, true);
  EXPECT_FALSE(sum.createdAt);  // a number there, ISO 8601 here: the caller's
  EXPECT_FALSE(sum.viewedFrom);
}

TEST(Messages, EventPayloadsCarryTheirType) {
  const json::value v = json::value_from(client::DataEvent{"data", "x", 3, 4});
  EXPECT_EQ(v.at("type"), json::value("data"));
  EXPECT_THROW(json::value_to<client::DataEvent>(json::parse(R"({"type":"exit","data":"x"})")),
               ProtocolError);
}

// --- validation ------------------------------------------------------------

namespace {

template <class T>
ProtocolError error_of(std::string_view text) {
  try {
    (void)json::value_to<T>(json::parse(text));
  } catch (const ProtocolError& e) {
    return e;
  }
  ADD_FAILURE() << "no error for " << text;
  return ProtocolError("NONE", "");
}

}  // namespace

TEST(Validation, NamesTheField) {
  auto e = error_of<sup::ResizeRequest>(R"({"sessionId":"s","cols":0,"rows":24})");
  EXPECT_EQ(e.code(), "INVALID_PAYLOAD");
  EXPECT_STREQ(e.what(), "cols must be a positive integer");

  e = error_of<sup::ResizeRequest>(R"({"sessionId":"s","cols":80,"rows":-1})");
  EXPECT_STREQ(e.what(), "rows must be a positive integer");

  e = error_of<sup::ResizeRequest>(R"({"sessionId":"s","cols":80,"rows":70000})");
  EXPECT_STREQ(e.what(), "rows must be at most 512");
  e = error_of<sup::ResizeRequest>(R"({"sessionId":"s","cols":65535,"rows":3000})");
  EXPECT_STREQ(e.what(), "cols must be at most 1024");
  e = error_of<client::CreateOrAttachRequest>(
      R"({"sessionId":"s","cols":1025,"rows":24,"workspaceId":"w","paneId":"p","tabId":"t"})");
  EXPECT_STREQ(e.what(), "cols must be at most 1024");

  // What would be cut at a NUL or split at '=' on its way into execve.
  e = error_of<sup::CreateSessionRequest>(
      R"({"sessionId":"s","cols":80,"rows":24,"env":{"A=B":"c"}})");
  EXPECT_EQ(e.code(), "INVALID_PAYLOAD");
  EXPECT_TRUE(std::string(e.what()).starts_with("env names must be")) << e.what();
  e = error_of<sup::CreateSessionRequest>(
      R"({"sessionId":"s","cols":80,"rows":24,"env":{"A":"b\u0000c"}})");
  EXPECT_STREQ(e.what(), "env.A must not contain NUL");
  e = error_of<sup::CreateSessionRequest>(
      R"({"sessionId":"s","cols":80,"rows":24,"cwd":"/tmp\u0000/x"})");
  EXPECT_STREQ(e.what(), "cwd must not contain NUL");
  e = error_of<sup::CreateSessionRequest>(
      R"({"sessionId":"s","cols":80,"rows":24,"args":["-c","a\u0000b"]})");
  EXPECT_STREQ(e.what(), "args must not contain NUL");

  e = error_of<sup::ResizeRequest>(R"({"sessionId":"s","cols":"80","rows":24})");
  EXPECT_STREQ(e.what(), "cols must be an integer");

  e = error_of<sup::ResizeRequest>(R"({"sessionId":"s","cols":80.5,"rows":24})");
  EXPECT_STREQ(e.what(), "cols must be an integer");

  e = error_of<sup::ResizeRequest>(R"({"sessionId":"s","rows":24})");
  EXPECT_STREQ(e.what(), "cols is required");

  e = error_of<sup::ResizeRequest>(R"({"sessionId":"s","cols":1e300,"rows":24})");
  EXPECT_STREQ(e.what(), "cols is out of range");

  e = error_of<sup::ResizeRequest>(R"([1,2])");
  EXPECT_STREQ(e.what(), "payload must be an object");

  e = error_of<sup::CreateSessionRequest>(R"({"sessionId":"s","cols":80,"rows":24,"env":{"A":1}})");
  EXPECT_STREQ(e.what(), "env.A must be a string");

  e = error_of<sup::CreateSessionRequest>(
      R"({"sessionId":"s","cols":80,"rows":24,"args":["a",false]})");
  EXPECT_STREQ(e.what(), "args[1] must be a string");

  e = error_of<sup::AttachSessionRequest>(R"({"sessionId":"s","fromOffset":-1})");
  EXPECT_STREQ(e.what(), "fromOffset is out of range");

  e = error_of<sup::GetSnapshotResult>(R"({"snapshot":{"snapshotAnsi":"","rehydrateSequences":"",
      "modes":{},"cols":80,"rows":24,"scrollbackLines":0,"offset":0}})");
  EXPECT_STREQ(e.what(), "snapshot.modes.applicationCursorKeys is required");

  e = error_of<client::KillRequest>(R"({"sessionId":"x","deleteHistory":"yes"})");
  EXPECT_STREQ(e.what(), "deleteHistory must be a boolean");
}

TEST(Validation, SessionIdsAndSignalsHaveTheirOwnCodes) {
  EXPECT_EQ(error_of<sup::DetachSessionRequest>(R"({"sessionId":"../etc"})").code(),
            "INVALID_SESSION_ID");
  EXPECT_EQ(error_of<sup::DetachSessionRequest>(R"({"sessionId":""})").code(),
            "INVALID_SESSION_ID");
  EXPECT_EQ(error_of<client::WriteRequest>(R"({"sessionId":"a b","data":""})").code(),
            "INVALID_SESSION_ID");
  EXPECT_EQ(error_of<sup::SignalRequest>(R"({"sessionId":"a","signal":"SIGNOPE"})").code(),
            "INVALID_SIGNAL");
  EXPECT_EQ(error_of<sup::KillSessionRequest>(R"({"sessionId":"a","signal":"BOGUS"})").code(),
            "INVALID_SIGNAL");
}

TEST(Validation, UnknownFieldsAreIgnoredAndNullOptionalsAreEmpty) {
  const auto r = json::value_to<sup::AttachSessionRequest>(
      json::parse(R"({"sessionId":"s","fromOffset":null,"future":{"x":1}})"));
  EXPECT_EQ(r.sessionId, "s");
  EXPECT_FALSE(r.fromOffset.has_value());
  // A JavaScript peer may send 80.0.
  const auto z = json::value_to<client::ResizeRequest>(
      json::parse(R"({"sessionId":"s","cols":80.0,"rows":24})"));
  EXPECT_EQ(z.cols, 80);
}

TEST(Validation, RequestSetsDispatchByType) {
  auto p = sup::Requests::parse("listSessions", json::value());  // payload absent
  EXPECT_TRUE(std::holds_alternative<sup::ListSessionsRequest>(p));
  p = sup::Requests::parse("resize", json::parse(R"({"sessionId":"a","cols":2,"rows":3})"));
  ASSERT_TRUE(std::holds_alternative<sup::ResizeRequest>(p));
  EXPECT_EQ(std::get<sup::ResizeRequest>(p).rows, 3);
  try {
    (void)sup::Requests::parse("frobnicate", json::value());
    FAIL();
  } catch (const ProtocolError& e) {
    EXPECT_EQ(e.code(), "UNKNOWN_REQUEST");
  }
  EXPECT_TRUE(client::Requests::known("createOrAttach"));
  EXPECT_TRUE(client::Requests::known("getSnapshot"));
  EXPECT_FALSE(client::Requests::known("hello"));  // hello is checked on its own
  auto c = client::Requests::parse("listSessions", json::value());
  EXPECT_TRUE(std::holds_alternative<client::ListSessionsRequest>(c));
  try {
    (void)client::Requests::parse("write", json::parse(R"({"sessionId":"a"})"));
    FAIL();
  } catch (const ProtocolError& e) {
    EXPECT_EQ(e.code(), "INVALID_PAYLOAD");
    EXPECT_STREQ(e.what(), "data is required");
  }
}

namespace {
std::string hello_error(std::string_view text, std::string_view token = "tok") {
  try {
    (void)client::validate_hello(json::parse(text), token);
  } catch (const ProtocolError& e) {
    return e.code();
  }
  return "OK";
}
}  // namespace

TEST(Validation, ClientHelloChecksInTheReferenceOrder) {
  EXPECT_EQ(hello_error(R"({"token":"tok","protocolVersion":2,"clientId":"c","role":"control"})"),
            "OK");
  EXPECT_EQ(hello_error(R"({"token":"tok","protocolVersion":2,"clientId":"c","role":"stream"})"),
            "OK");
  // Version first, even with a wrong token and a bad role.
  EXPECT_EQ(hello_error(R"({"token":"bad","protocolVersion":1,"clientId":"","role":"x"})"),
            "PROTOCOL_MISMATCH");
  EXPECT_EQ(hello_error(R"({"token":"tok","clientId":"c","role":"control"})"), "PROTOCOL_MISMATCH");
  // Then the token, before clientId and role.
  EXPECT_EQ(hello_error(R"({"token":"bad","protocolVersion":2,"clientId":"","role":"x"})"),
            "AUTH_FAILED");
  EXPECT_EQ(hello_error(R"({"token":"to","protocolVersion":2,"clientId":"c","role":"control"})"),
            "AUTH_FAILED");
  EXPECT_EQ(hello_error(R"({"protocolVersion":2,"clientId":"c","role":"control"})"), "AUTH_FAILED");
  EXPECT_EQ(hello_error(R"({"token":"tok","protocolVersion":2,"clientId":"","role":"control"})"),
            "INVALID_HELLO");
  EXPECT_EQ(hello_error(R"({"token":"tok","protocolVersion":2,"clientId":"c","role":"other"})"),
            "INVALID_HELLO");
  EXPECT_EQ(hello_error(R"({"token":"tok","protocolVersion":2,"clientId":"c"})"), "INVALID_HELLO");
  EXPECT_EQ(hello_error(R"("nope")"), "PROTOCOL_MISMATCH");
}

TEST(Validation, SupervisorHelloChecksTheVersion) {
  EXPECT_NO_THROW(sup::validate_hello(
      json::parse(R"({"protocolVersion":1,"daemonPid":5,"daemonVersion":"0.1.0"})")));
  try {
    sup::validate_hello(json::parse(R"({"protocolVersion":2,"daemonPid":5,"daemonVersion":"x"})"));
    FAIL();
  } catch (const ProtocolError& e) {
    EXPECT_EQ(e.code(), "PROTOCOL_MISMATCH");
  }
  try {
    sup::validate_hello(json::parse(R"({"protocolVersion":1})"));
    FAIL();
  } catch (const ProtocolError& e) {
    EXPECT_EQ(e.code(), "INVALID_PAYLOAD");
    EXPECT_STREQ(e.what(), "daemonPid is required");
  }
}

TEST(Rehydrate, AssertsEveryModeInTheReferenceOrder) {
  Modes m;  // defaults: autowrap and cursor on, everything else off
  EXPECT_EQ(rehydrate_sequences(m),
            "\x1b[?1l\x1b[?7h\x1b[?25h"
            "\x1b[?9l\x1b[?1000l\x1b[?1001l\x1b[?1002l\x1b[?1003l"
            "\x1b[?1005l\x1b[?1006l\x1b[?1004l\x1b[?2004l");
  m.applicationCursorKeys = true;
  m.originMode = true;
  m.autoWrap = false;
  m.cursorVisible = false;
  m.mouseTrackingButtonEvent = true;
  m.mouseSgr = true;
  m.focusReporting = true;
  m.bracketedPaste = true;
  m.alternateScreen = true;  // never asserted: the snapshot switches screens itself
  EXPECT_EQ(rehydrate_sequences(m),
            "\x1b[?1h\x1b[?6h\x1b[?7l\x1b[?25l"
            "\x1b[?9l\x1b[?1000l\x1b[?1001l\x1b[?1003l\x1b[?1002h"
            "\x1b[?1005l\x1b[?1006h\x1b[?1004h\x1b[?2004h");
}
