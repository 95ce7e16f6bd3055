#pragma once
// The pty-supervisor server: accepts connections on pty-supervisor.sock,
// owns the session table, reaps children, shuts down on SIGTERM/SIGINT.

#include "session.hpp"

#include <boost/asio.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>

namespace ptyctl::sup {

namespace asio = boost::asio;
using UnixSocket = asio::local::stream_protocol::socket;
using UnixAcceptor = asio::local::stream_protocol::acceptor;

class Connection;

struct SupervisorOptions {
  std::size_t ring_size = 4u * 1024 * 1024;
  std::chrono::milliseconds kill_grace{3000};
  std::string default_shell;  // $SHELL, else /bin/sh
  std::string default_cwd;    // $HOME, else /
  std::string state_dir;      // absolute
};

class Supervisor {
 public:
  Supervisor(asio::io_context& io, UnixAcceptor acceptor, SupervisorOptions options);

  void start();
  asio::io_context& io() { return io_; }
  const SupervisorOptions& options() const { return options_; }

  std::shared_ptr<Session> find(const std::string& id) const;
  std::shared_ptr<Session> create(SessionSpec spec);  // throws ProtocolError
  void remove(const std::string& id);
  std::vector<std::shared_ptr<Session>> sessions() const;
  void forget(Connection* connection);

 private:
  asio::awaitable<void> accept_loop();
  asio::awaitable<void> reap_children();
  asio::awaitable<void> wait_for_stop();
  void session_finished(Session& session);
  void trim_finished();

  asio::io_context& io_;
  UnixAcceptor acceptor_;
  SupervisorOptions options_;
  std::map<std::string, std::shared_ptr<Session>> sessions_;
  std::set<std::shared_ptr<Connection>> connections_;
  bool stopping_ = false;
  asio::signal_set stop_signals_;  // SIGTERM, SIGINT
};

}  // namespace ptyctl::sup
