#pragma once
// The pty-supervisor server: accepts connections on pty-supervisor.sock,
// owns the session table, reaps children, shuts down on SIGTERM/SIGINT.

#include "emulator_worker.hpp"
#include "session.hpp"
#include "session_records.hpp"

#include <ptyctl/common/async_event.hpp>

#include <boost/asio.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

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
  // For an in-place upgrade: the binary we were started from (the default new
  // one), our options to pass on, and the lock's fd.
  std::string own_binary;
  std::vector<std::string> exec_args;
  int lock_fd = -1;
  RecordOptions records;
};

class Supervisor {
 public:
  Supervisor(asio::io_context& io, UnixAcceptor acceptor, SupervisorOptions options);

  void start();
  // SIGTERM or SIGINT (from the watchdog's signal thread, on the loop): hang
  // up every session, wait for them, close every connection, stop the loop.
  void request_stop(int sig);
  // The loop is stuck (the watchdog's thread): hang up every session's
  // process group, SIGKILL what is left half a second later. System calls only.
  void emergency_stop();
  asio::io_context& io() { return io_; }
  const SupervisorOptions& options() const { return options_; }

  std::shared_ptr<Session> find(const std::string& id) const;
  // Throws ProtocolError. `preamble`: output before the program's.
  std::shared_ptr<Session> create(SessionSpec spec, std::string_view preamble = {});
  // Records (session_records.hpp): a restorable session of this id comes
  // back as a new shell below its recorded screens (nullptr: none, or its
  // record was bad). `rerun`: its recorded command instead of the shell.
  bool restorable(const std::string& id) const;
  std::shared_ptr<Session> restore(const std::string& id, bool rerun);
  // The restorable ones as listSessions lists them.
  std::vector<proto::sup::SessionInfo> restorable_sessions() const;
  // killSession of a restorable session: its record goes. False if none.
  bool remove_record(const std::string& id);
  void remove(const std::string& id);
  std::vector<std::shared_ptr<Session>> sessions() const;
  void forget(Connection* connection);

  // prepareUpgrade (upgrade.cpp): has `binary` (default: ours) check the
  // state while serving on, then hands everything to it by execve; the next
  // image answers on the requester's socket. `failed(why)` runs when it did
  // not happen (nothing changed).
  void upgrade(const std::optional<std::string>& binary, std::weak_ptr<Connection> requester,
               std::string request_id, std::function<void(const std::string&)> failed);
  // In the image after the exec: takes over the sessions and answers the
  // requester (`failure`: a rollback, with the reason). Before start().
  void adopt(const proto::handover::Decoded& handed, const std::optional<std::string>& failure);

 private:
  // A new connection: served, or refused when too many have not said hello.
  void accepted(asio::local::stream_protocol::socket socket);
  asio::awaitable<void> reap_children();
  asio::awaitable<void> stop_sessions(int sig);
  // Every interval, the records of the sessions that changed.
  asio::awaitable<void> record_loop();
  void write_records(const std::optional<std::string>& end_reason);
  void session_finished(Session& session);
  asio::awaitable<void> run_upgrade(std::string binary, std::weak_ptr<Connection> requester,
                                    std::string request_id,
                                    std::function<void(const std::string&)> failed);
  // The state as of now in a sealed memfd (`state` its description: fds_of
  // names what it hands over).
  int write_state(int requester_fd, const std::string& request_id, proto::handover::State& state);
  void trim_finished();

  asio::io_context& io_;
  UnixAcceptor acceptor_;
  SupervisorOptions options_;
  SessionRecords records_;
  AsyncEvent changed_;        // a session ended or a connection went (a stop waits on it)
  EmulatorWorker emulators_;  // before the sessions: it outlives them
  std::map<std::string, std::shared_ptr<Session>> sessions_;
  std::set<std::shared_ptr<Connection>> connections_;
  bool stopping_ = false;
  bool upgrading_ = false;
  // Pids of live sessions, for emergency_stop on another thread.
  std::mutex pids_mutex_;
  std::vector<int> live_pids_;
};

}  // namespace ptyctl::sup
