#pragma once
// The thread every session's emulator runs on, off the event loop: the loop
// reads a PTY, rings and forwards its bytes at the rate the kernel delivers
// them, and the emulators catch up here (docs/architecture.md, "The
// emulator's thread"). Sessions take turns a piece of bounded work at a time,
// so one session's hostile output delays the others' screens by at most a
// piece, never their bytes.

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

namespace ptyctl::sup {

class SessionEmulator;

// How much nicer than the supervisor the emulators' thread runs.
inline constexpr int kEmulatorNice = 10;

class EmulatorWorker {
 public:
  EmulatorWorker();
  ~EmulatorWorker();
  EmulatorWorker(const EmulatorWorker&) = delete;
  EmulatorWorker& operator=(const EmulatorWorker&) = delete;

  // `emulator` has work queued: it gets turns until it has none.
  void schedule(std::shared_ptr<SessionEmulator> emulator);

 private:
  void run();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<SessionEmulator>> ready_;
  bool stop_ = false;
  std::thread thread_;  // last: started once the rest is in place
};

}  // namespace ptyctl::sup
