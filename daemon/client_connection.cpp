#include "client_connection.hpp"

#include "host.hpp"

#include <ptyctl/common/log.hpp>
#include <ptyctl/common/read_more.hpp>
#include <ptyctl/proto/envelope.hpp>
#include <ptyctl/proto/errors.hpp>
#include <ptyctl/proto/limits.hpp>

#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <vector>

namespace ptyctl::host {

ClientConnection::ClientConnection(Host& host, asio::local::stream_protocol::socket socket,
                                   std::uint64_t serial)
    : host_(host),
      socket_(std::move(socket)),
      writer_(socket_, host.options().control_queue_limit),
      serial_(serial),
      drained_(socket_.get_executor(), asio::steady_timer::time_point::max()) {
  // A closing socket sends the answers still to come first.
  writer_.may_finish = [this] { return in_flight_ == 0; };
}

void ClientConnection::request_done() {
  if (in_flight_ > 0) --in_flight_;
  drained_.cancel();
  writer_.poke();  // a closing socket waits for its last answers
}

asio::awaitable<void> ClientConnection::hello_deadline() {
  auto self = shared_from_this();
  asio::steady_timer t(socket_.get_executor(), std::chrono::seconds(proto::kHelloDeadlineSeconds));
  co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
  if (role_ != Role::kNone || closed_ || writer_.closing()) co_return;
  log_warn("closing " + describe() + ": no hello within " +
           std::to_string(proto::kHelloDeadlineSeconds) + " s");
  send(proto::encode_line(proto::make_failure(
      "", proto::code::kHelloTimeout,
      "no hello within " + std::to_string(proto::kHelloDeadlineSeconds) + " s")));
  close_after_flush();
}

std::string ClientConnection::describe() const {
  std::string role = role_ == Role::kControl  ? "control"
                     : role_ == Role::kStream ? "stream"
                                              : "unauthenticated";
  return role + " socket #" + std::to_string(serial_) +
         (client_id_.empty() ? "" : " of client " + client_id_);
}

void ClientConnection::set_identity(Role role, std::string client_id) {
  role_ = role;
  client_id_ = std::move(client_id);
  writer_.set_limit(role_ == Role::kStream ? host_.options().stream_queue_limit
                                           : host_.options().control_queue_limit);
}

void ClientConnection::start() {
  // Only our own uid may use the daemon, whatever the socket's mode.
  ucred cred{};
  socklen_t len = sizeof cred;
  if (::getsockopt(socket_.native_handle(), SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 ||
      cred.uid != ::getuid()) {
    log_warn("refused a connection from uid " + std::to_string(cred.uid));
    send(proto::encode_line(
        proto::make_failure("", proto::code::kPermissionDenied,
                            "peer uid " + std::to_string(cred.uid) + " is not allowed")));
    close_after_flush();
    asio::co_spawn(socket_.get_executor(), write_loop(), asio::detached);
    return;
  }
  asio::co_spawn(socket_.get_executor(), read_loop(), asio::detached);
  asio::co_spawn(socket_.get_executor(), write_loop(), asio::detached);
  asio::co_spawn(socket_.get_executor(), hello_deadline(), asio::detached);
}

void ClientConnection::start_writer_only() {
  asio::co_spawn(socket_.get_executor(), write_loop(), asio::detached);
}

void ClientConnection::send(std::string line) {
  if (closed_) return;
  const std::size_t size = line.size();
  if (!writer_.push(std::move(line)))
    close("it stopped reading: " + std::to_string(writer_.queued_bytes() + size) +
          " bytes queued, limit " + std::to_string(writer_.limit()) + "; it can resume by offset");
}

void ClientConnection::close_after_flush() {
  writer_.close_after_flush();
}

void ClientConnection::close(const std::string& why) {
  if (closed_) return;
  log_warn("closing " + describe() + ": " + why);
  closed_ = true;
  writer_.close();
  boost::system::error_code ignored;
  socket_.shutdown(asio::socket_base::shutdown_both, ignored);
  socket_.close(ignored);
  drained_.cancel();
  finish();
}

void ClientConnection::finish() {
  if (finished_) return;
  finished_ = true;
  closed_ = true;
  host_.on_closed(shared_from_this());
}

asio::awaitable<void> ClientConnection::read_loop() {
  auto self = shared_from_this();
  ReadBuffer buf;
  bool peer_done = false;  // half-closed: answer what it asked, then close
  while (!closed_ && !writer_.closing()) {
    if (!co_await read_more(socket_, buf, decoder_, peer_done)) break;
    try {
      for (;;) {
        while (in_flight_ >= kMaxRequestsInFlight && !closed_) {
          drained_.expires_at(asio::steady_timer::time_point::max());
          co_await drained_.async_wait(asio::as_tuple(asio::use_awaitable));
        }
        if (closed_) break;
        const std::size_t dropped = decoder_.dropped();
        auto message = decoder_.next();
        if (decoder_.dropped() != dropped)
          log_warn("dropped a line from " + describe() + ": " + decoder_.last_drop_reason());
        if (!message) break;
        host_.on_message(self, std::move(*message));
        if (closed_) break;
      }
    } catch (const proto::ProtocolError& e) {
      send(proto::encode_line(proto::make_failure("", e)));
      log_warn("closing " + describe() + ": " + e.code() + ": " + e.what());
      close_after_flush();
    }
  }
  if (peer_done && !closed_) {
    close_after_flush();  // the writer waits for the answers still to come
  } else if (!writer_.closing() && !closed_) {
    boost::system::error_code ignored;
    socket_.close(ignored);
    closed_ = true;
    writer_.close();
    finish();
  }
}

asio::awaitable<void> ClientConnection::write_loop() {
  auto self = shared_from_this();
  co_await writer_.run();
  boost::system::error_code ignored;
  socket_.shutdown(asio::socket_base::shutdown_both, ignored);
  socket_.close(ignored);
  closed_ = true;
  drained_.cancel();  // a read loop waiting for answers sees the close
  finish();
}

}  // namespace ptyctl::host
