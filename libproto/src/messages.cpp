// Member lists, field checks and JSON conversions of every message type.

#include <ptyctl/proto/json_struct.hpp>

#include <ptyctl/proto/bridge.hpp>
#include <ptyctl/proto/client_messages.hpp>
#include <ptyctl/proto/limits.hpp>
#include <ptyctl/proto/session_id.hpp>
#include <ptyctl/proto/session_listing.hpp>
#include <ptyctl/proto/signals.hpp>
#include <ptyctl/proto/snapshot.hpp>
#include <ptyctl/proto/supervisor_messages.hpp>
#include <ptyctl/proto/version.hpp>

#include <boost/describe/class.hpp>

namespace ptyctl::proto {

namespace detail {

namespace {
void require_no_nul(std::string_view path, std::string_view value) {
  if (value.find('\0') != std::string_view::npos) invalid(path, "must not contain NUL");
}
}  // namespace

void check_named_field(std::string_view name, std::string_view path, const std::string& value) {
  // Strings that end up in execve, chdir or the environment: a NUL would
  // silently cut them.
  if (name == "cwd" || name == "shell" || name == "command") require_no_nul(path, value);
  if (name == "sessionId") {
    require_session_id(value, path);
  } else if (name == "signal" && !signal_from_name(value)) {
    throw ProtocolError(code::kInvalidSignal, "unknown signal: " + value);
  }
}

// Window sizes: the emulator allocates and redraws rows x cols cells.
void check_named_field(std::string_view name, std::string_view path, int value) {
  if (name != "cols" && name != "rows") return;
  if (value <= 0) invalid(path, "must be a positive integer");
  const int most = name == "cols" ? kMaxCols : kMaxRows;
  if (value > most) invalid(path, "must be at most " + std::to_string(most));
}

void check_named_field(std::string_view name, std::string_view path,
                       const std::map<std::string, std::string>& value) {
  if (name != "env") return;
  for (const auto& [k, v] : value) {
    if (k.empty() || k.find('=') != std::string::npos || k.find('\0') != std::string::npos)
      invalid(path, "names must be non-empty, without '=' or NUL (\"" + k.substr(0, 64) + "\")");
    require_no_nul(std::string(path) + "." + k.substr(0, 64), v);
  }
}

void check_named_field(std::string_view name, std::string_view path,
                       const std::vector<std::string>& value) {
  if (name != "args") return;
  for (const auto& a : value)
    require_no_nul(path, a);
}

}  // namespace detail

// --- shared ----------------------------------------------------------------

BOOST_DESCRIBE_STRUCT(Modes, (),
                      (applicationCursorKeys, bracketedPaste, mouseTrackingX10, mouseTrackingNormal,
                       mouseTrackingHighlight, mouseTrackingButtonEvent, mouseTrackingAnyEvent,
                       focusReporting, mouseUtf8, mouseSgr, alternateScreen, cursorVisible,
                       originMode, autoWrap))
BOOST_DESCRIBE_STRUCT(Snapshot, (),
                      (snapshotAnsi, rehydrateSequences, cwd, modes, cols, rows, scrollbackLines,
                       offset, title, cursorX, cursorY, text))
BOOST_DESCRIBE_STRUCT(ErrorInfo, (), (code, message))

void check(const Snapshot& s) {
  if (s.scrollbackLines < 0) detail::invalid("scrollbackLines", "must not be negative");
}
// The desktop protocol's snapshot says `cwd: string | null`: write null, not nothing.
void finish_json(boost::json::object& obj, const Snapshot& s) {
  if (!s.cwd) obj["cwd"] = nullptr;
}

PTYCTL_PROTO_JSON_DEFINE(Modes)
PTYCTL_PROTO_JSON_DEFINE(Snapshot)
PTYCTL_PROTO_JSON_DEFINE(ErrorInfo)

// --- wire 1 ----------------------------------------------------------------

namespace sup {

BOOST_DESCRIBE_STRUCT(SessionInfo, (),
                      (sessionId, pid, isAlive, exitCode, signal, cols, rows, cwd, shell, command,
                       workspaceId, paneId, createdAt, lastAttachedAt, offset, attachedClients,
                       restorable, recordedAt))
BOOST_DESCRIBE_STRUCT(HelloRequest, (), (protocolVersion, daemonPid, daemonVersion))
BOOST_DESCRIBE_STRUCT(CreateSessionRequest, (),
                      (sessionId, cols, rows, cwd, shell, args, command, env, inheritEnv,
                       workspaceId, paneId, restore, rerun))
BOOST_DESCRIBE_STRUCT(AttachSessionRequest, (), (sessionId, fromOffset))
BOOST_DESCRIBE_STRUCT(DetachSessionRequest, (), (sessionId))
BOOST_DESCRIBE_STRUCT(WriteRequest, (), (sessionId, noReply))
BOOST_DESCRIBE_STRUCT(ResizeRequest, (), (sessionId, cols, rows))
BOOST_DESCRIBE_STRUCT(GetSnapshotRequest, (), (sessionId))
BOOST_DESCRIBE_STRUCT(KillSessionRequest, (), (sessionId, signal, forget))
BOOST_DESCRIBE_STRUCT(SignalRequest, (), (sessionId, signal))
BOOST_DESCRIBE_STRUCT(ListSessionsRequest, (), ())
BOOST_DESCRIBE_STRUCT(ClearScrollbackRequest, (), (sessionId))
BOOST_DESCRIBE_STRUCT(PrepareUpgradeRequest, (), (binary))
BOOST_DESCRIBE_STRUCT(PrepareUpgradeResult, (), (previousVersion, version, supervisorPid, tookMs))
BOOST_DESCRIBE_STRUCT(HelloResult, (),
                      (protocolVersion, supervisorPid, supervisorVersion, sessions))
BOOST_DESCRIBE_STRUCT(CreateSessionResult, (), (sessionId, pid, isNew, restored))
BOOST_DESCRIBE_STRUCT(AttachSessionResult, (), (snapshot, resumed, session))
BOOST_DESCRIBE_STRUCT(GetSnapshotResult, (), (snapshot, session))
BOOST_DESCRIBE_STRUCT(ListSessionsResult, (), (sessions))
BOOST_DESCRIBE_STRUCT(EmptyResult, (), ())
BOOST_DESCRIBE_STRUCT(DataEvent, (), (offset))
BOOST_DESCRIBE_STRUCT(ExitEvent, (), (exitCode, signal))
BOOST_DESCRIBE_STRUCT(ErrorEvent, (), (error, code))
BOOST_DESCRIBE_STRUCT(SnapshotEvent, (), (snapshot))

void check(const CreateSessionRequest& r) {
  if (r.command && r.args)
    detail::invalid("args", "cannot be combined with command (command runs through the shell)");
}

PTYCTL_PROTO_JSON_DEFINE(SessionInfo)
PTYCTL_PROTO_JSON_DEFINE(HelloRequest)
PTYCTL_PROTO_JSON_DEFINE(CreateSessionRequest)
PTYCTL_PROTO_JSON_DEFINE(AttachSessionRequest)
PTYCTL_PROTO_JSON_DEFINE(DetachSessionRequest)
PTYCTL_PROTO_JSON_DEFINE(WriteRequest)
PTYCTL_PROTO_JSON_DEFINE(ResizeRequest)
PTYCTL_PROTO_JSON_DEFINE(GetSnapshotRequest)
PTYCTL_PROTO_JSON_DEFINE(KillSessionRequest)
PTYCTL_PROTO_JSON_DEFINE(SignalRequest)
PTYCTL_PROTO_JSON_DEFINE(ListSessionsRequest)
PTYCTL_PROTO_JSON_DEFINE(ClearScrollbackRequest)
PTYCTL_PROTO_JSON_DEFINE(PrepareUpgradeRequest)
PTYCTL_PROTO_JSON_DEFINE(HelloResult)
PTYCTL_PROTO_JSON_DEFINE(PrepareUpgradeResult)
PTYCTL_PROTO_JSON_DEFINE(CreateSessionResult)
PTYCTL_PROTO_JSON_DEFINE(AttachSessionResult)
PTYCTL_PROTO_JSON_DEFINE(GetSnapshotResult)
PTYCTL_PROTO_JSON_DEFINE(ListSessionsResult)
PTYCTL_PROTO_JSON_DEFINE(EmptyResult)
PTYCTL_PROTO_JSON_DEFINE(DataEvent)
PTYCTL_PROTO_JSON_DEFINE(ExitEvent)
PTYCTL_PROTO_JSON_DEFINE(ErrorEvent)
PTYCTL_PROTO_JSON_DEFINE(SnapshotEvent)

HelloRequest validate_hello(const boost::json::value& payload) {
  const boost::json::object* obj = payload.if_object();
  const boost::json::value* version = obj ? obj->if_contains("protocolVersion") : nullptr;
  if (!version || !version->is_int64() || version->get_int64() != kSupervisorProtocolVersion) {
    throw ProtocolError(code::kProtocolMismatch,
                        "supervisor protocol version " +
                            std::to_string(kSupervisorProtocolVersion) + " required, got " +
                            (version ? boost::json::serialize(*version) : "none"));
  }
  return boost::json::value_to<HelloRequest>(payload);
}

}  // namespace sup

// --- wire 2 ----------------------------------------------------------------

namespace client {

BOOST_DESCRIBE_STRUCT(HelloRequest, (), (token, protocolVersion, clientId, role))
BOOST_DESCRIBE_STRUCT(CreateOrAttachRequest, (),
                      (sessionId, requestId, cols, rows, cwd, env, shell, workspaceId, paneId,
                       tabId, workspaceName, workspacePath, rootPath, command, resumeFrom,
                       viewerSessionId, restore, rerun))
BOOST_DESCRIBE_STRUCT(CancelCreateOrAttachRequest, (), (sessionId, requestId))
BOOST_DESCRIBE_STRUCT(WriteRequest, (), (sessionId, data))
BOOST_DESCRIBE_STRUCT(ResizeRequest, (), (sessionId, cols, rows))
BOOST_DESCRIBE_STRUCT(DetachRequest, (), (sessionId))
BOOST_DESCRIBE_STRUCT(SignalRequest, (), (sessionId, signal))
BOOST_DESCRIBE_STRUCT(KillRequest, (), (sessionId, deleteHistory))
BOOST_DESCRIBE_STRUCT(KillAllRequest, (), (deleteHistory))
BOOST_DESCRIBE_STRUCT(ListSessionsRequest, (), (includeRestorable))
BOOST_DESCRIBE_STRUCT(ClearScrollbackRequest, (), (sessionId))
BOOST_DESCRIBE_STRUCT(ShutdownRequest, (), (killSessions))
BOOST_DESCRIBE_STRUCT(GetSnapshotRequest, (), (sessionId))
BOOST_DESCRIBE_STRUCT(HelloResult, (), (protocolVersion, daemonVersion, daemonPid))
BOOST_DESCRIBE_STRUCT(CreateOrAttachResult, (),
                      (isNew, snapshot, wasRecovered, pid, resumed, restored))
BOOST_DESCRIBE_STRUCT(SuccessResult, (), (success))
BOOST_DESCRIBE_STRUCT(SessionSummary, (),
                      (sessionId, workspaceId, paneId, isAlive, attachedClients, pid, createdAt,
                       lastAttachedAt, shell, cwd, command, cols, rows, exitCode, offset,
                       viewedFrom, restorable))
BOOST_DESCRIBE_STRUCT(ListSessionsResult, (), (sessions))
BOOST_DESCRIBE_STRUCT(GetSnapshotResult, (), (snapshot))
BOOST_DESCRIBE_STRUCT(DataEvent, (), (type, data, offset, endOffset))
BOOST_DESCRIBE_STRUCT(ExitEvent, (), (type, exitCode, signal))
BOOST_DESCRIBE_STRUCT(ErrorEvent, (), (type, error, code))

void check(const DataEvent& e) {
  if (e.type != DataEvent::kEvent) detail::invalid("type", "must be \"data\"");
}
void check(const ExitEvent& e) {
  if (e.type != ExitEvent::kEvent) detail::invalid("type", "must be \"exit\"");
}
void check(const ErrorEvent& e) {
  if (e.type != ErrorEvent::kEvent) detail::invalid("type", "must be \"error\"");
}

PTYCTL_PROTO_JSON_DEFINE(HelloRequest)
PTYCTL_PROTO_JSON_DEFINE(CreateOrAttachRequest)
PTYCTL_PROTO_JSON_DEFINE(CancelCreateOrAttachRequest)
PTYCTL_PROTO_JSON_DEFINE(WriteRequest)
PTYCTL_PROTO_JSON_DEFINE(ResizeRequest)
PTYCTL_PROTO_JSON_DEFINE(DetachRequest)
PTYCTL_PROTO_JSON_DEFINE(SignalRequest)
PTYCTL_PROTO_JSON_DEFINE(KillRequest)
PTYCTL_PROTO_JSON_DEFINE(KillAllRequest)
PTYCTL_PROTO_JSON_DEFINE(ListSessionsRequest)
PTYCTL_PROTO_JSON_DEFINE(ClearScrollbackRequest)
PTYCTL_PROTO_JSON_DEFINE(ShutdownRequest)
PTYCTL_PROTO_JSON_DEFINE(GetSnapshotRequest)
PTYCTL_PROTO_JSON_DEFINE(HelloResult)
PTYCTL_PROTO_JSON_DEFINE(CreateOrAttachResult)
PTYCTL_PROTO_JSON_DEFINE(SuccessResult)
PTYCTL_PROTO_JSON_DEFINE(SessionSummary)
PTYCTL_PROTO_JSON_DEFINE(ListSessionsResult)
PTYCTL_PROTO_JSON_DEFINE(GetSnapshotResult)
PTYCTL_PROTO_JSON_DEFINE(DataEvent)
PTYCTL_PROTO_JSON_DEFINE(ExitEvent)
PTYCTL_PROTO_JSON_DEFINE(ErrorEvent)

namespace {
bool equal_constant_time(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  const std::size_t n = std::max(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= static_cast<unsigned char>(x ^ y);
  }
  return diff == 0;
}

const boost::json::string* string_field(const boost::json::object* obj, std::string_view key) {
  const boost::json::value* v = obj ? obj->if_contains(key) : nullptr;
  return v ? v->if_string() : nullptr;
}
}  // namespace

HelloRequest validate_hello(const boost::json::value& payload, std::string_view expected_token) {
  const boost::json::object* obj = payload.if_object();
  const boost::json::value* version = obj ? obj->if_contains("protocolVersion") : nullptr;
  if (!version || !version->is_int64() || version->get_int64() != kClientProtocolVersion) {
    throw ProtocolError(code::kProtocolMismatch,
                        "protocol version " + std::to_string(kClientProtocolVersion) +
                            " required, got " +
                            (version ? boost::json::serialize(*version) : "none"));
  }
  const boost::json::string* token = string_field(obj, "token");
  if (!token || !equal_constant_time(*token, expected_token))
    throw ProtocolError(code::kAuthFailed, "authentication failed: wrong token");
  const boost::json::string* client_id = string_field(obj, "clientId");
  if (!client_id || client_id->empty())
    throw ProtocolError(code::kInvalidHello, "clientId must be a non-empty string");
  const boost::json::string* role = string_field(obj, "role");
  if (!role || (*role != kRoleControl && *role != kRoleStream))
    throw ProtocolError(code::kInvalidHello, "role must be \"control\" or \"stream\"");
  HelloRequest out;
  out.token = std::string(*token);
  out.protocolVersion = kClientProtocolVersion;
  out.clientId = std::string(*client_id);
  out.role = std::string(*role);
  return out;
}

StreamEvent parse_stream_event(const boost::json::object& line) {
  const Envelope envelope = parse_envelope(line);
  const Event* e = std::get_if<Event>(&envelope);
  if (!e) throw ProtocolError(code::kInvalidPayload, "not an event");
  StreamEvent out{e->sessionId, std::monostate{}};
  if (e->event == DataEvent::kEvent)
    out.event = boost::json::value_to<DataEvent>(e->payload);
  else if (e->event == ExitEvent::kEvent)
    out.event = boost::json::value_to<ExitEvent>(e->payload);
  else if (e->event == ErrorEvent::kEvent)
    out.event = boost::json::value_to<ErrorEvent>(e->payload);
  return out;
}

}  // namespace client

namespace bridge {

BOOST_DESCRIBE_STRUCT(Greeting, (), (bridgeVersion, ptyctlVersion))
BOOST_DESCRIBE_STRUCT(HostListing, (), (host, sessions, error))
PTYCTL_PROTO_JSON_DEFINE(Greeting)
PTYCTL_PROTO_JSON_DEFINE(HostListing)

}  // namespace bridge

sup::SessionInfo session_info_of(const SessionSpec& spec) {
  sup::SessionInfo info;
  detail::copy_same_named(info, spec);
  return info;
}

client::SessionSummary session_summary_of(const sup::SessionInfo& info) {
  client::SessionSummary summary;
  detail::copy_same_named(summary, info);
  return summary;
}

}  // namespace ptyctl::proto
