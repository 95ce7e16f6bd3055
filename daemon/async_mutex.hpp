#pragma once
// A mutex for coroutines on one io_context: lock() suspends instead of
// blocking. terminal-host holds one per session so that two createOrAttach
// calls for the same session cannot interleave their supervisor requests.
//
// The lock is the one slot of a channel: lock() sends into it (waiting, in
// arrival order, while it is full) and the guard's end receives from it,
// which hands the slot straight to the first waiter: nobody who arrives later
// can take it first.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/channel.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <utility>

namespace ptyctl::host {

namespace asio = boost::asio;

class AsyncMutex {
 public:
  explicit AsyncMutex(asio::any_io_executor executor) : slot_(std::move(executor), 1) {}

  class Guard {
   public:
    explicit Guard(AsyncMutex& m) : m_(&m) {}
    Guard(Guard&& o) noexcept : m_(std::exchange(o.m_, nullptr)) {}
    Guard(const Guard&) = delete;
    ~Guard() {
      if (m_) m_->slot_.try_receive([](boost::system::error_code) {});
    }

   private:
    AsyncMutex* m_;
  };

  asio::awaitable<Guard> lock() {
    co_await slot_.async_send(boost::system::error_code{}, asio::use_awaitable);
    co_return Guard(*this);
  }

 private:
  asio::experimental::channel<void(boost::system::error_code)> slot_;
};

}  // namespace ptyctl::host
