#pragma once
// terminal-host's one wire-1 connection to pty-supervisor, shared by every
// session. Starts a supervisor when none answers (unless told not to),
// reconnects with backoff when the connection drops, and lets the owner
// re-attach its sessions after each hello.

#include <ptyctl/common/async_event.hpp>
#include <ptyctl/common/stream_writer.hpp>

#include <ptyctl/proto/envelope.hpp>
#include <ptyctl/proto/frame_codec.hpp>
#include <ptyctl/proto/supervisor_messages.hpp>

#include <boost/asio.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ptyctl::host {

namespace asio = boost::asio;

// What may wait for a supervisor that does not read terminal-host's requests
// (its own input queues hold 64 MiB per session); past it the connection is
// dropped and made again.
inline constexpr std::size_t kMaxQueuedToSupervisor = 64u * 1024 * 1024;

struct SupervisorClientOptions {
  std::string state_dir;
  bool spawn = true;              // --spawn-supervisor=auto
  std::string supervisor_binary;  // empty: pty-supervisor beside our binary, else $PATH
  std::string log_level = "info";
  std::string instance = "default";               // --name of a supervisor we start (ours)
  std::chrono::milliseconds call_timeout{10000};  // how long a call waits for a connection
};

class SupervisorClient {
 public:
  SupervisorClient(asio::io_context& io, SupervisorClientOptions options);

  void start();
  void stop();
  // Closes the connection; it is made again at once (and sessions with
  // clients resubscribed). Diagnostics: terminal-host does it on SIGUSR1.
  void drop_connection();

  // Sends a request and waits for its answer. Returns the success payload;
  // throws ProtocolError with the supervisor's code, or SUBPROCESS_ERROR when
  // no supervisor can be reached or the connection drops first.
  // R is a wire-1 request of libproto's (R::kType, R::Result); `bytes` are
  // the frame's payload (a write's input).
  template <class R>
  asio::awaitable<typename R::Result> call(const R& request, std::string_view bytes = {}) {
    boost::json::value payload = boost::json::value_from(request);
    const boost::json::value answer = co_await call_raw(R::kType, std::move(payload), bytes);
    co_return boost::json::value_to<typename R::Result>(answer);
  }

  // The same without waiting for readiness: for on_connected, which runs
  // before the connection is ready for everyone else.
  template <class R>
  asio::awaitable<typename R::Result> call_now(const R& request) {
    boost::json::value payload = boost::json::value_from(request);
    const boost::json::value answer = co_await send_and_wait(R::kType, std::move(payload), {});
    co_return boost::json::value_to<typename R::Result>(answer);
  }

  // A write answered only if it fails (a keystroke): returns once it is
  // queued; `failed` runs with the supervisor's error if it does, or if the
  // connection drops before a later answer says it was taken. Throws as
  // call() does when no supervisor can be reached.
  asio::awaitable<void> write_unanswered(proto::sup::WriteRequest request, std::string_view bytes,
                                         std::function<void(const proto::ProtocolError&)> failed);

  bool connected() const { return connected_; }
  int supervisor_pid() const { return supervisor_pid_; }

  // An event from the supervisor (data carries its bytes; others none).
  std::function<void(const proto::Event& event, std::string_view bytes)> on_event;
  // Runs after every hello, before calls queued meanwhile are sent.
  std::function<asio::awaitable<void>()> on_connected;
  // The connection dropped; calls in flight have failed.
  std::function<void()> on_disconnected;

 private:
  struct Pending {
    asio::steady_timer* done;
    std::optional<proto::Response> response;
  };

  asio::awaitable<void> run();
  asio::awaitable<bool> connect_once();
  asio::awaitable<void> spawn_supervisor();
  asio::awaitable<void> read_loop();
  asio::awaitable<void> write_loop();
  asio::awaitable<boost::json::value> call_raw(std::string_view type, boost::json::value payload,
                                               std::string_view bytes);
  asio::awaitable<boost::json::value> send_and_wait(std::string_view type,
                                                    boost::json::value payload,
                                                    std::string_view bytes);
  void fail_pending(const std::string& why);
  // Until the connection is ready (hello done), at most call_timeout;
  // throws SUBPROCESS_ERROR past it.
  asio::awaitable<void> wait_until_ready();
  // Queues a frame; sent at once if nothing else is on its way.
  void send_frame(std::string frame);
  // An answer to request `id` came: the unanswered writes before it were taken.
  void settle_unanswered(const proto::Response& response);
  std::string binary() const;

  asio::io_context& io_;
  SupervisorClientOptions options_;
  std::string socket_path_;
  asio::local::stream_protocol::socket socket_;
  AsyncEvent ready_event_;                // a connection is ready, or we stop
  asio::steady_timer closed_signal_;      // cancelled when the connection drops
  std::shared_ptr<StreamWriter> writer_;  // this connection's
  std::map<std::string, Pending*> pending_;
  // Unanswered writes not yet known to be taken, by id.
  std::map<std::uint64_t, std::function<void(const proto::ProtocolError&)>> unanswered_;
  std::uint64_t next_id_ = 1;
  bool connected_ = false;
  bool ready_ = false;  // after hello and on_connected
  bool stopping_ = false;
  int supervisor_pid_ = 0;
};

}  // namespace ptyctl::host
