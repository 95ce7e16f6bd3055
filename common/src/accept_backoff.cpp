#include <ptyctl/common/accept_backoff.hpp>
#include <ptyctl/common/log.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace ptyctl {

boost::asio::awaitable<void> AcceptBackoff::failed(boost::asio::io_context& io,
                                                   std::string reason) {
  ++since_log_;
  const auto now = std::chrono::steady_clock::now();
  if (last_log_ == std::chrono::steady_clock::time_point{} || now - last_log_ >= kLogInterval) {
    log_warn(server_ + ": accept failed: " + reason + " (" + std::to_string(since_log_) + " time" +
             (since_log_ == 1 ? "" : "s") + " since the last report); pausing new connections");
    last_log_ = now;
    since_log_ = 0;
  }
  boost::asio::steady_timer t(io, pause_);
  co_await t.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  pause_ = std::min(pause_ * 2, kLongestPause);
}

boost::asio::awaitable<void> accept_connections(
    boost::asio::io_context& io, boost::asio::local::stream_protocol::acceptor& acceptor,
    std::string server, std::function<bool()> stopping,
    std::function<void(boost::asio::local::stream_protocol::socket)> accepted) {
  namespace asio = boost::asio;
  AcceptBackoff backoff(std::move(server));
  for (;;) {
    // The error code in a named variable (redirect_error), not a structured
    // binding of the awaited tuple: GCC 12 lets that temporary die early, and
    // the error path (EMFILE) then read a dead error_category.
    boost::system::error_code ec;
    auto socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (stopping() || ec == asio::error::operation_aborted) co_return;
      std::string reason = ec.message();
      co_await backoff.failed(io, std::move(reason));
      continue;
    }
    backoff.succeeded();
    accepted(std::move(socket));
  }
}

}  // namespace ptyctl
