#include "session_emulator.hpp"

#include "emulator_worker.hpp"

#include <ptyctl/common/log.hpp>

#include <new>

namespace ptyctl::sup {

namespace {
// Cells of emulator work per turn: a whole-screen operation costs rows x
// cols, so a stream of them (DECALN, ED, scrolls) is taken in pieces and the
// other sessions get their turns between.
constexpr std::uint64_t kWorkPiece = 32u * 1024;
// Output queued for the emulator is merged into one command up to this size.
constexpr std::size_t kMergeBytes = 256u * 1024;
}  // namespace

SessionEmulator::SessionEmulator(EmulatorWorker& worker, int cols, int rows)
    : worker_(worker), emulator_(cols, rows) {
  emulator_.set_query_answer([this](std::string_view answer) {
    if (answering_) answers_.append(answer);
  });
}

void SessionEmulator::on_worker(std::function<void(std::string)> query_answer,
                                std::function<void()> caught_up, std::size_t high,
                                std::size_t low) {
  std::lock_guard lock(mutex_);
  query_answer_ = std::move(query_answer);
  caught_up_ = std::move(caught_up);
  high_ = high;
  low_ = low;
}

void SessionEmulator::feed(std::string_view bytes, bool answers_queries) {
  if (bytes.empty()) return;
  backlog_.fetch_add(bytes.size(), std::memory_order_relaxed);
  Command c;
  c.kind = Command::Kind::kBytes;
  c.bytes = std::string(bytes);
  c.answers_queries = answers_queries;
  push(std::move(c));
}

void SessionEmulator::resize(int cols, int rows) {
  Command c;
  c.kind = Command::Kind::kResize;
  c.cols = cols;
  c.rows = rows;
  push(std::move(c));
}

void SessionEmulator::clear() {
  Command c;
  c.kind = Command::Kind::kClear;
  push(std::move(c));
}

void SessionEmulator::run(Task task, std::optional<std::chrono::milliseconds> patience) {
  Command c;
  c.kind = Command::Kind::kRun;
  c.task = std::move(task);
  if (patience) c.deadline = std::chrono::steady_clock::now() + *patience;
  push(std::move(c));
}

std::vector<SessionEmulator::Task> SessionEmulator::overdue() {
  std::vector<Task> due;
  std::lock_guard lock(mutex_);
  if (with_deadline_ == 0) return due;
  const auto now = std::chrono::steady_clock::now();
  for (Command& c : queue_) {
    if (c.kind != Command::Kind::kRun || !c.deadline || !c.task || *c.deadline > now) continue;
    due.push_back(std::move(c.task));
    c.task = nullptr;
    --with_deadline_;
  }
  return due;
}

std::optional<std::string> SessionEmulator::cwd() const {
  std::lock_guard lock(mutex_);
  return cwd_;
}

void SessionEmulator::push(Command command) {
  bool schedule = false;
  {
    std::lock_guard lock(mutex_);
    // Merged into the last command if the worker is not on it (the front).
    Command* last = queue_.size() >= 2 ? &queue_.back() : nullptr;
    if (command.kind == Command::Kind::kBytes && last && last->kind == Command::Kind::kBytes &&
        last->answers_queries == command.answers_queries &&
        last->bytes.size() + command.bytes.size() <= kMergeBytes) {
      last->bytes += command.bytes;
    } else {
      if (command.deadline) ++with_deadline_;
      queue_.push_back(std::move(command));
    }
    if (high_ > 0 && backlog_.load(std::memory_order_relaxed) > high_) above_high_ = true;
    if (!scheduled_) schedule = scheduled_ = true;
  }
  if (schedule) worker_.schedule(shared_from_this());
}

bool SessionEmulator::work_piece() {
  for (Task& task : overdue())
    task(emulator_, offset_);
  Command* c;
  {
    std::lock_guard lock(mutex_);
    if (queue_.empty()) {
      scheduled_ = false;
      return false;
    }
    c = &queue_.front();  // stays put: the loop only adds at the back
  }
  std::size_t fed = 0;
  bool finished = true;
  switch (c->kind) {
    case Command::Kind::kBytes:
      answering_ = c->answers_queries;
      fed = emulator_.feed_some(std::string_view(c->bytes).substr(c->done), kWorkPiece);
      c->done += fed;
      offset_ += fed;
      finished = c->done == c->bytes.size();
      break;
    case Command::Kind::kResize:
      try {
        emulator_.resize(c->cols, c->rows);
      } catch (const std::bad_alloc&) {
        log_error("a session's screen cannot be resized to " + std::to_string(c->cols) + "x" +
                  std::to_string(c->rows) + ": out of memory; it stays " +
                  std::to_string(emulator_.cols()) + "x" + std::to_string(emulator_.rows()));
      }
      break;
    case Command::Kind::kClear:
      emulator_.clear();
      break;
    case Command::Kind::kRun:
      if (c->task) {
        c->task(emulator_, offset_);
        c->task = nullptr;
        if (c->deadline) deadline_ran_ = true;
      }
      break;
  }
  std::string answers = std::move(answers_);
  answers_.clear();
  std::function<void(std::string)> answer;
  std::function<void()> caught_up;
  bool more;
  {
    std::lock_guard lock(mutex_);
    if (deadline_ran_) --with_deadline_;
    deadline_ran_ = false;
    if (finished) queue_.pop_front();
    if (emulator_.cwd() != cwd_) cwd_ = emulator_.cwd();
    const std::size_t backlog = backlog_.fetch_sub(fed, std::memory_order_relaxed) - fed;
    if (above_high_ && backlog <= low_) {
      above_high_ = false;
      caught_up = caught_up_;
    }
    if (!answers.empty()) answer = query_answer_;
    more = !queue_.empty();
    if (!more) scheduled_ = false;
  }
  if (answer) answer(std::move(answers));
  if (caught_up) caught_up();
  return more;
}

}  // namespace ptyctl::sup
