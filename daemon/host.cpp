#include "host.hpp"

#include <ptyctl/common/accept_backoff.hpp>
#include <ptyctl/common/server_instance.hpp>
#include <ptyctl/proto/limits.hpp>

#include <ptyctl/common/log.hpp>
#include <ptyctl/proto/errors.hpp>
#include <ptyctl/proto/line_codec.hpp>
#include <ptyctl/proto/supervisor_messages.hpp>
#include <ptyctl/proto/version.hpp>

#include <unistd.h>

#include <csignal>
#include <cstring>

namespace ptyctl::host {

namespace json = boost::json;
namespace code = proto::code;
namespace client = proto::client;
namespace sup = proto::sup;

Host::Host(asio::io_context& io, asio::local::stream_protocol::acceptor acceptor,
           HostOptions options, SupervisorClient& supervisor)
    : io_(io),
      acceptor_(std::move(acceptor)),
      options_(std::move(options)),
      supervisor_(supervisor),
      stop_signals_(io, SIGTERM, SIGINT),
      usr1_(io, SIGUSR1),
      connection_gone_(io.get_executor()) {
  supervisor_.on_event = [this](const proto::Event& e, std::string_view bytes) {
    on_supervisor_event(e, bytes);
  };
  supervisor_.on_connected = [this]() { return resubscribe_all(); };
  supervisor_.on_disconnected = [this]() { on_supervisor_lost(); };
}

void Host::start() {
  asio::co_spawn(io_,
                 accept_connections(
                     io_, acceptor_, "terminal-host", [this] { return stopping_; },
                     [this](asio::local::stream_protocol::socket s) { accepted(std::move(s)); }),
                 asio::detached);
  asio::co_spawn(io_, wait_for_stop(), asio::detached);
  asio::co_spawn(io_, reconnect_on_request(), asio::detached);
  // Our handlers are in place: a stop signal sent while we started is handled now.
  release_stop_signals();
}

asio::awaitable<void> Host::reconnect_on_request() {
  while (!stopping_) {
    auto [ec, sig] = co_await usr1_.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    supervisor_.drop_connection();
  }
}

void Host::accepted(asio::local::stream_protocol::socket socket) {
  std::size_t waiting = 0;
  for (const auto& c : connections_)
    waiting += c->role() == Role::kNone && !c->closed() ? 1 : 0;
  auto connection = std::make_shared<ClientConnection>(*this, std::move(socket), next_serial_++);
  connections_.insert(connection);
  if (waiting >= static_cast<std::size_t>(proto::kMaxUnauthenticated)) {
    log_warn("refused a connection: " + std::to_string(waiting) +
             " connections have not said hello yet");
    connection->send(proto::encode_line(
        proto::make_failure("", code::kTooManyConnections,
                            std::to_string(waiting) + " connections have not said hello yet")));
    connection->close_after_flush();
    connection->start_writer_only();
    return;
  }
  connection->start();
}

asio::awaitable<void> Host::wait_for_stop() {
  auto [ec, sig] = co_await stop_signals_.async_wait(asio::as_tuple(asio::use_awaitable));
  if (ec) co_return;
  stop(std::string("received ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT") +
       "; sessions keep running in pty-supervisor");
}

void Host::stop(const std::string& why) {
  if (stopping_) return;
  stopping_ = true;
  log_info("stopping: " + why);
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  for (const auto& c : std::set<std::shared_ptr<ClientConnection>>(connections_))
    c->close_after_flush();
  supervisor_.stop();
  asio::co_spawn(io_, leave_when_flushed(), asio::detached);
}

asio::awaitable<void> Host::leave_when_flushed() {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (!connections_.empty()) {
    const bool woken = co_await connection_gone_.wait(deadline);
    if (!woken) break;
  }
  io_.stop();
}

void Host::on_message(const std::shared_ptr<ClientConnection>& from, json::object message) {
  proto::Request request;
  try {
    proto::Envelope env = proto::parse_envelope(message);
    auto* r = std::get_if<proto::Request>(&env);
    if (!r) throw proto::ProtocolError(code::kInvalidRequest, "expected a request");
    request = std::move(*r);
  } catch (const proto::ProtocolError& e) {
    from->send(proto::encode_line(proto::make_failure(proto::request_id_in(message), e)));
    return;
  }
  if (request.type == client::HelloRequest::kType) {
    if (from->role() != Role::kNone) {
      from->send(proto::encode_line(proto::make_failure(request.id, code::kAlreadyAuthenticated,
                                                        "hello was already said on this socket")));
      return;
    }
    hello(from, request);
    return;
  }
  if (from->role() == Role::kNone) {
    from->send(proto::encode_line(proto::make_failure(request.id, code::kNotAuthenticated,
                                                      "the first request must be hello")));
    return;
  }
  if (from->role() == Role::kStream) {
    from->send(proto::encode_line(
        proto::make_failure(request.id, code::kInvalidRole,
                            "requests go on the control socket, not the stream socket")));
    return;
  }
  from->request_started();
  asio::co_spawn(io_, serve(from, std::move(request)), asio::detached);
}

void Host::hello(const std::shared_ptr<ClientConnection>& from, const proto::Request& request) {
  client::HelloRequest hello;
  try {
    hello = client::validate_hello(request.payload, options_.token);
  } catch (const proto::ProtocolError& e) {
    log_warn("hello refused on " + from->describe() + ": " + e.code());
    from->send(proto::encode_line(proto::make_failure(request.id, e)));
    return;
  }
  const Role role = hello.role == client::kRoleControl ? Role::kControl : Role::kStream;
  // The hello answer is the first line this socket receives: nothing is
  // routed to a stream socket before its role is set.
  from->set_identity(role, hello.clientId);
  Client& c = clients_[hello.clientId];
  auto& slot = role == Role::kControl ? c.control : c.stream;
  if (auto old = slot.lock(); old && old != from)
    old->close("replaced by a new socket for the same client and role");
  slot = from;
  client::HelloResult result{proto::kClientProtocolVersion, std::string(proto::kPtyctlVersion),
                             static_cast<int>(::getpid())};
  from->send(proto::encode_line(proto::make_success(request.id, json::value_from(result))));
  log_debug("hello: " + from->describe());
}

asio::awaitable<void> Host::serve(std::shared_ptr<ClientConnection> from, proto::Request request) {
  struct Done {
    ClientConnection& c;
    ~Done() { c.request_done(); }
  } done{*from};
  if (request.type == client::WriteRequest::kType &&
      request.id.rfind(client::kNotifyPrefix, 0) == 0) {
    co_await notify_write(from, request);
    co_return;
  }
  std::string failure_code, failure_message;
  json::value result;
  try {
    result = co_await dispatch(from, request);
  } catch (const proto::ProtocolError& e) {
    failure_code = e.code();
    failure_message = e.what();
  } catch (const std::exception& e) {
    log_error("request " + request.type + " failed: " + e.what());
    failure_code = code::kInternalError;
    failure_message = e.what();
  }
  if (failure_code.empty())
    from->send(proto::encode_line(proto::make_success(request.id, std::move(result))));
  else
    from->send(proto::encode_line(proto::make_failure(request.id, failure_code, failure_message)));
}

void Host::on_closed(const std::shared_ptr<ClientConnection>& connection) {
  // Deferred: this may be called from inside a loop over a route's viewers.
  asio::post(io_, [this, connection]() {
    connections_.erase(connection);
    connection_gone_.notify_all();
    if (!connection->client_id().empty()) {
      auto it = clients_.find(connection->client_id());
      if (it != clients_.end()) {
        auto& slot = connection->role() == Role::kControl ? it->second.control : it->second.stream;
        if (slot.lock() == connection || slot.expired()) slot.reset();
        if (it->second.control.expired() && it->second.stream.expired()) clients_.erase(it);
      }
    }
    if (connection->role() != Role::kStream) return;
    for (auto& [id, route] : std::map<std::string, std::shared_ptr<SessionRoute>>(routes_)) {
      if (route->has_viewer(connection.get()) || (route->empty() && route->subscribed()))
        asio::co_spawn(io_, detach_viewer(route, connection.get()), asio::detached);
    }
  });
}

std::shared_ptr<ClientConnection> Host::stream_of(const ClientConnection& control) const {
  auto it = clients_.find(control.client_id());
  if (it == clients_.end()) return nullptr;
  auto stream = it->second.stream.lock();
  return stream && !stream->closed() ? stream : nullptr;
}

std::shared_ptr<SessionRoute> Host::route(const std::string& session_id) {
  auto& r = routes_[session_id];
  if (!r) r = std::make_shared<SessionRoute>(io_.get_executor(), session_id);
  return r;
}

void Host::forget_route_if_idle(const std::string& session_id) {
  auto it = routes_.find(session_id);
  if (it != routes_.end() && it->second->empty() && !it->second->subscribed() &&
      it->second.use_count() == 1)
    routes_.erase(it);
}

// --- supervisor side ---------------------------------------------------------

void Host::on_supervisor_event(const proto::Event& event, std::string_view bytes) {
  auto it = routes_.find(event.sessionId);
  SessionRoute* r = it == routes_.end() ? nullptr : it->second.get();
  if (event.event == sup::DataEvent::kEvent) {
    if (!r || !r->subscribed()) return;  // sent before a detach took effect
    const auto ev = json::value_to<sup::DataEvent>(event.payload);
    r->on_data(ev.offset, bytes);
  } else if (event.event == sup::SnapshotEvent::kEvent) {
    if (!r || !r->subscribed()) return;
    const auto ev = json::value_to<sup::SnapshotEvent>(event.payload);
    log_warn("fell behind session " + event.sessionId + "; viewers repaint from offset " +
             std::to_string(ev.snapshot.offset));
    r->subscribe(ev.snapshot.offset);
    r->repaint(ev.snapshot);
  } else if (event.event == sup::ExitEvent::kEvent) {
    known_alive_.erase(event.sessionId);
    const auto ev = json::value_to<sup::ExitEvent>(event.payload);
    client::ExitEvent out;
    out.exitCode = ev.exitCode;
    if (ev.signal && *ev.signal != 0) out.signal = ev.signal;
    const json::value payload = json::value_from(out);
    if (r && r->subscribed() && !r->empty()) {
      r->on_exit(payload);
      return;
    }
    // Nobody watches it: every authenticated stream socket hears of it.
    const std::string line =
        proto::encode_line(proto::make_event(client::ExitEvent::kEvent, event.sessionId, payload));
    for (const auto& c : connections_)
      if (c->role() == Role::kStream && !c->closed()) c->send(line);
  } else if (event.event == sup::ErrorEvent::kEvent) {
    const auto ev = json::value_to<sup::ErrorEvent>(event.payload);
    client::ErrorEvent out;
    out.error = ev.error;
    if (ev.code == code::kWriteQueueFull || ev.code == code::kWriteFailed ||
        ev.code == code::kSubprocessError)
      out.code = ev.code;
    else
      out.code = std::string(code::kUnknown);
    if (r) r->send_event(proto::encode_line(proto::make_event(event.sessionId, out)));
  }
}

void Host::on_supervisor_lost() {
  // The supervisor dropped our subscriptions with the connection; viewers
  // stay, and resubscribe_all() picks them up from their offsets.
  for (auto& [id, r] : routes_)
    r->unsubscribe();
}

asio::awaitable<void> Host::resubscribe_all() {
  // Sessions the last supervisor had that this one does not: they died with
  // it. Unwatched ones get the exit every stream socket hears (as for any
  // unwatched exit); watched ones are told below.
  try {
    const sup::ListSessionsRequest request;
    const auto list = co_await supervisor_.call_now(request);
    std::set<std::string> alive;
    for (const auto& s : list.sessions)
      if (s.isAlive) alive.insert(s.sessionId);
    for (const auto& id : known_alive_) {
      if (alive.contains(id)) continue;
      auto it = routes_.find(id);
      if (it != routes_.end() && !it->second->empty()) continue;
      log_warn("session " + id + " was lost with the pty-supervisor that ran it");
      client::ExitEvent ex;
      ex.exitCode = 128 + SIGHUP;
      ex.signal = SIGHUP;
      const std::string line = proto::encode_line(proto::make_event(id, ex));
      for (const auto& c : connections_)
        if (c->role() == Role::kStream && !c->closed()) c->send(line);
    }
    known_alive_ = std::move(alive);
  } catch (const proto::ProtocolError& e) {
    log_warn(std::string("cannot list the supervisor's sessions: ") + e.what());
  }
  for (auto& [id, r] : std::map<std::string, std::shared_ptr<SessionRoute>>(routes_)) {
    if (r->empty()) continue;
    auto guard = co_await r->lock().lock();
    if (r->empty() || r->subscribed()) continue;
    const std::uint64_t from = r->lowest_next();
    try {
      const sup::AttachSessionRequest req{id, from};
      const auto result = co_await supervisor_.call_now(req);
      if (result.resumed) {
        r->subscribe(from);
      } else {
        r->subscribe(result.snapshot.offset);
        r->repaint(result.snapshot);
      }
      log_info("resubscribed session " + id + " from offset " + std::to_string(from) +
               (result.resumed ? "" : " (too old: viewers repaint)"));
    } catch (const proto::ProtocolError& e) {
      log_warn("cannot resubscribe session " + id + ": " + e.code() + ": " + e.what());
      if (e.code() != code::kSessionNotFound) continue;
      // The supervisor that had it is gone (its shells got SIGHUP with their
      // PTYs): say so, and end the session for its viewers.
      client::ErrorEvent err;
      err.error = "the session was lost with the pty-supervisor that ran it";
      err.code = std::string(code::kSubprocessError);
      r->send_event(proto::encode_line(proto::make_event(id, err)));
      client::ExitEvent ex;
      ex.exitCode = 128 + SIGHUP;
      ex.signal = SIGHUP;
      r->send_event(proto::encode_line(proto::make_event(id, ex)));
      r->clear_viewers();
    }
  }
}

}  // namespace ptyctl::host
