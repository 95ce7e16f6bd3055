// The request handlers of terminal-host's control sockets.

#include "host.hpp"
#include "session_env.hpp"

#include <ptyctl/common/log.hpp>
#include <ptyctl/common/registry.hpp>
#include <ptyctl/proto/errors.hpp>
#include <ptyctl/proto/session_listing.hpp>
#include <ptyctl/proto/supervisor_messages.hpp>

#include <unistd.h>

namespace ptyctl::host {

namespace json = boost::json;
namespace code = proto::code;
namespace client = proto::client;
namespace sup = proto::sup;

namespace {

bool is_code(const proto::ProtocolError& e, std::string_view c) {
  return e.code() == c;
}

}  // namespace

asio::awaitable<json::value> Host::dispatch(const std::shared_ptr<ClientConnection>& from,
                                            const proto::Request& request) {
  const auto payload = client::Requests::parse(request.type, request.payload);
  co_return co_await std::visit([&](const auto& p) { return answer(from, p); }, payload);
}

// --- one handler per request (tmux's one entry per command) -------------------

asio::awaitable<client::SuccessResult> Host::on(const std::shared_ptr<ClientConnection>&,
                                                const client::CancelCreateOrAttachRequest& p) {
  auto it = pending_attaches_.find({p.sessionId, p.requestId});
  if (it != pending_attaches_.end()) it->second = true;
  co_return client::SuccessResult{};
}

namespace {
// A write's failure as the app's daemon says it.
proto::ProtocolError write_failure(const proto::ProtocolError& e, const std::string& session_id) {
  if (is_code(e, code::kWriteQueueFull)) return e;
  // The app recognises a lost session by this text (and recovers it).
  if (is_code(e, code::kSessionNotFound) || is_code(e, code::kWriteFailed))
    return proto::ProtocolError(code::kWriteFailed, "Session not found: " + session_id);
  return proto::ProtocolError(code::kWriteFailed, e.what());
}
}  // namespace

asio::awaitable<client::SuccessResult> Host::on(const std::shared_ptr<ClientConnection>&,
                                                const client::WriteRequest& p) {
  try {
    const sup::WriteRequest req{p.sessionId, std::nullopt};
    co_await supervisor_.call(req, p.data);
  } catch (const proto::ProtocolError& e) {
    throw write_failure(e, p.sessionId);
  }
  co_return client::SuccessResult{};
}

asio::awaitable<void> Host::notify_write(const std::shared_ptr<ClientConnection>& from,
                                         const proto::Request& request) {
  // Fire-and-forget: no answer from us, none from the supervisor unless it
  // fails; a failure is an error event on the client's stream.
  const auto failed = [this, weak = std::weak_ptr<ClientConnection>(from),
                       session_id =
                           proto::session_id_in(request.payload)](const proto::ProtocolError& e) {
    const auto c = weak.lock();
    const auto stream = c ? stream_of(*c) : nullptr;
    if (!stream) return;
    client::ErrorEvent ev;
    ev.error = write_failure(e, session_id).what();
    ev.code = std::string(code::kWriteFailed);
    stream->send(proto::encode_line(proto::make_event(session_id, ev)));
  };
  try {
    const auto parsed = client::Requests::parse(request.type, request.payload);
    const auto& p = std::get<client::WriteRequest>(parsed);
    // Named before co_await: GCC 12 destroys a temporary in a co_await
    // expression twice.
    sup::WriteRequest req{p.sessionId, std::nullopt};
    std::function<void(const proto::ProtocolError&)> on_failure = failed;
    co_await supervisor_.write_unanswered(std::move(req), p.data, std::move(on_failure));
  } catch (const proto::ProtocolError& e) {
    failed(e);
  }
}

asio::awaitable<client::SuccessResult> Host::on(const std::shared_ptr<ClientConnection>&,
                                                const client::ResizeRequest& p) {
  try {
    const sup::ResizeRequest req{p.sessionId, p.cols, p.rows};
    co_await supervisor_.call(req);
  } catch (const proto::ProtocolError& e) {
    if (!is_code(e, code::kSessionNotFound)) throw;  // unknown sessions succeed, as in the app
  }
  co_return client::SuccessResult{};
}

asio::awaitable<client::SuccessResult> Host::on(const std::shared_ptr<ClientConnection>& from,
                                                const client::DetachRequest& p) {
  if (auto stream = stream_of(*from)) {
    auto it = routes_.find(p.sessionId);
    if (it != routes_.end()) co_await detach_viewer(it->second, stream.get());
  }
  co_return client::SuccessResult{};
}

asio::awaitable<client::SuccessResult> Host::on(const std::shared_ptr<ClientConnection>&,
                                                const client::SignalRequest& p) {
  try {
    const sup::SignalRequest req{p.sessionId, p.signal};
    co_await supervisor_.call(req);
  } catch (const proto::ProtocolError& e) {
    if (!is_code(e, code::kSessionNotFound)) throw;  // unknown or ended: success, as in the app
  }
  co_return client::SuccessResult{};
}

asio::awaitable<client::SuccessResult> Host::on(const std::shared_ptr<ClientConnection>&,
                                                const client::KillRequest& p) {
  co_await kill(p.sessionId);
  co_return client::SuccessResult{};
}

asio::awaitable<client::SuccessResult> Host::on(const std::shared_ptr<ClientConnection>&,
                                                const client::KillAllRequest&) {
  co_await kill_all();
  co_return client::SuccessResult{};
}

asio::awaitable<client::ListSessionsResult> Host::on(const std::shared_ptr<ClientConnection>&,
                                                     const client::ListSessionsRequest& p) {
  co_return co_await list_sessions(p.includeRestorable.value_or(false));
}

asio::awaitable<client::SuccessResult> Host::on(const std::shared_ptr<ClientConnection>&,
                                                const client::ClearScrollbackRequest& p) {
  const sup::ClearScrollbackRequest req{p.sessionId};
  co_await supervisor_.call(req);
  co_return client::SuccessResult{};
}

asio::awaitable<client::SuccessResult> Host::on(const std::shared_ptr<ClientConnection>&,
                                                const client::ShutdownRequest& p) {
  if (p.killSessions.value_or(false)) co_await kill_all();
  // After this answer has gone out.
  asio::post(io_, [this]() { stop("shutdown requested by a client"); });
  co_return client::SuccessResult{};
}

asio::awaitable<client::GetSnapshotResult> Host::on(const std::shared_ptr<ClientConnection>&,
                                                    const client::GetSnapshotRequest& p) {
  const sup::GetSnapshotRequest req{p.sessionId};
  auto r = co_await supervisor_.call(req);
  co_return client::GetSnapshotResult{std::move(r.snapshot)};
}

asio::awaitable<client::CreateOrAttachResult> Host::on(
    const std::shared_ptr<ClientConnection>& from, const client::CreateOrAttachRequest& r) {
  auto stream = stream_of(*from);
  if (!stream)
    throw proto::ProtocolError(code::kStreamNotConnected,
                               "open the stream socket (hello with role \"stream\") first");
  const auto pending_key = std::make_pair(r.sessionId, r.requestId.value_or(""));
  if (r.requestId) pending_attaches_[pending_key] = false;
  struct Unregister {
    Host* host;
    std::pair<std::string, std::string> key;
    bool active;
    ~Unregister() {
      if (active) host->pending_attaches_.erase(key);
    }
  } unregister{this, pending_key, r.requestId.has_value()};

  auto session_route = route(r.sessionId);
  std::optional<AsyncMutex::Guard> guard;
  guard.emplace(co_await session_route->lock().lock());

  sup::CreateSessionRequest create;
  create.sessionId = r.sessionId;
  create.cols = r.cols;
  create.rows = r.rows;
  create.cwd = r.cwd && !r.cwd->empty() ? *r.cwd : options_.default_cwd;
  create.shell = r.shell && !r.shell->empty() ? *r.shell : options_.default_shell;
  create.command = r.command;
  create.env = session_environment(options_.environment, r.env);
  create.inheritEnv = false;
  create.workspaceId = r.workspaceId;
  create.paneId = r.paneId;
  create.restore = r.restore;
  create.rerun = r.rerun;
  bool is_new = true;
  bool restored = false;
  int pid = 0;
  try {
    const auto created = co_await supervisor_.call(create);
    pid = created.pid;
    restored = created.restored.value_or(false);
    known_alive_.insert(r.sessionId);
    // A new session under an old id (the old one ended): whoever watched the
    // old one has had its exit, and attaches again to see the new one.
    session_route->clear_viewers();
    log_info("created session " + r.sessionId + " (pid " + std::to_string(pid) + ")");
  } catch (const proto::ProtocolError& e) {
    if (!is_code(e, code::kSessionExists))
      throw proto::ProtocolError(code::kCreateAttachFailed, e.what());
    is_new = false;
  }
  if (!is_new || restored) {
    // (A restored one starts at its recorded size: the viewer's is this.)
    const sup::ResizeRequest req{r.sessionId, r.cols, r.rows};
    co_await supervisor_.call(req);
  }
  if (r.requestId && pending_attaches_[pending_key]) {
    // Cancelled while the session was being created: as the app's daemon
    // does, a session this request created goes; an existing one stays.
    // Killed under the route's lock: a retry waiting for it finds it gone.
    if (is_new) co_await kill(r.sessionId, true);
    guard.reset();
    throw proto::ProtocolError(code::kCreateAttachFailed, "cancelled by cancelCreateOrAttach");
  }
  AttachOutcome attached =
      co_await attach_viewer(session_route, stream, r.resumeFrom, r.viewerSessionId.value_or(""));
  if (r.requestId && pending_attaches_[pending_key]) {
    session_route->remove_viewer(stream.get());
    if (is_new) co_await kill(r.sessionId, true);
    guard.reset();  // detach_viewer takes the lock itself
    co_await detach_viewer(session_route, stream.get());
    throw proto::ProtocolError(code::kCreateAttachFailed, "cancelled by cancelCreateOrAttach");
  }
  if (stream->closed()) {
    // The client went away while we attached it (its stream's close came
    // before the viewer existed): let go at the supervisor, or it would
    // count a viewer for ever and leave the session's queries unanswered.
    session_route->remove_viewer(stream.get());
    guard.reset();
    co_await detach_viewer(session_route, stream.get());
    throw proto::ProtocolError(code::kStreamNotConnected, "the client's stream socket closed");
  }
  client::CreateOrAttachResult result;
  result.isNew = is_new;
  result.snapshot = std::move(attached.snapshot);
  result.snapshot.text.reset();  // the CLI's rendering; the app repaints from snapshotAnsi
  const bool alive = attached.session ? attached.session->isAlive : true;
  result.wasRecovered = !is_new && alive;
  result.pid = pid ? pid : (attached.session ? attached.session->pid : 0);
  if (r.resumeFrom) result.resumed = attached.resumed;
  if (r.restore) result.restored = restored;
  co_return result;
}

asio::awaitable<Host::AttachOutcome> Host::attach_viewer(std::shared_ptr<SessionRoute> route,
                                                         std::shared_ptr<ClientConnection> stream,
                                                         std::optional<std::uint64_t> resume_from,
                                                         std::string inside) {
  // The caller holds route->lock().
  AttachOutcome out;
  const bool others =
      !route->empty() && !(route->viewer_count() == 1 && route->has_viewer(stream.get()));
  if (!route->subscribed() || !others) {
    // First viewer: subscribe from where it wants to be, or from a snapshot.
    sup::AttachSessionRequest req{route->id(), resume_from};
    auto r = co_await supervisor_.call(req);
    const std::uint64_t from = r.resumed ? *resume_from : r.snapshot.offset;
    log_debug("session " + route->id() + ": subscribed from offset " + std::to_string(from) +
              (r.resumed ? " (resumed)" : " (snapshot)"));
    route->subscribe(from);
    route->add_viewer(stream, from, inside);
    out = AttachOutcome{std::move(r.snapshot), r.resumed, std::move(r.session)};
    co_return out;
  }
  if (resume_from && *resume_from < route->position()) {
    // Rewind the one subscription; viewers ahead skip what they have.
    sup::AttachSessionRequest req{route->id(), resume_from};
    auto r = co_await supervisor_.call(req);
    if (r.resumed) {
      route->subscribe(*resume_from);
      route->add_viewer(stream, *resume_from, inside);
      co_return AttachOutcome{std::move(r.snapshot), true, std::move(r.session)};
    }
    // Too old for the ring: the subscription jumped to the snapshot; bring
    // the other viewers back to where they are.
    const std::uint64_t lowest = route->lowest_next();
    route->subscribe(r.snapshot.offset);
    if (lowest < r.snapshot.offset) {
      sup::AttachSessionRequest back{route->id(), lowest};
      auto r2 = co_await supervisor_.call(back);
      if (r2.resumed) {
        route->subscribe(lowest);
      } else {
        route->subscribe(r2.snapshot.offset);
        route->repaint(r2.snapshot);
      }
    }
    route->add_viewer(stream, r.snapshot.offset, inside);
    co_return AttachOutcome{std::move(r.snapshot), false, std::move(r.session)};
  }
  // Already subscribed: a snapshot now, and this viewer continues from its
  // offset (or from resume_from, which the stream has not reached yet).
  const sup::GetSnapshotRequest snap_req{route->id()};
  auto got = co_await supervisor_.call(snap_req);
  const bool resumed = resume_from && *resume_from <= got.snapshot.offset;
  const std::uint64_t next = resumed ? *resume_from : got.snapshot.offset;
  if (next < route->position()) {
    // The snapshot is where the supervisor's emulator is, which may be
    // behind the output already forwarded (it works through a backlog):
    // rewind the subscription to it, the ring still holds those bytes, and
    // the viewers ahead skip what they have.
    sup::AttachSessionRequest back{route->id(), next};
    auto r = co_await supervisor_.call(back);
    if (r.resumed) {
      route->subscribe(next);
      route->add_viewer(stream, next, inside);
      co_return AttachOutcome{std::move(got.snapshot), resumed, std::move(got.session)};
    }
    route->subscribe(r.snapshot.offset);
    route->repaint(r.snapshot);
    route->add_viewer(stream, r.snapshot.offset, inside);
    co_return AttachOutcome{std::move(r.snapshot), false, std::move(r.session)};
  }
  route->add_viewer(stream, next, inside);
  co_return AttachOutcome{std::move(got.snapshot), resumed, std::move(got.session)};
}

asio::awaitable<void> Host::detach_viewer(std::shared_ptr<SessionRoute> route,
                                          const ClientConnection* stream) {
  std::optional<AsyncMutex::Guard> guard;
  guard.emplace(co_await route->lock().lock());
  route->remove_viewer(stream);
  if (route->empty() && route->subscribed()) {
    // Nobody watches: let go, so the supervisor answers terminal queries.
    route->unsubscribe();
    try {
      const sup::DetachSessionRequest req{route->id()};
      co_await supervisor_.call(req);
    } catch (const proto::ProtocolError& e) {
      log_debug("detachSession " + route->id() + ": " + e.code());
    }
  }
  const std::string id = route->id();
  guard.reset();
  route.reset();
  forget_route_if_idle(id);
}

asio::awaitable<client::ListSessionsResult> Host::list_sessions(bool include_restorable) {
  const sup::ListSessionsRequest request;
  const auto list = co_await supervisor_.call(request);
  client::ListSessionsResult out;
  for (const auto& s : list.sessions) {
    // A record is not a session to the app: it restores its own way.
    if (s.restorable.value_or(false) && !include_restorable) continue;
    if (s.isAlive) known_alive_.insert(s.sessionId);
    client::SessionSummary sum = proto::session_summary_of(s);
    auto it = routes_.find(s.sessionId);
    sum.attachedClients = it == routes_.end() ? 0 : static_cast<int>(it->second->viewer_count());
    if (it != routes_.end())
      if (auto from = it->second->viewed_from(); !from.empty()) sum.viewedFrom = std::move(from);
    sum.createdAt = iso8601_utc(s.createdAt);
    if (s.lastAttachedAt) sum.lastAttachedAt = iso8601_utc(*s.lastAttachedAt);
    out.sessions.push_back(std::move(sum));
  }
  co_return out;
}

asio::awaitable<void> Host::kill(const std::string& session_id, bool forget) {
  try {
    sup::KillSessionRequest req{session_id, std::nullopt, std::nullopt};
    if (forget) req.forget = true;
    co_await supervisor_.call(req);
  } catch (const proto::ProtocolError& e) {
    if (!is_code(e, code::kSessionNotFound)) throw;  // an unknown session is already gone
  }
}

asio::awaitable<void> Host::kill_all() {
  const sup::ListSessionsRequest request;
  const auto list = co_await supervisor_.call(request);
  for (const auto& s : list.sessions)
    if (s.isAlive) co_await kill(s.sessionId);
}

}  // namespace ptyctl::host
