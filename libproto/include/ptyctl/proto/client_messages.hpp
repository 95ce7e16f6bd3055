#pragma once
// Wire 2 (terminal-host.sock) messages: the desktop app's terminal-host
// protocol version 2, plus our additive fields (offset, resumeFrom, resumed,
// getSnapshot). See docs/protocol.md.

#include <ptyctl/proto/envelope.hpp>
#include <ptyctl/proto/snapshot.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace ptyctl::proto::client {

inline constexpr std::string_view kRoleControl = "control";
inline constexpr std::string_view kRoleStream = "stream";
// Request ids with this prefix on `write` are fire-and-forget.
inline constexpr std::string_view kNotifyPrefix = "notify_";

// Each request names its success payload (Result): HostLink::call and the
// tests' clients are typed end to end.
struct HelloResult;
struct CreateOrAttachResult;
struct SuccessResult;
struct ListSessionsResult;
struct GetSnapshotResult;

struct HelloRequest {
  static constexpr std::string_view kType = "hello";
  using Result = HelloResult;  // its success payload
  std::string token;
  int protocolVersion = 0;
  std::string clientId;
  std::string role;
  bool operator==(const HelloRequest&) const = default;
};
PTYCTL_PROTO_JSON(HelloRequest);

// Checks a hello payload in the protocol's order: protocolVersion != 2 →
// PROTOCOL_MISMATCH; token != expected → AUTH_FAILED (compared in constant
// time); empty clientId or unknown role → INVALID_HELLO.
HelloRequest validate_hello(const boost::json::value& payload, std::string_view expected_token);

struct CreateOrAttachRequest {
  static constexpr std::string_view kType = "createOrAttach";
  using Result = CreateOrAttachResult;  // its success payload
  std::string sessionId;
  std::optional<std::string> requestId;
  int cols = 80;
  int rows = 24;
  std::optional<std::string> cwd;
  std::optional<std::map<std::string, std::string>> env;
  std::optional<std::string> shell;
  std::string workspaceId;
  std::string paneId;
  std::string tabId;
  std::optional<std::string> workspaceName;
  std::optional<std::string> workspacePath;
  std::optional<std::string> rootPath;
  std::optional<std::string> command;
  std::optional<std::uint64_t> resumeFrom;  // ours: continue from this offset
  // Ours: the session the attaching client runs inside ($PTYCTL_SESSION_ID of
  // ptyctl attach), listed in viewedFrom so nesting loops can be refused.
  std::optional<std::string> viewerSessionId;
  // Ours: bring back the recorded session of this id (pty-supervisor's
  // records; answered restored: true), `rerun` its command. Without it a
  // recorded id is a fresh session: the app restores its own way.
  std::optional<bool> restore;
  std::optional<bool> rerun;
  bool operator==(const CreateOrAttachRequest&) const = default;
};
PTYCTL_PROTO_JSON(CreateOrAttachRequest);

struct CancelCreateOrAttachRequest {
  static constexpr std::string_view kType = "cancelCreateOrAttach";
  using Result = SuccessResult;  // its success payload
  std::string sessionId;
  std::string requestId;
  bool operator==(const CancelCreateOrAttachRequest&) const = default;
};
PTYCTL_PROTO_JSON(CancelCreateOrAttachRequest);

struct WriteRequest {
  static constexpr std::string_view kType = "write";
  using Result = SuccessResult;  // its success payload
  std::string sessionId;
  std::string data;
  bool operator==(const WriteRequest&) const = default;
};
PTYCTL_PROTO_JSON(WriteRequest);

struct ResizeRequest {
  static constexpr std::string_view kType = "resize";
  using Result = SuccessResult;  // its success payload
  std::string sessionId;
  int cols = 80;
  int rows = 24;
  bool operator==(const ResizeRequest&) const = default;
};
PTYCTL_PROTO_JSON(ResizeRequest);

struct DetachRequest {
  static constexpr std::string_view kType = "detach";
  using Result = SuccessResult;  // its success payload
  std::string sessionId;
  bool operator==(const DetachRequest&) const = default;
};
PTYCTL_PROTO_JSON(DetachRequest);

struct SignalRequest {
  static constexpr std::string_view kType = "signal";
  using Result = SuccessResult;  // its success payload
  std::string sessionId;
  std::string signal;
  bool operator==(const SignalRequest&) const = default;
};
PTYCTL_PROTO_JSON(SignalRequest);

struct KillRequest {
  static constexpr std::string_view kType = "kill";
  using Result = SuccessResult;  // its success payload
  std::string sessionId;
  std::optional<bool> deleteHistory;
  bool operator==(const KillRequest&) const = default;
};
PTYCTL_PROTO_JSON(KillRequest);

struct KillAllRequest {
  static constexpr std::string_view kType = "killAll";
  using Result = SuccessResult;  // its success payload
  std::optional<bool> deleteHistory;
  bool operator==(const KillAllRequest&) const = default;
};
PTYCTL_PROTO_JSON(KillAllRequest);

struct ListSessionsRequest {
  static constexpr std::string_view kType = "listSessions";
  using Result = ListSessionsResult;  // its success payload
  // Ours: also the recorded sessions that can be restored (restorable: true).
  std::optional<bool> includeRestorable;
  bool operator==(const ListSessionsRequest&) const = default;
};
PTYCTL_PROTO_JSON(ListSessionsRequest);

struct ClearScrollbackRequest {
  static constexpr std::string_view kType = "clearScrollback";
  using Result = SuccessResult;  // its success payload
  std::string sessionId;
  bool operator==(const ClearScrollbackRequest&) const = default;
};
PTYCTL_PROTO_JSON(ClearScrollbackRequest);

struct ShutdownRequest {
  static constexpr std::string_view kType = "shutdown";
  using Result = SuccessResult;  // its success payload
  std::optional<bool> killSessions;
  bool operator==(const ShutdownRequest&) const = default;
};
PTYCTL_PROTO_JSON(ShutdownRequest);

struct GetSnapshotRequest {  // ours (additive)
  static constexpr std::string_view kType = "getSnapshot";
  using Result = GetSnapshotResult;  // its success payload
  std::string sessionId;
  bool operator==(const GetSnapshotRequest&) const = default;
};
PTYCTL_PROTO_JSON(GetSnapshotRequest);

// Every request after hello on a control socket.
using Requests =
    RequestSet<CreateOrAttachRequest, CancelCreateOrAttachRequest, WriteRequest, ResizeRequest,
               DetachRequest, SignalRequest, KillRequest, KillAllRequest, ListSessionsRequest,
               ClearScrollbackRequest, ShutdownRequest, GetSnapshotRequest>;

// --- success payloads -----------------------------------------------------

struct HelloResult {
  int protocolVersion = 0;
  std::string daemonVersion;
  int daemonPid = 0;
  bool operator==(const HelloResult&) const = default;
};
PTYCTL_PROTO_JSON(HelloResult);

struct CreateOrAttachResult {
  bool isNew = true;
  Snapshot snapshot;
  bool wasRecovered = false;  // !isNew && alive
  int pid = 0;
  std::optional<bool> resumed;   // ours: answered when resumeFrom was given
  std::optional<bool> restored;  // ours: answered true when restore brought it back
  bool operator==(const CreateOrAttachResult&) const = default;
};
PTYCTL_PROTO_JSON(CreateOrAttachResult);

struct SuccessResult {
  bool success = true;
  bool operator==(const SuccessResult&) const = default;
};
PTYCTL_PROTO_JSON(SuccessResult);

struct SessionSummary {
  std::string sessionId;
  std::string workspaceId;
  std::string paneId;
  bool isAlive = true;
  int attachedClients = 0;
  int pid = 0;
  std::optional<std::string> createdAt;       // ISO 8601, UTC
  std::optional<std::string> lastAttachedAt;  // ISO 8601, UTC
  std::optional<std::string> shell;
  // Ours (additive), for `ptyctl ls`:
  std::optional<std::string> cwd;
  std::optional<std::string> command;
  std::optional<int> cols;
  std::optional<int> rows;
  std::optional<int> exitCode;
  std::optional<std::uint64_t> offset;
  // The sessions inside which a viewer of this one runs (viewerSessionId).
  std::optional<std::vector<std::string>> viewedFrom;
  std::optional<bool> restorable;  // listed with includeRestorable: a record, not a session
  bool operator==(const SessionSummary&) const = default;
};
PTYCTL_PROTO_JSON(SessionSummary);

struct ListSessionsResult {
  std::vector<SessionSummary> sessions;
  bool operator==(const ListSessionsResult&) const = default;
};
PTYCTL_PROTO_JSON(ListSessionsResult);

struct GetSnapshotResult {
  Snapshot snapshot;
  bool operator==(const GetSnapshotResult&) const = default;
};
PTYCTL_PROTO_JSON(GetSnapshotResult);

// --- event payloads (the payload carries its own `type`) -------------------

struct DataEvent {
  static constexpr std::string_view kEvent = "data";
  std::string type = "data";
  std::string data;                     // valid UTF-8, never a split sequence
  std::optional<std::uint64_t> offset;  // ours: byte offset of data's first byte
  // Ours: the offset after this event's bytes, the resumeFrom that continues
  // it (data may hold U+FFFD for invalid bytes, so its length can differ).
  std::optional<std::uint64_t> endOffset;
  bool operator==(const DataEvent&) const = default;
};
PTYCTL_PROTO_JSON(DataEvent);

struct ExitEvent {
  static constexpr std::string_view kEvent = "exit";
  std::string type = "exit";
  int exitCode = 0;
  std::optional<int> signal;  // left out when 0
  bool operator==(const ExitEvent&) const = default;
};
PTYCTL_PROTO_JSON(ExitEvent);

struct ErrorEvent {
  static constexpr std::string_view kEvent = "error";
  std::string type = "error";
  std::string error;
  std::optional<std::string> code;  // WRITE_QUEUE_FULL, SUBPROCESS_ERROR, WRITE_FAILED, UNKNOWN
  bool operator==(const ErrorEvent&) const = default;
};
PTYCTL_PROTO_JSON(ErrorEvent);

// One line of a stream socket as a client reads it: the session and its
// event. An event type this version does not know is monostate (a newer
// server may send more).
struct StreamEvent {
  std::string sessionId;
  std::variant<std::monostate, DataEvent, ExitEvent, ErrorEvent> event;
};
// Throws ProtocolError (INVALID_PAYLOAD) for a line that is not an event.
StreamEvent parse_stream_event(const boost::json::object& line);

}  // namespace ptyctl::proto::client
