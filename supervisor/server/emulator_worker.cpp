#include "emulator_worker.hpp"

#include "session_emulator.hpp"

#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace ptyctl::sup {

EmulatorWorker::EmulatorWorker() : thread_([this] { run(); }) {}

EmulatorWorker::~EmulatorWorker() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void EmulatorWorker::schedule(std::shared_ptr<SessionEmulator> emulator) {
  bool was_idle;
  {
    std::lock_guard lock(mutex_);
    was_idle = ready_.empty();
    ready_.push_back(std::move(emulator));
  }
  // Busy, it looks at the queue after each piece: no wake-up (a system call
  // per PTY read otherwise).
  if (was_idle) wake_.notify_one();
}

void EmulatorWorker::run() {
  // Signals are the loop's and the watchdog's business.
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, nullptr);
  // Background work: under CPU contention forwarding, input and the
  // sessions' programs come first (Linux's nice is per thread). A session
  // whose output outruns the emulator is paused at the lag limit, which is
  // what keeps twenty `yes` from starving another session's keystrokes.
  errno = 0;
  const int nice = ::getpriority(PRIO_PROCESS, 0);
  if (errno == 0)
    (void)::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()),
                        std::min(nice + kEmulatorNice, 19));
  for (;;) {
    std::shared_ptr<SessionEmulator> next;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stop_ || !ready_.empty(); });
      if (stop_) return;
      next = std::move(ready_.front());
      ready_.pop_front();
    }
    // One piece, then the next session's turn.
    if (next->work_piece()) {
      std::lock_guard lock(mutex_);
      ready_.push_back(std::move(next));
    }
  }
}

}  // namespace ptyctl::sup
