#pragma once
// A session's emulator on the emulators' thread (emulator_worker.hpp). The
// event loop queues what changes it (output, resizes, a clear) and what
// reads it (snapshots, handovers, records) in one order: a read runs once
// everything queued before it has been taken in, so a snapshot asked for at
// ring offset X is the screen after exactly the bytes before X. A read with
// a patience runs where the emulator is once that has passed (hostile output
// can cost seconds of work per MB): the offset it is given says where that
// is, and the ring holds what follows. The emulator itself is touched by the
// worker only (before start(), by the loop).

#include "emulator/emulator.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace ptyctl::sup {

class EmulatorWorker;

class SessionEmulator : public std::enable_shared_from_this<SessionEmulator> {
 public:
  // Runs on the worker with the emulator and the offset of its next byte.
  using Task = std::function<void(emu::Emulator&, std::uint64_t offset)>;

  SessionEmulator(EmulatorWorker& worker, int cols, int rows);

  // --- before the worker has it (an upgrade's adoption) ---
  emu::Emulator& unshared() { return emulator_; }
  void set_offset(std::uint64_t offset) { offset_ = offset; }

  // --- on the loop ---
  // `answers_queries`: nobody was attached when these bytes were forwarded,
  // so the emulator answers their terminal queries (exactly one answer).
  void feed(std::string_view bytes, bool answers_queries);
  void resize(int cols, int rows);
  void clear();
  // `patience`: how long it may wait for what was queued before it.
  void run(Task task, std::optional<std::chrono::milliseconds> patience = std::nullopt);
  // run() with no patience, and waits for it (an upgrade, a clean stop):
  // the loop waits a piece of work at most.
  template <class R>
  R call(std::function<R(emu::Emulator&, std::uint64_t)> fn) {
    std::promise<R> done;
    run([&](emu::Emulator& e, std::uint64_t offset) { done.set_value(fn(e, offset)); },
        std::chrono::milliseconds(0));
    return done.get_future().get();
  }
  // Bytes fed and not yet taken in.
  std::size_t backlog() const { return backlog_.load(std::memory_order_relaxed); }
  // The shell's OSC 7 as of the last piece of work.
  std::optional<std::string> cwd() const;
  // On the worker: an answer to a terminal query; the backlog fell to
  // `low` or below after being above `high` (the read loop may go on).
  void on_worker(std::function<void(std::string)> query_answer, std::function<void()> caught_up,
                 std::size_t high, std::size_t low);

  // --- on the worker ---
  // One piece of bounded work; true if more is queued.
  bool work_piece();

 private:
  struct Command {
    enum class Kind { kBytes, kResize, kClear, kRun } kind = Kind::kBytes;
    std::string bytes;
    bool answers_queries = false;
    int cols = 0, rows = 0;
    Task task;  // empty once run ahead of its turn
    std::optional<std::chrono::steady_clock::time_point> deadline;
    std::size_t done = 0;  // bytes taken in so far
  };
  void push(Command command);
  // On the worker: the reads whose patience has run out, taken out of the queue.
  std::vector<Task> overdue();

  EmulatorWorker& worker_;
  emu::Emulator emulator_;
  std::uint64_t offset_ = 0;   // the worker's
  bool answering_ = false;     // the worker's: the bytes in hand answer queries
  bool deadline_ran_ = false;  // the worker's: the read in hand had a patience
  std::string answers_;        // the worker's: answers of the piece in hand

  mutable std::mutex mutex_;  // guards what follows
  std::deque<Command> queue_;
  bool scheduled_ = false;
  std::size_t with_deadline_ = 0;  // queued reads with a patience
  std::optional<std::string> cwd_;
  std::function<void(std::string)> query_answer_;
  std::function<void()> caught_up_;
  std::size_t high_ = 0, low_ = 0;
  bool above_high_ = false;

  std::atomic<std::size_t> backlog_{0};
};

}  // namespace ptyctl::sup
