#pragma once
// A mutex for coroutines on one io_context: lock() suspends instead of
// blocking. terminal-host holds one per session so that two createOrAttach
// calls for the same session cannot interleave their supervisor requests.

#include <boost/asio.hpp>

#include <list>
#include <utility>

namespace ptyctl::host {

namespace asio = boost::asio;

class AsyncMutex {
 public:
  explicit AsyncMutex(asio::any_io_executor executor) : executor_(std::move(executor)) {}

  class Guard {
   public:
    explicit Guard(AsyncMutex& m) : m_(&m) {}
    Guard(Guard&& o) noexcept : m_(std::exchange(o.m_, nullptr)) {}
    Guard(const Guard&) = delete;
    ~Guard() {
      if (m_) m_->unlock();
    }

   private:
    AsyncMutex* m_;
  };

  asio::awaitable<Guard> lock() {
    while (locked_) {
      asio::steady_timer wake(executor_, asio::steady_timer::time_point::max());
      auto it = waiters_.insert(waiters_.end(), Waiter{&wake});
      co_await wake.async_wait(asio::as_tuple(asio::use_awaitable));
      waiters_.erase(it);
    }
    locked_ = true;
    co_return Guard(*this);
  }

 private:
  void unlock() {
    locked_ = false;
    // Each waiter erases its own entry when it resumes; wake the first one
    // not woken yet.
    for (auto& w : waiters_) {
      if (!w.woken) {
        w.woken = true;
        w.timer->cancel();
        break;
      }
    }
  }

  asio::any_io_executor executor_;
  bool locked_ = false;
  struct Waiter {
    asio::steady_timer* timer;
    bool woken = false;
  };
  std::list<Waiter> waiters_;
};

}  // namespace ptyctl::host
