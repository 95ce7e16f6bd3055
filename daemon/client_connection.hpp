#pragma once
// One socket of a desktop client on terminal-host.sock: NDJSON in, NDJSON
// out. After hello it is the client's control socket (requests, responses) or
// its stream socket (events). Output waits in a bounded queue: a peer that
// stops reading is disconnected past the bound, and nobody else waits for it.

#include <ptyctl/common/stream_writer.hpp>
#include <ptyctl/proto/line_codec.hpp>

#include <boost/asio.hpp>

#include <deque>
#include <memory>
#include <string>

namespace ptyctl::host {

namespace asio = boost::asio;

class Host;

enum class Role { kNone, kControl, kStream };

class ClientConnection : public std::enable_shared_from_this<ClientConnection> {
 public:
  ClientConnection(Host& host, asio::local::stream_protocol::socket socket, std::uint64_t serial);

  void start();
  // Only the writer: what is queued goes out, then it closes (a refusal).
  void start_writer_only();
  // Queues one line (from proto::encode_line). Past the queue limit for this
  // role the connection is closed and the reason logged.
  void send(std::string line);
  // Sends what is queued, then closes.
  void close_after_flush();
  // Closes at once; queued output is dropped.
  void close(const std::string& why);

  bool closed() const { return closed_; }
  // A request from this socket is being answered / has been: past
  // kMaxRequestsInFlight the socket is not read until answers drain, so no
  // client can make terminal-host a slow reader of the supervisor.
  void request_started() { ++in_flight_; }
  void request_done();
  Role role() const { return role_; }
  const std::string& client_id() const { return client_id_; }
  void set_identity(Role role, std::string client_id);
  std::uint64_t serial() const { return serial_; }
  std::string describe() const;

 private:
  asio::awaitable<void> read_loop();
  asio::awaitable<void> write_loop();
  asio::awaitable<void> hello_deadline();
  void finish();

  Host& host_;
  asio::local::stream_protocol::socket socket_;
  StreamWriter writer_;
  proto::LineDecoder decoder_;
  Role role_ = Role::kNone;
  std::string client_id_;
  std::uint64_t serial_;
  bool closed_ = false;
  bool finished_ = false;
  std::size_t in_flight_ = 0;
  asio::steady_timer drained_;  // cancelled when a request is answered
};

inline constexpr std::size_t kMaxRequestsInFlight = 64;

}  // namespace ptyctl::host
