#include <ptyctl/common/log.hpp>
#include <ptyctl/common/watchdog.hpp>

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <boost/asio/post.hpp>

namespace ptyctl {

namespace {

std::atomic<const std::string*> g_activity{nullptr};
std::mutex g_activity_mutex;  // guards reading the string g_activity points to

std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

ActivityScope::ActivityScope(const std::string& what) : previous_(g_activity.exchange(&what)) {}

ActivityScope::~ActivityScope() {
  std::lock_guard<std::mutex> lock(g_activity_mutex);
  g_activity.store(previous_);
}

std::string ActivityScope::current() {
  // The loop is stuck inside the scope while we read (that is when we ask),
  // so the string it points to lives; the mutex covers a scope that ends now.
  std::lock_guard<std::mutex> lock(g_activity_mutex);
  const std::string* a = g_activity.load();
  return a ? *a : std::string();
}

Watchdog::Watchdog(boost::asio::io_context& io, Options options)
    : io_(io), options_(std::move(options)), timer_(io) {}

Watchdog::~Watchdog() {
  stop();
}

void Watchdog::start() {
  last_beat_ms_ = steady_ms();
  beat();
  thread_ = std::thread([this] { run(); });
  if (options_.on_stop) {
    signals_ = std::thread([this] {
      sigset_t set;
      sigemptyset(&set);
      sigaddset(&set, SIGTERM);
      sigaddset(&set, SIGINT);
      for (;;) {
        int sig = 0;
        if (::sigwait(&set, &sig) != 0) continue;
        if (done_) return;
        boost::asio::post(io_, [this, sig] { options_.on_stop(sig); });
        // From now on, a loop that makes no progress is stuck for good.
        const auto since = steady_ms();
        while (!done_) {
          const auto quiet = steady_ms() - std::max<std::int64_t>(last_beat_ms_, since);
          if (quiet >= options_.stuck_after.count()) {
            log_error("the event loop is stuck (" + ActivityScope::current() +
                      "); stopping without it");
            if (options_.emergency) options_.emergency();
            ::_exit(1);
          }
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        return;
      }
    });
  }
}

void Watchdog::stop() {
  if (done_.exchange(true)) return;
  timer_.cancel();
  if (thread_.joinable()) thread_.join();
  if (signals_.joinable()) {
    // Wake sigwait with a signal of its set; done_ makes it return.
    ::pthread_kill(signals_.native_handle(), SIGTERM);
    signals_.join();
  }
}

void Watchdog::beat() {
  last_beat_ms_ = steady_ms();
  timer_.expires_after(std::chrono::milliseconds(250));
  timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec && !done_) beat();
  });
}

void Watchdog::run() {
  bool reported = false;
  while (!done_) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const auto quiet = steady_ms() - last_beat_ms_;
    if (quiet >= options_.stall_after.count()) {
      if (!reported) {
        const std::string what = ActivityScope::current();
        log_error("the event loop has made no progress for " + std::to_string(quiet / 1000) + " s" +
                  (what.empty() ? "" : " (busy with " + what + ")"));
        reported = true;
      }
    } else if (reported) {
      log_warn("the event loop runs again");
      reported = false;
    }
  }
}

}  // namespace ptyctl
