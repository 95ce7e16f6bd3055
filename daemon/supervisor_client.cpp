#include "supervisor_client.hpp"

#include <ptyctl/common/launch.hpp>
#include <ptyctl/common/log.hpp>
#include <ptyctl/proto/errors.hpp>
#include <ptyctl/proto/paths.hpp>
#include <ptyctl/proto/supervisor_messages.hpp>
#include <ptyctl/proto/version.hpp>

#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <charconv>
#include <filesystem>

namespace ptyctl::host {

namespace json = boost::json;
namespace code = proto::code;
using namespace std::chrono_literals;

SupervisorClient::SupervisorClient(asio::io_context& io, SupervisorClientOptions options)
    : io_(io),
      options_(std::move(options)),
      socket_path_(options_.state_dir + "/" + std::string(proto::kSupervisorSocket)),
      socket_(io),
      ready_event_(io.get_executor()),
      closed_signal_(io, asio::steady_timer::time_point::max()) {}

void SupervisorClient::start() {
  asio::co_spawn(io_, run(), asio::detached);
}

void SupervisorClient::stop() {
  stopping_ = true;
  boost::system::error_code ignored;
  socket_.close(ignored);
  ready_event_.notify_all();
  closed_signal_.cancel();
}

void SupervisorClient::drop_connection() {
  log_info("dropping the connection to pty-supervisor (SIGUSR1)");
  boost::system::error_code ignored;
  socket_.close(ignored);
}

std::string SupervisorClient::binary() const {
  if (!options_.supervisor_binary.empty()) return options_.supervisor_binary;
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const auto beside = self.parent_path() / "pty-supervisor";
    if (std::filesystem::exists(beside, ec)) return beside.string();
  }
  return "pty-supervisor";  // found through $PATH
}

asio::awaitable<void> SupervisorClient::spawn_supervisor() {
  const std::string bin = binary();
  log_info("no supervisor answers on " + socket_path_ + "; starting " + bin);
  // In a session of its own (a Ctrl-C on our terminal never reaches it);
  // --detach then forks again and logs to <state-dir>/pty-supervisor.log.
  const pid_t pid = launch_detached({bin, "--state-dir", options_.state_dir, "--log-level",
                                     options_.log_level, "--name", options_.instance, "--detach"});
  if (pid < 0) {
    log_error("fork failed; cannot start pty-supervisor");
    co_return;
  }
  // The direct child exits as soon as the supervisor listens (or fails).
  asio::steady_timer poll(io_);
  for (int i = 0; i < 500; ++i) {
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        log_warn(bin + " exited with status " + std::to_string(status) + " (see " +
                 options_.state_dir + "/" + std::string(proto::kSupervisorLog) + ")");
      co_return;
    }
    poll.expires_after(10ms);
    co_await poll.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  log_warn(bin + " did not finish starting within 5 s");
}

asio::awaitable<bool> SupervisorClient::connect_once() {
  socket_ = asio::local::stream_protocol::socket(io_);
  auto [ec] = co_await socket_.async_connect(asio::local::stream_protocol::endpoint(socket_path_),
                                             asio::as_tuple(asio::use_awaitable));
  co_return !ec;
}

asio::awaitable<void> SupervisorClient::run() {
  auto backoff = 50ms;
  bool spawned = false;
  while (!stopping_) {
    bool ok = co_await connect_once();
    if (!ok && options_.spawn && !spawned) {
      co_await spawn_supervisor();
      spawned = true;
      for (int i = 0; i < 100 && !ok && !stopping_; ++i) {
        ok = co_await connect_once();
        if (ok) break;
        asio::steady_timer t(io_, 20ms);
        co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
      }
    }
    if (!ok) {
      asio::steady_timer t(io_, backoff);
      co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
      backoff = std::min<std::chrono::milliseconds>(backoff * 2, 1000ms);
      // A supervisor that went away may be started again after a pause.
      if (backoff == 1000ms) spawned = false;
      continue;
    }
    connected_ = true;
    closed_signal_.expires_at(asio::steady_timer::time_point::max());
    writer_ = std::make_shared<StreamWriter>(socket_, kMaxQueuedToSupervisor);
    asio::co_spawn(io_, read_loop(), asio::detached);
    asio::co_spawn(io_, write_loop(), asio::detached);
    try {
      proto::sup::HelloRequest hello{proto::kSupervisorProtocolVersion,
                                     static_cast<int>(::getpid()),
                                     std::string(proto::kPtyctlVersion)};
      json::value v = json::value_from(hello);
      const json::value r =
          co_await send_and_wait(proto::sup::HelloRequest::kType, std::move(v), {});
      const auto result = json::value_to<proto::sup::HelloResult>(r);
      supervisor_pid_ = result.supervisorPid;
      log_info("connected to pty-supervisor pid " + std::to_string(result.supervisorPid) + " (" +
               result.supervisorVersion + "), " + std::to_string(result.sessions.size()) +
               " sessions");
      backoff = 50ms;
      spawned = false;
      if (on_connected) co_await on_connected();
      ready_ = true;
      ready_event_.notify_all();
    } catch (const std::exception& e) {
      log_error(std::string("supervisor hello failed: ") + e.what());
      boost::system::error_code ignored;
      socket_.close(ignored);
    }
    if (connected_) {
      co_await closed_signal_.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    connected_ = false;
    ready_ = false;
    fail_pending("the connection to pty-supervisor was lost");
    if (stopping_) break;
    log_warn("lost the connection to pty-supervisor; reconnecting");
    if (on_disconnected) on_disconnected();
    asio::steady_timer t(io_, backoff);
    co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

asio::awaitable<void> SupervisorClient::read_loop() {
  proto::FrameDecoder decoder;
  std::array<char, 65536> buf;
  for (;;) {
    auto [ec, n] =
        co_await socket_.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
    if (ec) break;
    decoder.feed(std::string_view(buf.data(), n));
    bool broken = false;
    for (;;) {
      std::optional<proto::Frame> frame;
      bool answered = false;
      try {
        frame = decoder.next();
        if (!frame) break;
        proto::Envelope env = proto::parse_envelope(frame->json);
        if (auto* r = std::get_if<proto::Response>(&env)) {
          settle_unanswered(*r);
          auto it = pending_.find(r->id);
          if (it == pending_.end()) {
            if (!r->ok && r->error)
              log_warn("pty-supervisor: " + r->error->code + ": " + r->error->message);
            continue;
          }
          it->second->response = std::move(*r);
          it->second->done->cancel();
          pending_.erase(it);
          answered = true;
        } else if (auto* e = std::get_if<proto::Event>(&env)) {
          if (on_event) on_event(*e, frame->payload);
        }
      } catch (const std::exception& e) {
        log_error(std::string("bad frame from pty-supervisor: ") + e.what());
        broken = true;
        break;
      }
      // The caller waiting for this answer runs before the frames behind it:
      // an attach's data events must find the subscription it sets up.
      if (answered) co_await asio::post(socket_.get_executor(), asio::use_awaitable);
    }
    if (broken) break;
  }
  boost::system::error_code ignored;
  socket_.close(ignored);
  connected_ = false;
  writer_->close();
  closed_signal_.cancel();
}

asio::awaitable<void> SupervisorClient::write_loop() {
  // This connection's writer (the next connection gets its own: frames meant
  // for this one die with it).
  const std::shared_ptr<StreamWriter> writer = writer_;
  co_await writer->run();
  // A failed write: the read loop sees the close and reconnects.
  if (writer == writer_ && connected_) {
    boost::system::error_code ignored;
    socket_.close(ignored);
  }
}

void SupervisorClient::send_frame(std::string frame) {
  // Straight to the socket when the writer is idle (a keystroke does not
  // wait for the write loop's turn).
  if (!writer_ || writer_->closed()) return;  // no connection: the call fails
  if (!writer_->push(std::move(frame))) {
    log_warn("pty-supervisor stopped reading: " + std::to_string(writer_->queued_bytes()) +
             " bytes queued; reconnecting");
    writer_->close();
    boost::system::error_code ignored;
    socket_.close(ignored);
  }
}

void SupervisorClient::settle_unanswered(const proto::Response& response) {
  if (unanswered_.empty()) return;
  std::uint64_t id = 0;
  const auto [end, ec] =
      std::from_chars(response.id.data(), response.id.data() + response.id.size(), id);
  if (ec != std::errc() || end != response.id.data() + response.id.size()) return;
  if (auto it = unanswered_.find(id); it != unanswered_.end()) {
    auto failed = std::move(it->second);
    unanswered_.erase(it);
    if (!response.ok) {
      const auto& e = response.error;
      failed(proto::ProtocolError(e ? e->code : std::string(code::kUnknown),
                                  e ? e->message : "failed"));
    }
  }
  // The supervisor takes requests in order and answers a failed write at
  // once: the writes sent before this request were taken.
  unanswered_.erase(unanswered_.begin(), unanswered_.lower_bound(id));
}

asio::awaitable<void> SupervisorClient::write_unanswered(
    proto::sup::WriteRequest request, std::string_view bytes,
    std::function<void(const proto::ProtocolError&)> failed) {
  // Past this many with no other answer, one is answered (it settles them all).
  constexpr std::size_t kMaxUnanswered = 1024;
  if (unanswered_.size() >= kMaxUnanswered) {
    request.noReply.reset();
    try {
      co_await call(request, bytes);
    } catch (const proto::ProtocolError& e) {
      failed(e);
    }
    co_return;
  }
  co_await wait_until_ready();
  request.noReply = true;
  const std::uint64_t id = next_id_++;
  unanswered_[id] = std::move(failed);
  send_frame(
      proto::encode_frame(proto::make_request(std::to_string(id), proto::sup::WriteRequest::kType,
                                              json::value_from(request)),
                          bytes));
}

void SupervisorClient::fail_pending(const std::string& why) {
  auto unanswered = std::move(unanswered_);
  unanswered_.clear();
  for (auto& [id, failed] : unanswered)
    failed(proto::ProtocolError(code::kSubprocessError, why));
  auto pending = std::move(pending_);
  pending_.clear();
  for (auto& [id, p] : pending) {
    proto::Response r;
    r.id = id;
    r.ok = false;
    r.error = proto::ErrorInfo{std::string(code::kSubprocessError), why};
    p->response = std::move(r);
    p->done->cancel();
  }
}

asio::awaitable<json::value> SupervisorClient::send_and_wait(std::string_view type,
                                                             json::value payload,
                                                             std::string_view bytes) {
  if (!connected_)
    throw proto::ProtocolError(code::kSubprocessError, "pty-supervisor is not connected");
  const std::string id = std::to_string(next_id_++);
  send_frame(proto::encode_frame(proto::make_request(id, type, std::move(payload)), bytes));
  // A supervisor that is connected but does not answer (stuck) fails the
  // call after call_timeout, as one that cannot be reached does.
  asio::steady_timer done(io_, options_.call_timeout);
  Pending pending{&done, std::nullopt};
  pending_[id] = &pending;
  co_await done.async_wait(asio::as_tuple(asio::use_awaitable));
  if (!pending.response) {
    pending_.erase(id);
    throw proto::ProtocolError(code::kSubprocessError,
                               "pty-supervisor did not answer " + std::string(type) + " within " +
                                   std::to_string(options_.call_timeout.count() / 1000) + " s");
  }
  if (!pending.response->ok) {
    const auto& e = pending.response->error;
    throw proto::ProtocolError(e ? e->code : std::string(code::kUnknown),
                               e ? e->message : "failed");
  }
  co_return std::move(pending.response->payload);
}

asio::awaitable<void> SupervisorClient::wait_until_ready() {
  const auto deadline = std::chrono::steady_clock::now() + options_.call_timeout;
  while (!ready_ && !stopping_ && std::chrono::steady_clock::now() < deadline)
    co_await ready_event_.wait(deadline);
  if (!ready_)
    throw proto::ProtocolError(code::kSubprocessError,
                               "pty-supervisor is not reachable on " + socket_path_);
}

asio::awaitable<json::value> SupervisorClient::call_raw(std::string_view type, json::value payload,
                                                        std::string_view bytes) {
  co_await wait_until_ready();
  co_return co_await send_and_wait(type, std::move(payload), bytes);
}

}  // namespace ptyctl::host
