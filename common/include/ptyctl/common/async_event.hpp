#pragma once
// A broadcast wake-up for coroutines on one io_context: every waiter resumes
// on notify_all(), or at its own deadline. (One steady_timer per waiter:
// re-arming a shared timer would cancel the other waiters.)

#include <boost/asio.hpp>

#include <list>

namespace ptyctl {

namespace asio = boost::asio;

class AsyncEvent {
 public:
  explicit AsyncEvent(asio::any_io_executor executor) : executor_(std::move(executor)) {}

  // True when woken by notify_all(), false at the deadline.
  asio::awaitable<bool> wait(
      asio::steady_timer::time_point deadline = asio::steady_timer::time_point::max()) {
    asio::steady_timer timer(executor_, deadline);
    Waiter waiter{&timer};
    auto it = waiters_.insert(waiters_.end(), &waiter);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    waiters_.erase(it);
    co_return waiter.notified;
  }

  void notify_all() {
    for (Waiter* w : waiters_) {
      w->notified = true;
      w->timer->cancel();
    }
  }

 private:
  struct Waiter {
    asio::steady_timer* timer;
    bool notified = false;
  };
  asio::any_io_executor executor_;
  std::list<Waiter*> waiters_;
};

}  // namespace ptyctl
