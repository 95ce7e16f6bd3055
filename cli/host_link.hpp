#pragma once
// ptyctl's connection to terminal-host: the desktop app's protocol (wire 2),
// control and stream sockets under one clientId. Starts terminal-host (as the
// app does) when none answers, unless told not to.

#include "bridge_pump.hpp"
#include "cli.hpp"

#include <ptyctl/common/async_event.hpp>
#include <ptyctl/proto/client_messages.hpp>
#include <ptyctl/proto/line_codec.hpp>

#include <boost/asio.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace ptyctl::cli {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

// Before ptyctl connects to a server of the state dir: the dir is ours and
// private (someone else's may hold their socket). CliError (kUnreachable).
void check_state_dir_to_connect(const Globals& globals);
// The server on `fd` runs as us, else CliError (kUnreachable).
void check_server_peer(int fd, const std::string& socket_path);

// Connects `control` and `stream` to the state dir's terminal-host, starting
// it when none answers and `autostart`; the dir and the server's uid checked.
// CliError(kUnreachable).
asio::awaitable<void> connect_local_host(asio::io_context& io, const Globals& globals,
                                         bool autostart,
                                         asio::local::stream_protocol::socket& control,
                                         asio::local::stream_protocol::socket& stream);
// The state dir's client token. CliError(kUnreachable).
std::string read_host_token(const Globals& globals);

class SshChannel;

// To this machine's terminal-host, or over ssh to the one of globals.remote().
class HostLink {
 public:
  // `autostart`: start terminal-host when none answers (if the globals allow
  // it). A reconnecting attach passes false: it waits for one to come back.
  HostLink(asio::io_context& io, const Globals& globals, bool autostart = true);
  ~HostLink();
  HostLink(const HostLink&) = delete;

  // Connects both sockets and says hello. Throws CliError(kUnreachable).
  asio::awaitable<void> open();
  void close();

  // A request of libproto's (R::kType names it, R::Result is its success
  // payload): throws CliError with the server's code and message
  // (SESSION_NOT_FOUND → kNoSuchSession, others → kFailed).
  template <class R>
  asio::awaitable<typename R::Result> call(const R& request) {
    const boost::json::value answer =
        co_await send_request(R::kType, boost::json::value_from(request));
    co_return boost::json::value_to<typename R::Result>(answer);
  }
  // Fire-and-forget (a notify_ write): no answer is awaited.
  template <class R>
  asio::awaitable<void> notify(const R& request) {
    co_await send_notify(R::kType, boost::json::value_from(request));
  }
  // The next event from the stream socket, or nullopt at the deadline or when
  // the connection ends (closed() then says so).
  asio::awaitable<std::optional<proto::client::StreamEvent>> next_event(Clock::time_point deadline);
  bool closed() const { return s_->closed; }

 private:
  // What the reader coroutines touch lives here, shared with them: a link
  // can be dropped (a reconnect makes a new one) while they still finish.
  struct Shared {
    explicit Shared(asio::io_context& io)
        : control(io), stream(io), arrived(io.get_executor()), writer(control, io.get_executor()) {}
    asio::local::stream_protocol::socket control;
    asio::local::stream_protocol::socket stream;
    AsyncEvent arrived;
    std::map<std::string, proto::Response> responses;
    std::deque<proto::client::StreamEvent> events;
    bool closed = false;
    SerialWriter<asio::local::stream_protocol::socket> writer;  // on control
  };

  asio::awaitable<boost::json::value> send_request(std::string_view type,
                                                   boost::json::value payload);
  asio::awaitable<void> send_notify(std::string_view type, boost::json::value payload);
  asio::awaitable<void> hello(asio::local::stream_protocol::socket& s, const char* role);
  static asio::awaitable<void> read_loop(std::shared_ptr<Shared> shared, bool control);
  asio::awaitable<void> write_line(std::string line);

  asio::io_context& io_;
  const Globals& globals_;
  bool autostart_;
  std::string where_;  // for messages: the socket, or "--host SPEC"
  std::string client_id_;
  std::shared_ptr<Shared> s_;
  std::unique_ptr<SshChannel> ssh_;  // with --host
  std::uint64_t next_id_ = 1;
};

// Runs a coroutine returning an exit code to completion on a fresh
// io_context, turning CliError into its message and code.
int run_verb(const std::function<asio::awaitable<int>(asio::io_context&)>& body);

}  // namespace ptyctl::cli
