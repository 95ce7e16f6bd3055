// ptyctl upgrade supervisor [--binary PATH] [--json]: pty-supervisor execs a
// new binary in place (same pid, every shell and byte kept; docs/upgrade.md).

#include "host_link.hpp"
#include "options.hpp"

#include <ptyctl/proto/envelope.hpp>
#include <ptyctl/proto/frame_codec.hpp>
#include <ptyctl/proto/paths.hpp>
#include <ptyctl/proto/supervisor_messages.hpp>
#include <ptyctl/proto/version.hpp>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <boost/json.hpp>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <iostream>

namespace ptyctl::cli {

namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

// A blocking wire-1 client for one request after hello.
class SupervisorLink {
 public:
  explicit SupervisorLink(const std::string& socket_path) : path_(socket_path) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (socket_path.size() >= sizeof addr.sun_path)
      throw CliError(kUnreachable, "the socket path is too long: " + socket_path);
    std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
    if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
      throw CliError(kUnreachable, "pty-supervisor is not running on " + socket_path + " (" +
                                       std::strerror(errno) + ")");
    check_server_peer(fd_, socket_path);
  }
  ~SupervisorLink() {
    if (fd_ >= 0) ::close(fd_);
  }
  SupervisorLink(const SupervisorLink&) = delete;

  proto::Response call(const std::string& id, const json::object& request,
                       std::chrono::seconds timeout) {
    const std::string frame = proto::encode_frame(request);
    std::size_t done = 0;
    while (done < frame.size()) {
      const ssize_t n = ::send(fd_, frame.data() + done, frame.size() - done, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0)
        throw CliError(kUnreachable,
                       "pty-supervisor went away: " + std::string(std::strerror(errno)));
      done += static_cast<std::size_t>(n);
    }
    const auto deadline = Clock::now() + timeout;
    for (;;) {
      while (auto f = decoder_.next()) {
        auto env = proto::parse_envelope(f->json);
        if (auto* r = std::get_if<proto::Response>(&env); r && r->id == id) return *r;
      }
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) throw CliError(kFailed, "pty-supervisor did not answer on " + path_);
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
      char buf[65536];
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw CliError(kFailed, "pty-supervisor closed the connection without an answer");
      decoder_.feed(std::string_view(buf, static_cast<std::size_t>(n)));
    }
  }

 private:
  std::string path_;
  int fd_ = -1;
  proto::FrameDecoder decoder_;
};

}  // namespace

int cmd_upgrade(const Globals& globals, const std::vector<std::string>& args) {
  VerbOptions verb{po::options_description("Options"),
                   {},
                   po::options_description(),
                   "ptyctl upgrade supervisor [--binary PATH] [--json]",
                   "Has pty-supervisor exec a new binary in place: the same pid, every session, "
                   "its shell and its output kept. The new binary (default: the one at the path "
                   "the supervisor was started from, so an installed new version is picked up) "
                   "first checks the supervisor's state; if it refuses, or cannot take over, "
                   "nothing changes and the reason is printed. terminal-host and its clients "
                   "reconnect on their own. (terminal-host itself: ptyctl restart terminal-host.)"};
  std::string kind, binary;
  bool as_json = false;
  verb.options.add_options()("binary", po::value(&binary), "the new pty-supervisor binary")(
      "json", po::bool_switch(&as_json), "print the answer as JSON");
  verb.hidden.add_options()("kind", po::value(&kind)->required());
  verb.positional.add("kind", 1);
  auto vm = parse(verb, args);
  if (!vm) return kOk;
  if (kind != "supervisor" && kind != "pty-supervisor")
    throw CliError(kUsage,
                   "only the supervisor upgrades in place (terminal-host: ptyctl restart "
                   "terminal-host)");
  // The supervisor runs elsewhere: a relative path is ours.
  if (!binary.empty()) binary = std::filesystem::absolute(binary).lexically_normal().string();

  check_state_dir_to_connect(globals);
  SupervisorLink link(globals.state_dir + "/" + std::string(proto::kSupervisorSocket));
  proto::sup::HelloRequest hello;
  hello.protocolVersion = proto::kSupervisorProtocolVersion;
  hello.daemonPid = static_cast<int>(::getpid());
  hello.daemonVersion = "ptyctl " + std::string(proto::kPtyctlVersion);
  // (Request ids of our choosing; the types come from the payloads.)
  const auto said =
      link.call("req-1", proto::make_request("req-1", hello), std::chrono::seconds(10));
  if (!said.ok) throw CliError(kFailed, "pty-supervisor refused hello: " + said.error->message);
  proto::sup::PrepareUpgradeRequest request;
  if (!binary.empty()) request.binary = binary;
  // The new binary's check may take up to 10 s; the exec and restore follow.
  const auto r =
      link.call("req-2", proto::make_request("req-2", request), std::chrono::seconds(60));
  if (!r.ok) {
    if (as_json) std::cout << json::serialize(json::value_from(*r.error)) << "\n";
    throw CliError(kFailed, "the upgrade did not happen: " + r.error->message);
  }
  const auto result = json::value_to<proto::sup::PrepareUpgradeResult>(r.payload);
  if (as_json) {
    std::cout << json::serialize(r.payload) << "\n";
  } else {
    std::cout << "pty-supervisor upgraded in place: " << result.previousVersion << " -> "
              << result.version << ", pid " << result.supervisorPid << ", " << result.tookMs
              << " ms\n";
  }
  return kOk;
}

}  // namespace ptyctl::cli
