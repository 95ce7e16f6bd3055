#include "session_records.hpp"

#include <ptyctl/common/log.hpp>
#include <ptyctl/common/registry.hpp>  // now_ms
#include <ptyctl/common/state_dir.hpp>
#include <ptyctl/proto/session_id.hpp>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

namespace ptyctl::sup {

namespace record = proto::record;

namespace {

constexpr std::string_view kAside = "~bad-";
// write_private_file's temp files: "record.tmp.<hex>".
constexpr std::string_view kTempPrefix = "record.tmp.";
// A record holds a screen and at most the scrollback's lines: far less.
constexpr std::uint64_t kMaxRecordBytes = 256u * 1024 * 1024;

std::string errno_text(const char* what) {
  return std::string(what) + ": " + std::strerror(errno);
}

// Ours and private: owned by the effective uid, nothing for group or others.
bool private_to_us(const struct stat& st) {
  return st.st_uid == ::geteuid() && (st.st_mode & 077) == 0;
}

std::vector<std::string> entries(int dir_fd) {
  std::vector<std::string> out;
  const int fd = ::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return out;
  DIR* d = ::fdopendir(fd);
  if (!d) {
    ::close(fd);
    return out;
  }
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name != "." && name != "..") out.push_back(name);
  }
  ::closedir(d);
  return out;
}

void remove_temp_files(int dir_fd) {
  for (const auto& name : entries(dir_fd))
    if (name.starts_with(kTempPrefix)) ::unlinkat(dir_fd, name.c_str(), 0);
}

}  // namespace

SessionRecords::SessionRecords(std::string state_dir, RecordOptions options)
    : state_dir_(std::move(state_dir)), options_(options) {}

SessionRecords::~SessionRecords() {
  if (writer_.joinable()) {
    flush();
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    writer_.join();
  }
  if (dir_fd_ >= 0) ::close(dir_fd_);
}

void SessionRecords::load(const std::set<std::string>& live) {
  if (!options_.enabled) return;
  const std::string path = state_dir_ + "/" + std::string(record::kDirectory);
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
    log_warn("records are off: cannot create " + path + ": " + std::strerror(errno));
    return;
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  struct stat st {};
  if (fd < 0 || ::fstat(fd, &st) != 0 || !private_to_us(st)) {
    log_warn("records are off: " + path +
             (fd < 0 ? " is not a directory of ours (" + std::string(std::strerror(errno)) + ")"
                     : " is not private to us (owner or mode)"));
    if (fd >= 0) ::close(fd);
    return;
  }
  dir_fd_ = fd;
  for (const auto& name : entries(dir_fd_)) {
    if (name.find(kAside) != std::string::npos) continue;  // moved aside before
    if (!proto::is_valid_session_id(name)) {
      move_aside(name, "its name is not a session id");
      continue;
    }
    struct stat est {};
    if (::fstatat(dir_fd_, name.c_str(), &est, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (!S_ISDIR(est.st_mode)) {
      move_aside(name, S_ISLNK(est.st_mode) ? "it is a symbolic link" : "it is not a directory");
      continue;
    }
    if (!private_to_us(est)) {
      move_aside(name, "it is not private to us (owner or mode)");
      continue;
    }
    std::uint64_t size = 0;
    auto r = read(name, &size);
    if (!r) continue;  // gone, or moved aside
    sizes_[name] = size;
    if (!live.contains(name)) restorable_[name] = std::move(r->session);
  }
  if (!restorable_.empty())
    log_info(std::to_string(restorable_.size()) + " recorded session(s) can be restored");
  prune();
  writer_ = std::thread([this] { run_writer(); });
}

std::optional<record::Record> SessionRecords::read(const std::string& id, std::uint64_t* size) {
  const int sub = ::openat(dir_fd_, id.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (sub < 0) return std::nullopt;
  remove_temp_files(sub);  // a write cut short by a crash
  const int fd = ::openat(sub, std::string(record::kFileName).c_str(),
                          O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  const int open_errno = errno;
  if (fd < 0 && open_errno == ENOENT) {
    // Created, never written (or its removal cut short): nothing to restore.
    ::close(sub);
    ::unlinkat(dir_fd_, id.c_str(), AT_REMOVEDIR);
    return std::nullopt;
  }
  ::close(sub);
  const std::string file = record::kDirectory.data() + ("/" + id + "/") + record::kFileName.data();
  if (fd < 0) {
    move_aside(id, file + (open_errno == ELOOP ? " is a symbolic link" : " cannot be opened: ") +
                       (open_errno == ELOOP ? "" : std::strerror(open_errno)));
    return std::nullopt;
  }
  struct stat st {};
  std::string why;
  if (::fstat(fd, &st) != 0)
    why = errno_text("fstat");
  else if (!S_ISREG(st.st_mode))
    why = "it is not a regular file";
  else if (!private_to_us(st) || st.st_nlink != 1)
    why = "it is not private to us (owner, mode or links)";
  else if (static_cast<std::uint64_t>(st.st_size) > kMaxRecordBytes)
    why = "it is larger than any record";
  std::string bytes;
  if (why.empty()) {
    bytes.resize(static_cast<std::size_t>(st.st_size));
    std::size_t got = 0;
    while (got < bytes.size()) {
      const ssize_t n = ::read(fd, bytes.data() + got, bytes.size() - got);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      got += static_cast<std::size_t>(n);
    }
    bytes.resize(got);
  }
  ::close(fd);
  if (why.empty()) {
    try {
      record::Record r = record::decode(bytes);
      if (r.session.spec.sessionId != id)
        throw proto::handover::HandoverError("it names session " + r.session.spec.sessionId);
      if (size) *size = bytes.size();
      return r;
    } catch (const std::exception& e) {
      why = e.what();
    }
  }
  move_aside(id, file + ": " + why);
  return std::nullopt;
}

void SessionRecords::move_aside(const std::string& name, const std::string& why) {
  const std::string aside = name + std::string(kAside) + std::to_string(now_ms());
  const std::string where = state_dir_ + "/" + std::string(record::kDirectory) + "/";
  if (::renameat(dir_fd_, name.c_str(), dir_fd_, aside.c_str()) == 0)
    log_warn("session record " + where + name + " skipped (" + why + "): moved to " + where +
             aside);
  else
    log_warn("session record " + where + name + " skipped (" + why +
             "), and it cannot be moved aside: " + std::strerror(errno));
  restorable_.erase(name);
  sizes_.erase(name);
}

std::optional<record::Record> SessionRecords::take(const std::string& id) {
  if (!restorable_.contains(id)) return std::nullopt;
  restorable_.erase(id);
  return read(id, nullptr);
}

void SessionRecords::write(const std::string& id, std::string bytes) {
  if (!enabled()) return;
  restorable_.erase(id);  // a new session of that id: its record from now on
  sizes_[id] = bytes.size();
  {
    std::lock_guard lock(mutex_);
    std::erase_if(jobs_, [&](const Job& j) { return j.id == id; });
    jobs_.push_back(Job{id, std::move(bytes)});
  }
  wake_.notify_one();
}

void SessionRecords::remove(const std::string& id) {
  if (!enabled()) return;
  restorable_.erase(id);
  sizes_.erase(id);
  {
    std::lock_guard lock(mutex_);
    std::erase_if(jobs_, [&](const Job& j) { return j.id == id; });
    jobs_.push_back(Job{id, std::nullopt});
  }
  wake_.notify_one();
}

void SessionRecords::flush() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [&] { return jobs_.empty() && !busy_; });
}

void SessionRecords::prepare_for_exec() {
  std::deque<Job> left;
  {
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [&] { return !busy_; });  // at most the one job in progress
    left.swap(jobs_);
  }
  for (const Job& job : left)
    if (!job.bytes) do_remove(job.id);
}

void SessionRecords::prune() {
  const std::int64_t now = now_ms();
  std::vector<std::pair<std::int64_t, std::string>> by_age;
  for (const auto& [id, s] : restorable_)
    by_age.emplace_back(s.recordedAt.value_or(s.createdAt), id);
  std::sort(by_age.begin(), by_age.end());
  std::uint64_t total = 0;
  for (const auto& [id, size] : sizes_)
    total += size;
  for (const auto& [at, id] : by_age) {
    const bool too_old = now - at > options_.max_age.count();
    if (!too_old && total <= options_.budget_bytes) break;
    total -= std::min(total, sizes_.count(id) ? sizes_[id] : 0);
    log_info("session record " + id + " pruned (" +
             (too_old ? std::string("older than the age limit")
                      : std::string("the records are over their disk budget")) +
             ")");
    remove(id);
  }
}

void SessionRecords::run_writer() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stop_ || !jobs_.empty(); });
    if (jobs_.empty()) return;  // stop_ with nothing left
    Job job = std::move(jobs_.front());
    jobs_.pop_front();
    busy_ = true;
    lock.unlock();
    if (job.bytes)
      do_write(job.id, *job.bytes);
    else
      do_remove(job.id);
    lock.lock();
    busy_ = false;
    idle_.notify_all();
  }
}

// Atomic: write_private_file's temp file beside the record, fsync and
// rename, then an fsync of the directory. A reader (or the next supervisor
// after a crash) sees the old record or the new one, never a part.
void SessionRecords::do_write(const std::string& id, const std::string& bytes) {
  std::string failed;
  const bool created = ::mkdirat(dir_fd_, id.c_str(), 0700) == 0;
  if (!created && errno != EEXIST) failed = errno_text("mkdir");
  if (failed.empty()) {
    const std::string dir = state_dir_ + "/" + std::string(record::kDirectory) + "/" + id;
    try {
      write_private_file(dir + "/" + std::string(record::kFileName), bytes);
      // The rename lasts only once its directory (and a new one, its parent) is on disk.
      if (const int sub = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          sub >= 0) {
        ::fsync(sub);
        ::close(sub);
      }
      if (created) ::fsync(dir_fd_);
    } catch (const StateDirError& e) {
      failed = e.what();
    }
  }
  // Once per id and reason: a full disk is not a log line every interval.
  std::string& last = last_failure_[id];
  if (!failed.empty() && failed != last)
    log_warn("session record " + id + " not written: " + failed);
  last = failed;
}

void SessionRecords::do_remove(const std::string& id) {
  const int sub = ::openat(dir_fd_, id.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (sub >= 0) {
    ::unlinkat(sub, std::string(record::kFileName).c_str(), 0);
    remove_temp_files(sub);
    ::close(sub);
  }
  ::unlinkat(dir_fd_, id.c_str(), AT_REMOVEDIR);
  last_failure_.erase(id);
}

}  // namespace ptyctl::sup
