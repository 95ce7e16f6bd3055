#pragma once
// A thread beside the event loop that notices when the loop makes no progress
// (a handler that never returns) and says what it was doing, and that takes
// the stop signals itself so that SIGTERM works even then.
//
// The loop beats (a timer every 250 ms); a stall of `stall_after` without a
// beat is logged once, naming the current ActivityScope ("session s1's
// output"). SIGTERM and SIGINT are taken by sigwait() on this thread (they
// stay blocked everywhere else: hold_stop_signals) and handed to the loop as
// `on_stop`; if the loop then makes no progress for `stuck_after`, it is
// stuck: `emergency` runs on this thread (it must only make system calls)
// and the process exits with status 1.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace ptyctl {

// Names what the loop is doing for as long as it lives (one at a time).
class ActivityScope {
 public:
  explicit ActivityScope(const std::string& what);
  ~ActivityScope();
  ActivityScope(const ActivityScope&) = delete;
  ActivityScope& operator=(const ActivityScope&) = delete;
  // What the loop is doing now, or "" (for the watchdog thread).
  static std::string current();

 private:
  const std::string* previous_;
};

class Watchdog {
 public:
  struct Options {
    std::chrono::milliseconds stall_after{5000};
    std::chrono::milliseconds stuck_after{2000};
    std::function<void(int)> on_stop;  // on the loop: a signal arrived
    std::function<void()> emergency;   // on the thread: the loop is stuck
  };
  Watchdog(boost::asio::io_context& io, Options options);
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  void start();
  // The loop has finished (io.run returned): the thread goes.
  void stop();

 private:
  void beat();
  void run();

  boost::asio::io_context& io_;
  Options options_;
  boost::asio::steady_timer timer_;
  std::atomic<std::int64_t> last_beat_ms_{0};
  std::atomic<bool> done_{false};
  std::thread thread_;
  std::thread signals_;
};

}  // namespace ptyctl
