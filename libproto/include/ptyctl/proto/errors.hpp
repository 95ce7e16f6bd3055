#pragma once
// Stable error codes of both wires and the exception that carries one.
// Codes are part of the protocol: never rename one, only add.

#include <stdexcept>
#include <string>
#include <string_view>

namespace ptyctl::proto {

namespace code {
// Framing (wire 1) and line (wire 2) errors: the connection is closed.
inline constexpr std::string_view kFrameTooLarge = "FRAME_TOO_LARGE";
inline constexpr std::string_view kBadFrame = "BAD_FRAME";
inline constexpr std::string_view kBadJson = "BAD_JSON";
inline constexpr std::string_view kNotAnObject = "NOT_AN_OBJECT";
inline constexpr std::string_view kLineTooLong = "LINE_TOO_LONG";
// Envelope and payload validation.
inline constexpr std::string_view kInvalidRequest = "INVALID_REQUEST";
inline constexpr std::string_view kInvalidPayload = "INVALID_PAYLOAD";
inline constexpr std::string_view kInvalidSessionId = "INVALID_SESSION_ID";
inline constexpr std::string_view kUnknownRequest = "UNKNOWN_REQUEST";
// Handshake.
inline constexpr std::string_view kProtocolMismatch = "PROTOCOL_MISMATCH";
inline constexpr std::string_view kAuthFailed = "AUTH_FAILED";
inline constexpr std::string_view kInvalidHello = "INVALID_HELLO";
inline constexpr std::string_view kNotAuthenticated = "NOT_AUTHENTICATED";
inline constexpr std::string_view kInvalidRole = "INVALID_ROLE";
inline constexpr std::string_view kPermissionDenied = "PERMISSION_DENIED";
inline constexpr std::string_view kAlreadyAuthenticated = "ALREADY_AUTHENTICATED";
inline constexpr std::string_view kHelloTimeout = "HELLO_TIMEOUT";
inline constexpr std::string_view kTooManyConnections = "TOO_MANY_CONNECTIONS";
// Sessions.
inline constexpr std::string_view kSessionNotFound = "SESSION_NOT_FOUND";
inline constexpr std::string_view kSessionExists = "SESSION_EXISTS";
inline constexpr std::string_view kStreamNotConnected = "STREAM_NOT_CONNECTED";
inline constexpr std::string_view kCreateAttachFailed = "CREATE_ATTACH_FAILED";
inline constexpr std::string_view kSpawnFailed = "SPAWN_FAILED";
inline constexpr std::string_view kWriteFailed = "WRITE_FAILED";
inline constexpr std::string_view kWriteQueueFull = "WRITE_QUEUE_FULL";
inline constexpr std::string_view kSubprocessError = "SUBPROCESS_ERROR";
inline constexpr std::string_view kInvalidSignal = "INVALID_SIGNAL";
inline constexpr std::string_view kUpgradeFailed = "UPGRADE_FAILED";
inline constexpr std::string_view kInternalError = "INTERNAL_ERROR";
inline constexpr std::string_view kUnknown = "UNKNOWN";
}  // namespace code

// A protocol-level failure with its stable code; `what()` is the human message.
class ProtocolError : public std::runtime_error {
 public:
  ProtocolError(std::string_view code, const std::string& message)
      : std::runtime_error(message), code_(code) {}
  const std::string& code() const noexcept { return code_; }

 private:
  std::string code_;
};

}  // namespace ptyctl::proto
