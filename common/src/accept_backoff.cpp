#include <ptyctl/common/accept_backoff.hpp>
#include <ptyctl/common/log.hpp>

#include <boost/asio/as_tuple.hpp>
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

}  // namespace ptyctl
