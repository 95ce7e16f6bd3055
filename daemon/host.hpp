#pragma once
// terminal-host: serves the desktop app's protocol (version 2) on
// terminal-host.sock and routes it to pty-supervisor over one wire-1
// connection. It holds no session state a restart can lose: sessions live in
// the supervisor, and clients resume by offset.

#include "client_connection.hpp"
#include "session_route.hpp"
#include "supervisor_client.hpp"

#include <ptyctl/common/async_event.hpp>
#include <ptyctl/proto/client_messages.hpp>
#include <ptyctl/proto/envelope.hpp>
#include <ptyctl/proto/supervisor_messages.hpp>

#include <boost/asio.hpp>
#include <boost/json.hpp>

#include <map>
#include <memory>
#include <set>
#include <string>

namespace ptyctl::host {

struct HostOptions {
  std::string token;
  std::size_t stream_queue_limit = 16u * 1024 * 1024;   // per stream socket
  std::size_t control_queue_limit = 64u * 1024 * 1024;  // per control socket
  std::string default_shell;                            // $SHELL, else /bin/zsh, else /bin/sh
  std::string default_cwd;                              // $HOME, else /
  std::map<std::string, std::string> environment;       // ours, for the allow-list
};

class Host {
 public:
  Host(asio::io_context& io, asio::local::stream_protocol::acceptor acceptor, HostOptions options,
       SupervisorClient& supervisor);

  void start();
  const HostOptions& options() const { return options_; }

  // From ClientConnection.
  void on_message(const std::shared_ptr<ClientConnection>& from, boost::json::object message);
  void on_closed(const std::shared_ptr<ClientConnection>& connection);

 private:
  struct Client {
    std::weak_ptr<ClientConnection> control;
    std::weak_ptr<ClientConnection> stream;
  };
  struct AttachOutcome {
    proto::Snapshot snapshot;
    bool resumed = false;
    std::optional<proto::sup::SessionInfo> session;
  };

  // A new connection: served, or refused when too many have not said hello.
  void accepted(asio::local::stream_protocol::socket socket);
  asio::awaitable<void> wait_for_stop();
  // SIGUSR1: drop and remake the supervisor connection (diagnostics; what a
  // supervisor restart looks like to clients, without one).
  asio::awaitable<void> reconnect_on_request();
  void stop(const std::string& why);
  // After stop(): leaves the loop once every connection has sent what it had
  // queued and closed (one that does not read has a second).
  asio::awaitable<void> leave_when_flushed();

  void hello(const std::shared_ptr<ClientConnection>& from, const proto::Request& request);
  asio::awaitable<void> serve(std::shared_ptr<ClientConnection> from, proto::Request request);
  // A notify_ write: queued to the supervisor without waiting for it.
  asio::awaitable<void> notify_write(const std::shared_ptr<ClientConnection>& from,
                                     const proto::Request& request);
  asio::awaitable<boost::json::value> dispatch(const std::shared_ptr<ClientConnection>& from,
                                               const proto::Request& request);

  // One handler per request (host_requests.cpp), answering its Result.
  template <class R>
  asio::awaitable<boost::json::value> answer(const std::shared_ptr<ClientConnection>& from,
                                             const R& request) {
    const auto result = co_await on(from, request);
    co_return boost::json::value_from(result);
  }
  using Connection = std::shared_ptr<ClientConnection>;
  asio::awaitable<proto::client::CreateOrAttachResult> on(
      const Connection& from, const proto::client::CreateOrAttachRequest& r);
  asio::awaitable<proto::client::SuccessResult> on(
      const Connection& from, const proto::client::CancelCreateOrAttachRequest& r);
  asio::awaitable<proto::client::SuccessResult> on(const Connection& from,
                                                   const proto::client::WriteRequest& r);
  asio::awaitable<proto::client::SuccessResult> on(const Connection& from,
                                                   const proto::client::ResizeRequest& r);
  asio::awaitable<proto::client::SuccessResult> on(const Connection& from,
                                                   const proto::client::DetachRequest& r);
  asio::awaitable<proto::client::SuccessResult> on(const Connection& from,
                                                   const proto::client::SignalRequest& r);
  asio::awaitable<proto::client::SuccessResult> on(const Connection& from,
                                                   const proto::client::KillRequest& r);
  asio::awaitable<proto::client::SuccessResult> on(const Connection& from,
                                                   const proto::client::KillAllRequest& r);
  asio::awaitable<proto::client::ListSessionsResult> on(
      const Connection& from, const proto::client::ListSessionsRequest& r);
  asio::awaitable<proto::client::SuccessResult> on(const Connection& from,
                                                   const proto::client::ClearScrollbackRequest& r);
  asio::awaitable<proto::client::SuccessResult> on(const Connection& from,
                                                   const proto::client::ShutdownRequest& r);
  asio::awaitable<proto::client::GetSnapshotResult> on(const Connection& from,
                                                       const proto::client::GetSnapshotRequest& r);
  asio::awaitable<AttachOutcome> attach_viewer(std::shared_ptr<SessionRoute> route,
                                               std::shared_ptr<ClientConnection> stream,
                                               std::optional<std::uint64_t> resume_from,
                                               std::string inside);
  asio::awaitable<void> detach_viewer(std::shared_ptr<SessionRoute> route,
                                      const ClientConnection* stream);
  asio::awaitable<proto::client::ListSessionsResult> list_sessions(bool include_restorable);
  asio::awaitable<void> kill_all();
  // `forget`: its record goes once it has ended (a disposed session).
  asio::awaitable<void> kill(const std::string& session_id, bool forget = false);
  std::shared_ptr<ClientConnection> stream_of(const ClientConnection& control) const;
  std::shared_ptr<SessionRoute> route(const std::string& session_id);
  void forget_route_if_idle(const std::string& session_id);

  // From the supervisor.
  void on_supervisor_event(const proto::Event& event, std::string_view bytes);
  asio::awaitable<void> resubscribe_all();
  void on_supervisor_lost();

  asio::io_context& io_;
  asio::local::stream_protocol::acceptor acceptor_;
  HostOptions options_;
  SupervisorClient& supervisor_;
  std::set<std::shared_ptr<ClientConnection>> connections_;
  std::map<std::string, Client> clients_;
  std::map<std::string, std::shared_ptr<SessionRoute>> routes_;
  // createOrAttach calls in flight, by (sessionId, requestId); true once cancelled.
  std::map<std::pair<std::string, std::string>, bool> pending_attaches_;
  // Sessions last known alive: those a lost supervisor took with it get an
  // exit even when nobody watched them.
  std::set<std::string> known_alive_;
  std::uint64_t next_serial_ = 1;
  bool stopping_ = false;
  asio::signal_set stop_signals_;  // SIGTERM, SIGINT
  asio::signal_set usr1_;
  AsyncEvent connection_gone_;  // a stop waits on it for the last answers to go out
};

}  // namespace ptyctl::host
