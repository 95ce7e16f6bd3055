#pragma once
// The ssh bridge's framing (`ptyctl --host`, docs/protocol.md "The ssh
// bridge"): wire 2's two connections, control and stream, carried over one
// byte stream (an ssh channel). Each line is one tag byte and a line:
//
//   'b' {"bridgeVersion","ptyctlVersion"}  first, from the bridge, once it
//                                          reaches terminal-host
//   'e' {"code","message"}                 from the bridge, instead, then it ends
//   'c' <wire-2 line>                      of the control connection
//   's' <wire-2 line>                      of the stream connection
//
// The remote side fills in the token of each hello (read there, from its own
// state directory): it never crosses the network.

#include <ptyctl/proto/client_messages.hpp>
#include <ptyctl/proto/envelope.hpp>
#include <ptyctl/proto/json_conv.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ptyctl::proto::bridge {

// Bumped when the framing changes; both ends must agree.
inline constexpr int kBridgeVersion = 1;

inline constexpr char kGreeting = 'b';
inline constexpr char kFailure = 'e';
inline constexpr char kControl = 'c';
inline constexpr char kStream = 's';

// The code of the bridge's failure line when terminal-host cannot be reached
// there (its message says why).
inline constexpr std::string_view kUnreachableCode = "TERMINAL_HOST_UNREACHABLE";

// A line longer than this (a wire-2 line is at most 64 MiB) ends the bridge.
inline constexpr std::size_t kMaxLine = 65u * 1024 * 1024;

struct Greeting {
  int bridgeVersion = 0;
  std::string ptyctlVersion;
  bool operator==(const Greeting&) const = default;
};
PTYCTL_PROTO_JSON(Greeting);

// `ptyctl ls --json` with --host more than once: one of these per host, in
// the order given; `error` instead of sessions when it could not be listed.
struct HostListing {
  std::string host;
  std::vector<client::SessionSummary> sessions;
  std::optional<ErrorInfo> error;
  bool operator==(const HostListing&) const = default;
};
PTYCTL_PROTO_JSON(HostListing);

// One tagged line, '\n' included.
std::string encode(char tag, std::string_view line_without_newline);
std::string encode_greeting();
std::string encode_failure(std::string_view code, std::string_view message);
// The greeting or failure after its tag (ProtocolError when it is neither).
Greeting parse_greeting(std::string_view json);
ErrorInfo parse_failure(std::string_view json);

// The line (no '\n') with `token` put into it when it is a wire-2 hello
// request; nullopt when it is not one (it goes on as it is). Lines that do
// not contain "hello" (quoted) are not parsed.
std::optional<std::string> with_token(std::string_view line, std::string_view token);

// Splits a byte stream into lines (without '\n'). failed() once a line is
// longer than kMaxLine: the stream cannot be trusted after that.
class LineSplitter {
 public:
  void feed(std::string_view bytes);
  std::optional<std::string> next();
  bool failed() const { return failed_; }

 private:
  std::string buffer_;
  std::size_t consumed_ = 0;
  std::size_t scanned_ = 0;
  bool failed_ = false;
};

}  // namespace ptyctl::proto::bridge
