#pragma once
// One client of pty-supervisor.sock (terminal-host, a test). A reader
// coroutine decodes frames and answers requests; a writer coroutine sends
// responses, then pulls output of the attached sessions from their rings.
// Output is never queued per connection: a reader that falls behind a ring
// gets a snapshot and continues from its offset (we never pause a program for
// a slow reader).

#include "session.hpp"

#include <ptyctl/common/stream_writer.hpp>
#include <ptyctl/proto/envelope.hpp>
#include <ptyctl/proto/frame_codec.hpp>

#include <boost/asio.hpp>
#include <boost/json.hpp>

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ptyctl::sup {

class Supervisor;

// Responses and events waiting for a connection that does not read; past
// this it is closed (its sessions go on).
inline constexpr std::size_t kMaxPendingResponses = 16u * 1024 * 1024;
// One data event carries at most this much.
inline constexpr std::size_t kMaxDataChunk = 256u * 1024;
// A round of output gives each session with output pending at least this.
inline constexpr std::size_t kMinDataShare = 16u * 1024;

class Connection : public SessionObserver, public std::enable_shared_from_this<Connection> {
 public:
  Connection(Supervisor& supervisor, asio::local::stream_protocol::socket socket);
  ~Connection() override;

  void start();
  // The connection that asked for an upgrade, in the image after the exec:
  // already past hello; answers the request with `result`, or UPGRADE_FAILED
  // and `failure` (a rollback).
  void start_after_upgrade(const std::string& request_id, const std::optional<std::string>& failure,
                           boost::json::value result);
  // Says why in one frame, then closes (too many connections waiting).
  void refuse(std::string_view code, const std::string& message);
  void close();
  void on_output(Session& session) override;
  void on_finished(Session& session) override;
  bool behind(const Session& session) const override;
  // The exit of a session nobody watched, for this connection.
  void send_exit(const std::string& session_id, const proto::sup::ExitEvent& exit);
  bool authenticated() const { return hello_done_; }
  // The socket's fd (handed over by an upgrade), -1 once closed.
  int native_handle() { return closed_ || !socket_.is_open() ? -1 : socket_.native_handle(); }

 private:
  struct Subscription {
    std::shared_ptr<Session> session;
    std::uint64_t sent_to = 0;
    bool exit_sent = false;
    // Output flows once the attach is answered (its snapshot comes from the
    // emulators' thread), and not while a catch-up snapshot is on its way.
    bool answered = false;
    bool snapshot_pending = false;
    std::uint64_t generation = 0;  // which attach this is (a later one replaces it)
  };

  asio::awaitable<void> read_loop();
  asio::awaitable<void> write_loop();
  asio::awaitable<void> hello_deadline();
  void gather_output(std::vector<std::string>& frames);
  void handle(proto::Frame& frame);
  void dispatch(const proto::Request& request, const std::string& payload_bytes);
  // One handler per request (tmux's one entry per command); `bytes` is the
  // frame's payload, which only a write has.
  void on(const std::string& id, const proto::sup::CreateSessionRequest& p,
          const std::string& bytes);
  void on(const std::string& id, const proto::sup::AttachSessionRequest& p,
          const std::string& bytes);
  void on(const std::string& id, const proto::sup::DetachSessionRequest& p,
          const std::string& bytes);
  void on(const std::string& id, const proto::sup::WriteRequest& p, const std::string& bytes);
  void on(const std::string& id, const proto::sup::ResizeRequest& p, const std::string& bytes);
  void on(const std::string& id, const proto::sup::GetSnapshotRequest& p, const std::string& bytes);
  void on(const std::string& id, const proto::sup::KillSessionRequest& p, const std::string& bytes);
  void on(const std::string& id, const proto::sup::SignalRequest& p, const std::string& bytes);
  void on(const std::string& id, const proto::sup::ListSessionsRequest& p,
          const std::string& bytes);
  void on(const std::string& id, const proto::sup::ClearScrollbackRequest& p,
          const std::string& bytes);
  void on(const std::string& id, const proto::sup::PrepareUpgradeRequest& p,
          const std::string& bytes);
  void on(const std::string& id, const proto::sup::HelloRequest& p, const std::string& bytes);
  std::shared_ptr<Session> session_of(const std::string& id) const;
  void respond(const std::string& id, boost::json::value payload);
  void fail(const std::string& id, std::string_view code, const std::string& message);
  void queue(std::string frame);
  void wake();
  void detach_all();
  std::string exit_event(Session& session);

  Supervisor& supervisor_;
  asio::local::stream_protocol::socket socket_;
  StreamWriter writer_;
  proto::FrameDecoder decoder_;
  std::map<std::string, Subscription> subs_;
  std::uint64_t attaches_ = 0;
  bool hello_done_ = false;
  bool closed_ = false;
};

}  // namespace ptyctl::sup
