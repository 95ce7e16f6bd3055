#pragma once
// Wire 1 (pty-supervisor.sock) messages: the payloads of requests, responses
// and events between terminal-host (or a test) and pty-supervisor. Raw bytes
// (write input, data output) travel in the frame's payload, not in the JSON.

#include <ptyctl/proto/envelope.hpp>
#include <ptyctl/proto/snapshot.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ptyctl::proto::sup {

struct SessionInfo {
  std::string sessionId;
  int pid = 0;
  bool isAlive = true;
  std::optional<int> exitCode;
  std::optional<int> signal;  // number of the signal that ended it
  int cols = 80;
  int rows = 24;
  std::string cwd;
  std::string shell;
  std::optional<std::string> command;
  std::string workspaceId;
  std::string paneId;
  std::int64_t createdAt = 0;                  // ms since the epoch
  std::optional<std::int64_t> lastAttachedAt;  // ms since the epoch; absent if never
  std::uint64_t offset = 0;                    // end of its output so far
  int attachedClients = 0;
  // Ours (additive): a record of a session that did not outlive the last
  // pty-supervisor (a crash, a reboot, a stop); createSession {restore}
  // brings it back. Not alive, no pid; `cwd` is where it was last.
  std::optional<bool> restorable;
  std::optional<std::int64_t> recordedAt;  // ms since the epoch: its record's last write
  bool operator==(const SessionInfo&) const = default;
};
PTYCTL_PROTO_JSON(SessionInfo);

// --- requests -------------------------------------------------------------

// Each request names its success payload (Result): SupervisorClient::call is
// typed end to end.
struct HelloResult;
struct CreateSessionResult;
struct AttachSessionResult;
struct EmptyResult;
struct GetSnapshotResult;
struct ListSessionsResult;
struct PrepareUpgradeResult;

struct HelloRequest {
  static constexpr std::string_view kType = "hello";
  using Result = HelloResult;  // its success payload
  int protocolVersion = 0;
  int daemonPid = 0;
  std::string daemonVersion;
  bool operator==(const HelloRequest&) const = default;
};
PTYCTL_PROTO_JSON(HelloRequest);

struct CreateSessionRequest {
  static constexpr std::string_view kType = "createSession";
  using Result = CreateSessionResult;  // its success payload
  std::string sessionId;
  int cols = 80;
  int rows = 24;
  std::optional<std::string> cwd;
  std::optional<std::string> shell;
  std::optional<std::vector<std::string>> args;
  std::optional<std::string> command;
  std::optional<std::map<std::string, std::string>> env;
  // false: the program gets `env` (plus TERM and PTYCTL_SESSION_ID) and
  // nothing of the supervisor's own environment. Default true.
  std::optional<bool> inheritEnv;
  std::optional<std::string> workspaceId;
  std::optional<std::string> paneId;
  // Ours (additive): with a record of this id and no live session, a new
  // shell in the recorded cwd and size, below the recorded scrollback and
  // screen (docs/operations.md, "Records and restore"); the other fields are
  // then unused. `rerun`: the recorded command, not the shell.
  std::optional<bool> restore;
  std::optional<bool> rerun;
  bool operator==(const CreateSessionRequest&) const = default;
};
PTYCTL_PROTO_JSON(CreateSessionRequest);

struct AttachSessionRequest {
  static constexpr std::string_view kType = "attachSession";
  using Result = AttachSessionResult;  // its success payload
  std::string sessionId;
  std::optional<std::uint64_t> fromOffset;
  bool operator==(const AttachSessionRequest&) const = default;
};
PTYCTL_PROTO_JSON(AttachSessionRequest);

struct DetachSessionRequest {
  static constexpr std::string_view kType = "detachSession";
  using Result = EmptyResult;  // its success payload
  std::string sessionId;
  bool operator==(const DetachSessionRequest&) const = default;
};
PTYCTL_PROTO_JSON(DetachSessionRequest);

struct WriteRequest {  // the bytes are the frame's payload
  static constexpr std::string_view kType = "write";
  using Result = EmptyResult;  // its success payload
  std::string sessionId;
  // Answered only when it fails (a keystroke's write: terminal-host drops
  // the answer anyway). Later answers say it was taken (docs/protocol.md).
  std::optional<bool> noReply;
  bool operator==(const WriteRequest&) const = default;
};
PTYCTL_PROTO_JSON(WriteRequest);

struct ResizeRequest {
  static constexpr std::string_view kType = "resize";
  using Result = EmptyResult;  // its success payload
  std::string sessionId;
  int cols = 80;
  int rows = 24;
  bool operator==(const ResizeRequest&) const = default;
};
PTYCTL_PROTO_JSON(ResizeRequest);

struct GetSnapshotRequest {
  static constexpr std::string_view kType = "getSnapshot";
  using Result = GetSnapshotResult;  // its success payload
  std::string sessionId;
  bool operator==(const GetSnapshotRequest&) const = default;
};
PTYCTL_PROTO_JSON(GetSnapshotRequest);

struct KillSessionRequest {
  static constexpr std::string_view kType = "killSession";
  using Result = EmptyResult;  // its success payload
  std::string sessionId;
  std::optional<std::string> signal;  // default SIGHUP
  // Ours (additive): the record goes once the session has ended, instead of
  // staying listed as ended (a cancelled createOrAttach disposes its session).
  std::optional<bool> forget;
  bool operator==(const KillSessionRequest&) const = default;
};
PTYCTL_PROTO_JSON(KillSessionRequest);

struct SignalRequest {
  static constexpr std::string_view kType = "signal";
  using Result = EmptyResult;  // its success payload
  std::string sessionId;
  std::string signal;
  bool operator==(const SignalRequest&) const = default;
};
PTYCTL_PROTO_JSON(SignalRequest);

struct ListSessionsRequest {
  static constexpr std::string_view kType = "listSessions";
  using Result = ListSessionsResult;  // its success payload
  bool operator==(const ListSessionsRequest&) const = default;
};
PTYCTL_PROTO_JSON(ListSessionsRequest);

struct ClearScrollbackRequest {
  static constexpr std::string_view kType = "clearScrollback";
  using Result = EmptyResult;  // its success payload
  std::string sessionId;
  bool operator==(const ClearScrollbackRequest&) const = default;
};
PTYCTL_PROTO_JSON(ClearScrollbackRequest);

struct PrepareUpgradeRequest {
  static constexpr std::string_view kType = "prepareUpgrade";
  using Result = PrepareUpgradeResult;  // its success payload
  std::optional<std::string> binary;
  bool operator==(const PrepareUpgradeRequest&) const = default;
};
PTYCTL_PROTO_JSON(PrepareUpgradeRequest);

using Requests =
    RequestSet<HelloRequest, CreateSessionRequest, AttachSessionRequest, DetachSessionRequest,
               WriteRequest, ResizeRequest, GetSnapshotRequest, KillSessionRequest, SignalRequest,
               ListSessionsRequest, ClearScrollbackRequest, PrepareUpgradeRequest>;

// Checks a hello payload: a protocolVersion other than ours is PROTOCOL_MISMATCH
// (checked before any other field, so an old peer learns why).
HelloRequest validate_hello(const boost::json::value& payload);

// --- success payloads -----------------------------------------------------

struct HelloResult {
  int protocolVersion = 0;
  int supervisorPid = 0;
  std::string supervisorVersion;
  std::vector<SessionInfo> sessions;
  bool operator==(const HelloResult&) const = default;
};
PTYCTL_PROTO_JSON(HelloResult);

// prepareUpgrade's answer, from the new image (docs/upgrade.md).
struct PrepareUpgradeResult {
  std::string previousVersion;
  std::string version;
  int supervisorPid = 0;
  std::int64_t tookMs = 0;  // from the request to serving again
  bool operator==(const PrepareUpgradeResult&) const = default;
};
PTYCTL_PROTO_JSON(PrepareUpgradeResult);

struct CreateSessionResult {
  std::string sessionId;
  int pid = 0;
  bool isNew = true;
  std::optional<bool> restored;  // ours: answered true when it came from a record
  bool operator==(const CreateSessionResult&) const = default;
};
PTYCTL_PROTO_JSON(CreateSessionResult);

struct AttachSessionResult {
  Snapshot snapshot;
  bool resumed = false;  // true: data follows from fromOffset; false: from snapshot.offset
  std::optional<SessionInfo> session;  // the session as it is at attach time
  bool operator==(const AttachSessionResult&) const = default;
};
PTYCTL_PROTO_JSON(AttachSessionResult);

struct GetSnapshotResult {
  Snapshot snapshot;
  std::optional<SessionInfo> session;  // the session as it is now
  bool operator==(const GetSnapshotResult&) const = default;
};
PTYCTL_PROTO_JSON(GetSnapshotResult);

struct ListSessionsResult {
  std::vector<SessionInfo> sessions;
  bool operator==(const ListSessionsResult&) const = default;
};
PTYCTL_PROTO_JSON(ListSessionsResult);

struct EmptyResult {
  bool operator==(const EmptyResult&) const = default;
};
PTYCTL_PROTO_JSON(EmptyResult);

// --- events ---------------------------------------------------------------

struct DataEvent {  // the bytes are the frame's payload
  static constexpr std::string_view kEvent = "data";
  std::uint64_t offset = 0;  // offset of the first byte of the payload
  bool operator==(const DataEvent&) const = default;
};
PTYCTL_PROTO_JSON(DataEvent);

struct ExitEvent {
  static constexpr std::string_view kEvent = "exit";
  int exitCode = 0;
  std::optional<int> signal;
  bool operator==(const ExitEvent&) const = default;
};
PTYCTL_PROTO_JSON(ExitEvent);

// A connection that fell behind the output ring: forget what was shown,
// repaint from this snapshot; data events continue from snapshot.offset.
struct SnapshotEvent {
  static constexpr std::string_view kEvent = "snapshot";
  Snapshot snapshot;
  bool operator==(const SnapshotEvent&) const = default;
};
PTYCTL_PROTO_JSON(SnapshotEvent);

struct ErrorEvent {
  static constexpr std::string_view kEvent = "error";
  std::string error;
  std::string code;
  bool operator==(const ErrorEvent&) const = default;
};
PTYCTL_PROTO_JSON(ErrorEvent);

}  // namespace ptyctl::proto::sup
