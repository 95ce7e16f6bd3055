#include "connection.hpp"

#include <ptyctl/common/log.hpp>
#include <ptyctl/common/read_more.hpp>
#include "supervisor.hpp"

#include <ptyctl/proto/errors.hpp>
#include <ptyctl/proto/limits.hpp>
#include <ptyctl/proto/signals.hpp>
#include <ptyctl/proto/supervisor_messages.hpp>
#include <ptyctl/proto/version.hpp>

#include <sys/socket.h>
#include <unistd.h>

#include <csignal>

namespace ptyctl::sup {

namespace json = boost::json;
namespace code = proto::code;

Connection::Connection(Supervisor& supervisor, asio::local::stream_protocol::socket socket)
    : supervisor_(supervisor), socket_(std::move(socket)), writer_(socket_, kMaxPendingResponses) {
  writer_.refill = [this](std::vector<std::string>& frames) { gather_output(frames); };
}

Connection::~Connection() = default;

void Connection::start() {
  // Only our own uid may talk to the supervisor.
  ucred cred{};
  socklen_t len = sizeof cred;
  if (::getsockopt(socket_.native_handle(), SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 ||
      cred.uid != ::getuid()) {
    log_warn("refused a connection from uid " + std::to_string(cred.uid));
    fail("", code::kPermissionDenied, "peer uid " + std::to_string(cred.uid) + " is not allowed");
    close();
    asio::co_spawn(supervisor_.io(), write_loop(), asio::detached);
    return;
  }
  asio::co_spawn(supervisor_.io(), read_loop(), asio::detached);
  asio::co_spawn(supervisor_.io(), write_loop(), asio::detached);
  asio::co_spawn(supervisor_.io(), hello_deadline(), asio::detached);
}

void Connection::start_after_upgrade(const std::string& request_id,
                                     const std::optional<std::string>& failure,
                                     json::value result) {
  hello_done_ = true;
  asio::co_spawn(supervisor_.io(), read_loop(), asio::detached);
  asio::co_spawn(supervisor_.io(), write_loop(), asio::detached);
  if (failure)
    fail(request_id, code::kUpgradeFailed, *failure);
  else
    respond(request_id, std::move(result));
}

void Connection::refuse(std::string_view c, const std::string& message) {
  log_warn("refused a connection: " + message);
  fail("", c, message);
  close();
  asio::co_spawn(supervisor_.io(), write_loop(), asio::detached);
}

asio::awaitable<void> Connection::hello_deadline() {
  auto self = shared_from_this();
  asio::steady_timer t(supervisor_.io(), std::chrono::seconds(proto::kHelloDeadlineSeconds));
  co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
  if (hello_done_ || closed_ || writer_.closing()) co_return;
  log_warn("closing a connection that said no hello within " +
           std::to_string(proto::kHelloDeadlineSeconds) + " s");
  fail("", code::kHelloTimeout,
       "no hello within " + std::to_string(proto::kHelloDeadlineSeconds) + " s");
  close();
}

void Connection::close() {
  writer_.close_after_flush();
}

void Connection::wake() {
  writer_.poke();
}

void Connection::on_output(Session&) {
  wake();
}
void Connection::on_finished(Session&) {
  wake();
}
bool Connection::behind(const Session& session) const {
  const auto it = subs_.find(session.id());
  if (it == subs_.end() || it->second.session.get() != &session) return false;
  const Subscription& sub = it->second;
  return !sub.answered || sub.snapshot_pending || sub.sent_to < session.ring().end();
}

void Connection::queue(std::string frame) {
  if (closed_) return;
  if (!writer_.push(std::move(frame))) {
    log_warn("closing a connection that does not read its responses (" +
             std::to_string(writer_.queued_bytes()) + " bytes pending)");
    closed_ = true;
    writer_.close();
    boost::system::error_code ignored;
    socket_.close(ignored);
  }
}

void Connection::respond(const std::string& id, json::value payload) {
  queue(proto::encode_frame(proto::make_success(id, std::move(payload))));
}

void Connection::fail(const std::string& id, std::string_view c, const std::string& message) {
  queue(proto::encode_frame(proto::make_failure(id, c, message)));
}

void Connection::send_exit(const std::string& session_id, const proto::sup::ExitEvent& exit) {
  if (!hello_done_) return;
  queue(proto::encode_frame(proto::make_event(session_id, exit)));
}

std::string Connection::exit_event(Session& session) {
  proto::sup::ExitEvent e{session.exit_code().value_or(0), session.exit_signal()};
  return proto::encode_frame(proto::make_event(session.id(), e));
}

void Connection::detach_all() {
  for (auto& [id, sub] : subs_)
    sub.session->detach(this);
  subs_.clear();
}

asio::awaitable<void> Connection::read_loop() {
  auto self = shared_from_this();
  ReadBuffer buf;
  bool peer_done = false;  // it half-closed: answer what it asked, then close
  while (!closed_ && !writer_.closing()) {
    if (!co_await read_more(socket_, buf, decoder_, peer_done)) break;
    try {
      // Pipelined requests (a storm of resizes, say) are answered in slices:
      // the loop runs everyone else's handlers in between.
      auto slice_start = std::chrono::steady_clock::now();
      while (auto frame = decoder_.next()) {
        handle(*frame);
        if (std::chrono::steady_clock::now() - slice_start >= kRequestSlice) {
          co_await asio::post(supervisor_.io(), asio::use_awaitable);
          slice_start = std::chrono::steady_clock::now();
          if (closed_) break;
        }
      }
    } catch (const proto::ProtocolError& e) {
      // A broken stream cannot be resynchronised: say why, then close.
      log_warn(std::string("closing a connection: ") + e.code() + ": " + e.what());
      fail("", e.code(), e.what());
      close();
    }
  }
  detach_all();
  if (peer_done && !closed_) {
    // Responses to everything it sent are queued: the writer sends them, then closes.
    close();
  } else if (!writer_.closing()) {
    closed_ = true;
    writer_.close();
    boost::system::error_code ignored;
    socket_.close(ignored);
  }
}

asio::awaitable<void> Connection::write_loop() {
  auto self = shared_from_this();
  // Responses and events first, then a round of the sessions' output
  // (gather_output) in each write.
  co_await writer_.run();
  closed_ = true;
  detach_all();
  boost::system::error_code ignored;
  socket_.shutdown(asio::socket_base::shutdown_both, ignored);
  socket_.close(ignored);
  supervisor_.forget(this);
}

// A round of output: sessions with little pending (an echo, a prompt) go
// whole and first; the rest share kMaxDataChunk, at least kMinDataShare each.
// A flooding session's output thus delays another session's keystroke by one
// bounded round, not by a full chunk of every flooding session.
void Connection::gather_output(std::vector<std::string>& frames) {
  std::size_t pending = 0;
  for (auto& [id, sub] : subs_) {
    if (!sub.answered || sub.snapshot_pending) continue;
    Session& s = *sub.session;
    if (sub.sent_to < s.ring().start()) {
      // Fell behind the ring: repaint from a snapshot, go on from its
      // offset (the snapshot event is queued ahead of that output).
      log_warn("connection fell behind session " + id + " by " +
               std::to_string(s.ring().end() - sub.sent_to) + " bytes; sending a snapshot");
      sub.snapshot_pending = true;
      s.snapshot([self = weak_from_this(), id = id, gen = sub.generation](proto::Snapshot snap) {
        auto c = self.lock();
        if (!c) return;
        auto it = c->subs_.find(id);
        if (it == c->subs_.end() || it->second.generation != gen) return;
        it->second.snapshot_pending = false;
        it->second.sent_to = snap.offset;
        c->queue(proto::encode_frame(proto::make_event(id, proto::sup::SnapshotEvent{snap})));
      });
    } else if (sub.sent_to < s.ring().end()) {
      ++pending;
    }
  }
  const std::size_t share =
      std::max(kMinDataShare, kMaxDataChunk / std::max<std::size_t>(pending, 1));
  for (const bool small : {true, false}) {
    for (auto& [id, sub] : subs_) {
      if (!sub.answered || sub.snapshot_pending) continue;
      Session& s = *sub.session;
      if (sub.sent_to < s.ring().start()) continue;
      const std::uint64_t left = s.ring().end() - sub.sent_to;
      if (left > 0 && (left <= share) == small) {
        // The bytes go straight from the ring behind the frame's head.
        const std::uint64_t from = sub.sent_to;
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(share, left));
        std::string frame =
            proto::encode_frame_head(proto::make_event(id, proto::sup::DataEvent{from}), n);
        frame.reserve(frame.size() + n);
        sub.sent_to += s.ring().read(from, n, frame);
        frames.push_back(std::move(frame));
      }
      if (!small && sub.sent_to == s.ring().end() && s.finished() && !sub.exit_sent) {
        sub.exit_sent = true;
        frames.push_back(exit_event(s));
        s.shrink_if_read();
      }
    }
  }
}

void Connection::handle(proto::Frame& frame) {
  std::string id;
  try {
    const proto::Envelope env = proto::parse_envelope(frame.json);
    const auto* request = std::get_if<proto::Request>(&env);
    if (!request) throw proto::ProtocolError(code::kInvalidRequest, "expected a request");
    id = request->id;
    dispatch(*request, frame.payload);
  } catch (const proto::ProtocolError& e) {
    fail(id, e.code(), e.what());
    if (e.code() == code::kProtocolMismatch) close();
  } catch (const std::exception& e) {
    log_error(std::string("request failed: ") + e.what());
    fail(id, code::kInternalError, e.what());
  }
}

void Connection::dispatch(const proto::Request& request, const std::string& bytes) {
  using namespace proto::sup;
  if (request.type == HelloRequest::kType) {
    if (hello_done_)
      throw proto::ProtocolError(code::kAlreadyAuthenticated, "hello was already said");
    const HelloRequest hello = validate_hello(request.payload);
    hello_done_ = true;
    log_info("hello from pid " + std::to_string(hello.daemonPid) + " (" + hello.daemonVersion +
             ")");
    HelloResult result{proto::kSupervisorProtocolVersion,
                       static_cast<int>(::getpid()),
                       std::string(proto::kPtyctlVersion),
                       {}};
    for (const auto& s : supervisor_.sessions())
      result.sessions.push_back(s->info());
    respond(request.id, json::value_from(result));
    return;
  }
  if (!hello_done_)
    throw proto::ProtocolError(code::kNotAuthenticated, "the first request must be hello");

  const auto payload = Requests::parse(request.type, request.payload);
  std::visit([&](const auto& p) { on(request.id, p, bytes); }, payload);
}

// --- one handler per request (the first, hello, is answered above) ----------

using namespace proto::sup;

std::shared_ptr<Session> Connection::session_of(const std::string& id) const {
  auto s = supervisor_.find(id);
  if (!s) throw proto::ProtocolError(code::kSessionNotFound, "no session " + id);
  return s;
}

void Connection::on(const std::string& id, const CreateSessionRequest& p, const std::string&) {
  if (auto existing = supervisor_.find(p.sessionId); existing && !existing->finished())
    throw proto::ProtocolError(code::kSessionExists, "session " + p.sessionId + " is running");
  if (p.restore.value_or(false)) {
    if (auto s = supervisor_.restore(p.sessionId, p.rerun.value_or(false))) {
      respond(id, json::value_from(CreateSessionResult{s->id(), s->pid(), true, true}));
      return;
    }
  }
  SessionSpec spec;
  spec.sessionId = p.sessionId;
  spec.cols = p.cols;
  spec.rows = p.rows;
  spec.cwd = p.cwd.value_or(supervisor_.options().default_cwd);
  spec.shell = p.shell.value_or(supervisor_.options().default_shell);
  spec.args = p.args.value_or(std::vector<std::string>{});
  spec.command = p.command;
  spec.workspaceId = p.workspaceId.value_or("");
  spec.paneId = p.paneId.value_or("");
  spec.env = p.env;
  spec.inheritEnv = p.inheritEnv;
  auto s = supervisor_.create(std::move(spec));
  respond(id, json::value_from(CreateSessionResult{s->id(), s->pid(), true, std::nullopt}));
}

void Connection::on(const std::string& id, const AttachSessionRequest& p, const std::string&) {
  auto s = session_of(p.sessionId);
  // Attached from now on (the output from here is this client's to answer
  // queries in); answered, and its output flowing, once the snapshot of
  // the output so far is taken.
  if (auto old = subs_.find(p.sessionId); old != subs_.end()) old->second.session->detach(this);
  Subscription& sub = subs_[p.sessionId];
  sub = Subscription{s, 0, false, false, false, ++attaches_};
  s->attach(this);
  s->snapshot([self = weak_from_this(), id, p, gen = sub.generation, s](proto::Snapshot snap) {
    auto c = self.lock();
    if (!c || c->closed_) return;
    AttachSessionResult result{std::move(snap), false, s->info()};
    std::uint64_t from = result.snapshot.offset;
    if (p.fromOffset && s->ring().holds(*p.fromOffset)) {
      from = *p.fromOffset;
      result.resumed = true;
    }
    // Detached or attached again meanwhile: answered all the same, and the
    // later request stands (as if each had been answered at once).
    auto it = c->subs_.find(p.sessionId);
    if (it != c->subs_.end() && it->second.generation == gen) {
      it->second.sent_to = from;
      it->second.answered = true;
    }
    c->respond(id, json::value_from(result));
  });
}

void Connection::on(const std::string& id, const DetachSessionRequest& p, const std::string&) {
  if (auto it = subs_.find(p.sessionId); it != subs_.end()) {
    it->second.session->detach(this);
    subs_.erase(it);
  } else {
    session_of(p.sessionId);
  }
  respond(id, json::value_from(EmptyResult{}));
}

void Connection::on(const std::string& id, const WriteRequest& p, const std::string& bytes) {
  auto s = session_of(p.sessionId);
  if (s->finished())
    throw proto::ProtocolError(code::kWriteFailed, "session " + p.sessionId + " has ended");
  if (!s->queue_input(bytes))
    throw proto::ProtocolError(code::kWriteQueueFull,
                               "the session's input queue is full (64 MiB); nothing was written");
  if (!p.noReply.value_or(false)) respond(id, json::value_from(EmptyResult{}));
}

void Connection::on(const std::string& id, const ResizeRequest& p, const std::string&) {
  session_of(p.sessionId)->resize(p.cols, p.rows);
  respond(id, json::value_from(EmptyResult{}));
}

void Connection::on(const std::string& id, const GetSnapshotRequest& p, const std::string&) {
  auto s = session_of(p.sessionId);
  s->snapshot([self = weak_from_this(), id, s = std::weak_ptr<Session>(s)](proto::Snapshot snap) {
    auto c = self.lock();
    auto session = s.lock();
    if (c && session) c->respond(id, json::value_from(GetSnapshotResult{snap, session->info()}));
  });
}

void Connection::on(const std::string& id, const KillSessionRequest& p, const std::string&) {
  if (!supervisor_.find(p.sessionId) && supervisor_.remove_record(p.sessionId)) {
    respond(id, json::value_from(EmptyResult{}));  // a restorable one: its record goes
    return;
  }
  auto s = session_of(p.sessionId);
  const int sig = *proto::signal_from_name(p.signal.value_or("SIGHUP"));
  respond(id, json::value_from(EmptyResult{}));
  if (s->finished()) {
    // Already ended: its exit again, and the record goes.
    queue(exit_event(*s));
    if (auto it = subs_.find(p.sessionId); it != subs_.end()) it->second.exit_sent = true;
    supervisor_.remove(p.sessionId);
  } else {
    if (p.forget.value_or(false)) s->forget_when_finished();
    s->kill(sig, supervisor_.options().kill_grace);
  }
}

void Connection::on(const std::string& id, const SignalRequest& p, const std::string&) {
  auto s = session_of(p.sessionId);
  if (!s->send_signal(*proto::signal_from_name(p.signal)))
    throw proto::ProtocolError(code::kSessionNotFound, "session " + p.sessionId + " has ended");
  respond(id, json::value_from(EmptyResult{}));
}

void Connection::on(const std::string& id, const ListSessionsRequest&, const std::string&) {
  ListSessionsResult result;
  for (const auto& s : supervisor_.sessions())
    result.sessions.push_back(s->info());
  for (auto& info : supervisor_.restorable_sessions())
    result.sessions.push_back(std::move(info));
  respond(id, json::value_from(result));
}

void Connection::on(const std::string& id, const ClearScrollbackRequest& p, const std::string&) {
  session_of(p.sessionId)->clear_history();
  respond(id, json::value_from(EmptyResult{}));
}

void Connection::on(const std::string& id, const PrepareUpgradeRequest& p, const std::string&) {
  // Answered here only when it did not happen; otherwise the next image
  // answers on this socket.
  supervisor_.upgrade(p.binary, weak_from_this(), id,
                      [self = weak_from_this(), id](const std::string& why) {
                        if (auto c = self.lock()) c->fail(id, code::kUpgradeFailed, why);
                      });
}

void Connection::on(const std::string&, const HelloRequest&, const std::string&) {
  throw proto::ProtocolError(code::kInvalidRequest, "hello was already received");
}

}  // namespace ptyctl::sup
