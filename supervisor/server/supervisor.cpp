#include "supervisor.hpp"

#include <ptyctl/common/log.hpp>
#include "connection.hpp"

#include <ptyctl/common/accept_backoff.hpp>
#include <ptyctl/common/server_instance.hpp>
#include <ptyctl/proto/limits.hpp>

#include <ptyctl/proto/errors.hpp>

#include <sys/wait.h>

#include <csignal>
#include <cstring>
#include <thread>

namespace ptyctl::sup {

namespace {
// Ended sessions stay listed (not alive, with their exit code) until killed
// or replaced; past this many the oldest go.
constexpr std::size_t kMaxFinishedSessions = 256;
}  // namespace

Supervisor::Supervisor(asio::io_context& io, UnixAcceptor acceptor, SupervisorOptions options)
    : io_(io),
      acceptor_(std::move(acceptor)),
      options_(std::move(options)),
      records_(options_.state_dir, options_.records),
      changed_(io.get_executor()) {}

void Supervisor::start() {
  std::set<std::string> live;
  for (const auto& [id, s] : sessions_)
    if (!s->finished()) live.insert(id);
  records_.load(live);
  asio::co_spawn(io_,
                 accept_connections(
                     io_, acceptor_, "pty-supervisor", [this] { return stopping_; },
                     [this](asio::local::stream_protocol::socket s) { accepted(std::move(s)); }),
                 asio::detached);
  asio::co_spawn(io_, reap_children(), asio::detached);
  asio::co_spawn(io_, record_loop(), asio::detached);
}

asio::awaitable<void> Supervisor::record_loop() {
  if (!records_.enabled()) co_return;
  asio::steady_timer timer(io_);
  for (;;) {
    timer.expires_after(options_.records.interval);
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec || stopping_) co_return;
    write_records(std::nullopt);
  }
}

void Supervisor::write_records(const std::optional<std::string>& end_reason) {
  if (!records_.enabled()) return;
  // Encoded on the emulators' thread after the output read so far (a clean
  // stop waits for it), written by the records' thread. One that comes back
  // after its session ended or was replaced is dropped: its removal stands.
  for (auto& [id, s] : sessions_) {
    if (s->finished() || !(s->record_due() || end_reason)) continue;
    s->record(
        end_reason,
        [this, id = id, which = std::weak_ptr<Session>(s)](std::string bytes) {
          auto it = sessions_.find(id);
          if (it == sessions_.end() || it->second != which.lock() || it->second->finished()) return;
          records_.write(id, std::move(bytes));
        },
        end_reason.has_value());
  }
}

void Supervisor::request_stop(int sig) {
  if (stopping_) return;
  stopping_ = true;  // a second signal while stopping changes nothing
  asio::co_spawn(io_, stop_sessions(sig), asio::detached);
}

void Supervisor::emergency_stop() {
  std::vector<int> pids;
  {
    std::lock_guard<std::mutex> lock(pids_mutex_);
    pids = live_pids_;
  }
  for (int pid : pids)
    ::kill(-pid, SIGHUP);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  for (int pid : pids)
    ::kill(-pid, SIGKILL);
}

void Supervisor::accepted(asio::local::stream_protocol::socket socket) {
  std::size_t waiting = 0;
  for (const auto& c : connections_)
    waiting += c->authenticated() ? 0 : 1;
  auto connection = std::make_shared<Connection>(*this, std::move(socket));
  connections_.insert(connection);
  if (waiting >= static_cast<std::size_t>(proto::kMaxUnauthenticated)) {
    connection->refuse(proto::code::kTooManyConnections,
                       std::to_string(waiting) + " connections have not said hello yet");
    return;
  }
  connection->start();
}

asio::awaitable<void> Supervisor::reap_children() {
  asio::signal_set sigchld(io_, SIGCHLD);
  for (;;) {
    // Reap first: a child may have ended before the handler was in place.
    int status;
    pid_t pid;
    // Each session's own child only: an upgrade's check (upgrade.cpp) is
    // reaped by the upgrade, which needs its status.
    std::vector<std::pair<std::shared_ptr<Session>, int>> ended;
    for (auto& [id, s] : sessions_)
      if (!s->reaped() && (pid = ::waitpid(s->pid(), &status, WNOHANG)) > 0)
        ended.emplace_back(s, status);
    for (auto& [s, st] : ended)
      s->on_reaped(st);
    auto [ec, sig] = co_await sigchld.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
  }
}

asio::awaitable<void> Supervisor::stop_sessions(int sig) {
  log_info(std::string("received ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT") +
           ": hanging up every session");
  stopping_ = true;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  // Every record one last time, saying it was a stop, before the hangup
  // (queued: the records' thread writes them while the sessions end).
  write_records("pty-supervisor stopped");
  for (auto& [id, s] : sessions_)
    s->kill(SIGHUP, options_.kill_grace);
  // Wait for the sessions to end (SIGKILL follows the grace period), woken
  // as each one does.
  const auto all_ended = [&] {
    for (auto& [id, s] : sessions_)
      if (!s->finished()) return false;
    return true;
  };
  const auto deadline =
      std::chrono::steady_clock::now() + options_.kill_grace + std::chrono::milliseconds(1000);
  while (!all_ended()) {
    const bool woken = co_await changed_.wait(deadline);
    if (!woken) break;
  }
  // Then every connection sends what it has queued (their exits) and closes;
  // one that does not read has 200 ms (a stop must not wait on a client).
  for (auto& c : std::set<std::shared_ptr<Connection>>(connections_))
    c->close();
  for (auto& [id, s] : sessions_)
    s->close();
  const auto flushed = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
  while (!connections_.empty()) {
    const bool woken = co_await changed_.wait(flushed);
    if (!woken) break;
  }
  records_.flush();  // on disk before the lock goes and a next supervisor reads them
  io_.stop();
}

std::shared_ptr<Session> Supervisor::find(const std::string& id) const {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : it->second;
}

std::shared_ptr<Session> Supervisor::create(SessionSpec spec, std::string_view preamble) {
  if (stopping_)
    throw proto::ProtocolError(proto::code::kSpawnFailed, "the supervisor is stopping");
  auto session = Session::spawn(io_, emulators_, spec, options_.ring_size, options_.state_dir);
  if (!preamble.empty()) session->preload(preamble);
  // A recorded session of this id that was not restored is gone now.
  if (records_.restorable().contains(spec.sessionId)) records_.remove(spec.sessionId);
  session->on_finished = [this](Session& s) { session_finished(s); };
  sessions_[spec.sessionId] = session;  // replaces an ended session of the same id
  {
    std::lock_guard<std::mutex> lock(pids_mutex_);
    live_pids_.push_back(session->pid());
  }
  session->start();
  log_info("session " + spec.sessionId + " started: pid " + std::to_string(session->pid()));
  trim_finished();
  return session;
}

void Supervisor::session_finished(Session& s) {
  changed_.notify_all();
  {
    std::lock_guard<std::mutex> lock(pids_mutex_);
    std::erase(live_pids_, s.pid());
  }
  log_info("session " + s.id() + " ended: exit code " + std::to_string(s.exit_code().value_or(0)) +
           (s.exit_signal() ? ", signal " + std::to_string(*s.exit_signal()) : ""));
  // Its record goes, unless it ended because the supervisor stops (then the
  // record is what the next one restores).
  if (!stopping_) records_.remove(s.id());
  // Attached connections send the exit after the last output; when nobody
  // is attached, every connection hears of it.
  if (s.attached_count() == 0) {
    proto::sup::ExitEvent e{s.exit_code().value_or(0), s.exit_signal()};
    for (auto& c : connections_)
      if (c->authenticated()) c->send_exit(s.id(), e);
  }
  // The cap on ended sessions holds whenever one ends, not only on create
  // (after killAll of 1000 sessions). Later: we may be inside a loop over them.
  asio::post(io_, [this] { trim_finished(); });
  if (s.forgotten_when_finished()) {
    // After the connections have had its exit (they may hold it meanwhile).
    asio::post(io_, [this, id = s.id(), which = std::weak_ptr<Session>(s.shared_from_this())] {
      if (auto it = sessions_.find(id); it != sessions_.end() && it->second == which.lock())
        sessions_.erase(it);
    });
  }
}

void Supervisor::remove(const std::string& id) {
  sessions_.erase(id);
}

void Supervisor::trim_finished() {
  std::size_t finished = 0;
  for (auto& [id, s] : sessions_)
    finished += s->finished() ? 1 : 0;
  for (auto it = sessions_.begin(); it != sessions_.end() && finished > kMaxFinishedSessions;) {
    if (it->second->finished()) {
      it = sessions_.erase(it);
      --finished;
    } else {
      ++it;
    }
  }
}

std::vector<std::shared_ptr<Session>> Supervisor::sessions() const {
  std::vector<std::shared_ptr<Session>> out;
  for (const auto& [id, s] : sessions_)
    out.push_back(s);
  return out;
}

void Supervisor::forget(Connection* connection) {
  for (auto it = connections_.begin(); it != connections_.end(); ++it) {
    if (it->get() == connection) {
      connections_.erase(it);
      changed_.notify_all();
      return;
    }
  }
}

}  // namespace ptyctl::sup
