#pragma once
// Both servers' accept loop (accept_connections), and what it does when
// accept() fails: out of file descriptors (EMFILE, ENFILE) or memory,
// retrying at once would spin and log the same line thousands of times a
// second. Instead they pause (100 ms, doubling to 1 s while it lasts) and
// log once per 10 s with a count, as nginx and HAProxy do.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <functional>
#include <string>

namespace ptyctl {

class AcceptBackoff {
 public:
  explicit AcceptBackoff(std::string server) : server_(std::move(server)) {}
  // After a failed accept: logs (rate-limited) and waits before the next.
  // (The reason by value: GCC 12 coroutines mishandle a reference to the
  // caller's structured binding.)
  boost::asio::awaitable<void> failed(boost::asio::io_context& io, std::string reason);
  // After a successful accept: the pause starts small again.
  void succeeded() { pause_ = kFirstPause; }

  static constexpr std::chrono::milliseconds kFirstPause{100};
  static constexpr std::chrono::milliseconds kLongestPause{1000};
  static constexpr std::chrono::seconds kLogInterval{10};

 private:
  std::string server_;
  std::chrono::milliseconds pause_ = kFirstPause;
  std::chrono::steady_clock::time_point last_log_{};
  int since_log_ = 0;
};

// Accepts on `acceptor` and hands each socket to `accepted` until the
// acceptor is closed (or fails while `stopping()`); a failure otherwise
// pauses as above. `server` names the program in the log.
boost::asio::awaitable<void> accept_connections(
    boost::asio::io_context& io, boost::asio::local::stream_protocol::acceptor& acceptor,
    std::string server, std::function<bool()> stopping,
    std::function<void(boost::asio::local::stream_protocol::socket)> accepted);

}  // namespace ptyctl
