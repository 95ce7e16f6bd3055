#include "upgrade.hpp"

#include "connection.hpp"
#include "supervisor.hpp"

#include <ptyctl/common/log.hpp>
#include <ptyctl/common/process.hpp>
#include <ptyctl/proto/errors.hpp>
#include <ptyctl/proto/supervisor_messages.hpp>
#include <ptyctl/proto/version.hpp>

#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>
#include <climits>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <system_error>

extern char** environ;

namespace ptyctl::sup {

namespace {
[[noreturn]] void fail_errno(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

std::string describe_status(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    const char* name = sigabbrev_np(sig);
    return "was killed by signal " + std::to_string(sig) +
           (name ? std::string(" (SIG") + name + ")" : "");
  }
  return "ended with status " + std::to_string(status);
}
}  // namespace

int sealed_memfd(const std::vector<std::string_view>& pieces) {
  const int fd = ::memfd_create("ptyctl-supervisor-state", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) fail_errno("memfd_create");
  // writev straight from where the bytes are: a hundred full rings are 400 MiB.
  std::vector<iovec> iov;
  for (std::string_view p : pieces)
    if (!p.empty()) iov.push_back({const_cast<char*>(p.data()), p.size()});
  std::size_t at = 0;
  while (at < iov.size()) {
    const int count = static_cast<int>(std::min<std::size_t>(iov.size() - at, IOV_MAX));
    const ssize_t n = ::writev(fd, iov.data() + at, count);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      throw std::system_error(err, std::generic_category(), "writing the state");
    }
    // Past what went out (a short write leaves a piece partly written).
    std::size_t left = static_cast<std::size_t>(n);
    while (left > 0 && left >= iov[at].iov_len) {
      left -= iov[at].iov_len;
      ++at;
    }
    if (left > 0) {
      iov[at].iov_base = static_cast<char*>(iov[at].iov_base) + left;
      iov[at].iov_len -= left;
    }
  }
  // Sealed: neither image (nor a check) can change what the other reads.
  if (::fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0) {
    const int err = errno;
    ::close(fd);
    throw std::system_error(err, std::generic_category(), "sealing the state");
  }
  return fd;
}

MappedState::MappedState(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) fail_errno("reading the state");
  size_ = static_cast<std::size_t>(st.st_size);
  if (size_ == 0) return;
  data_ = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
  if (data_ == MAP_FAILED) {
    data_ = nullptr;
    fail_errno("mapping the state");
  }
}

MappedState::~MappedState() {
  if (data_) ::munmap(data_, size_);
}

std::string read_memfd(int fd) {
  std::string out;
  char buf[1 << 16];
  off_t at = 0;
  for (;;) {
    const ssize_t n = ::pread(fd, buf, sizeof buf, at);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail_errno("reading the state");
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    at += n;
  }
  return out;
}

std::variant<CheckRun, std::string> start_check(const std::string& binary, int state_fd,
                                                const std::vector<std::string>& extra) {
  if (::access(binary.c_str(), X_OK) != 0)
    return "no binary to run at " + binary + ": " + std::strerror(errno);
  CheckRun run;
  run.output = ::memfd_create("ptyctl-upgrade-check", MFD_CLOEXEC);
  if (run.output < 0) return std::string("memfd_create: ") + std::strerror(errno);
  std::vector<std::string> argv{binary, "--check-upgrade", std::to_string(state_fd)};
  argv.insert(argv.end(), extra.begin(), extra.end());
  auto args = c_strings(argv);
  run.pid = ::fork();
  if (run.pid < 0) {
    ::close(run.output);
    return std::string("fork: ") + std::strerror(errno);
  }
  if (run.pid == 0) {
    ::dup2(run.output, 1);
    ::dup2(run.output, 2);
    ::fcntl(state_fd, F_SETFD, 0);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execve(binary.c_str(), args.data(), environ);
    const std::string why = std::string("cannot run: ") + std::strerror(errno) + "\n";
    const ssize_t ignored = ::write(2, why.data(), why.size());
    (void)ignored;
    ::_exit(127);
  }
  run.pidfd = static_cast<int>(::syscall(SYS_pidfd_open, run.pid, 0));
  if (run.pidfd < 0) {
    const std::string why = std::string("pidfd_open: ") + std::strerror(errno);
    finish_check(run, true, 0);
    return why;
  }
  return run;
}

std::optional<std::string> finish_check(CheckRun run, bool timed_out, int timeout_ms) {
  if (timed_out) ::kill(run.pid, SIGKILL);
  int status = 0;
  while (::waitpid(run.pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (run.pidfd >= 0) ::close(run.pidfd);
  std::string said = read_memfd(run.output);
  ::close(run.output);
  if (said.size() > 2000) said.resize(2000);
  while (!said.empty() && (said.back() == '\n' || said.back() == ' '))
    said.pop_back();
  if (timed_out)
    return "the new binary did not check the state within " + std::to_string(timeout_ms) + " ms";
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return std::nullopt;
  return "the new binary " + describe_status(status) + (said.empty() ? "" : ": " + said);
}

std::vector<int> fds_of(const proto::handover::State& state, int state_fd) {
  std::vector<int> fds{state_fd, state.listenFd};
  if (state.lockFd >= 0) fds.push_back(state.lockFd);
  if (state.requesterFd >= 0) fds.push_back(state.requesterFd);
  for (const auto& s : state.sessions) {
    if (s.masterFd >= 0) fds.push_back(s.masterFd);
    if (s.ringFd >= 0) fds.push_back(s.ringFd);
  }
  return fds;
}

std::string exec_keeping(int exe_fd, const std::vector<std::string>& argv_in,
                         const std::vector<int>& keep, bool close_others) {
  // Nothing else crosses: asio's sockets (the connections the exec drops)
  // are not close-on-exec by themselves.
  if (close_others && ::close_range(3, ~0u, CLOSE_RANGE_CLOEXEC) != 0) {
    for (int fd = 3; fd < 65536; ++fd)
      ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  }
  for (int fd : keep)
    ::fcntl(fd, F_SETFD, 0);
  std::vector<std::string> argv = argv_in;
  auto args = c_strings(argv);
  if (exe_fd >= 0)
    ::syscall(SYS_execveat, exe_fd, "", args.data(), environ, AT_EMPTY_PATH);
  else
    ::execve(argv[0].c_str(), args.data(), environ);
  const int err = errno;
  for (int fd : keep)
    ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  return "cannot run " + argv[0] + ": " + std::strerror(err);
}

}  // namespace ptyctl::sup

// --- the supervisor's side ---------------------------------------------------

namespace ptyctl::sup {

namespace {
std::int64_t monotonic_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}
// How long the new binary may take to check the state.
constexpr int kCheckTimeoutMs = 10000;
}  // namespace

int Supervisor::write_state(int requester_fd, const std::string& request_id,
                            proto::handover::State& state) {
  state = proto::handover::State{};
  state.writerVersion = std::string(proto::kPtyctlVersion);
  state.startedNs = monotonic_ns();
  state.listenFd = acceptor_.native_handle();
  state.lockFd = options_.lock_fd;
  state.requesterFd = requester_fd;
  state.requestId = request_id;
  std::vector<SessionHandover> sessions;
  for (auto& [id, s] : sessions_) {
    sessions.push_back(s->handover());
    state.sessions.push_back(sessions.back().state);
  }
  std::vector<proto::handover::SessionPieces> pieces;
  for (const auto& h : sessions)
    pieces.push_back({h.ring.first, h.ring.second, h.emulator.rehydrate, h.emulator.screen,
                      h.emulator.scrollback, h.emulator.pending, h.input});
  const std::string header = proto::handover::encode_header(state, pieces);
  std::vector<std::string_view> all{header};
  for (const auto& p : pieces)
    for (std::string_view piece : proto::handover::pieces_in_order(p))
      all.push_back(piece);
  return sealed_memfd(all);
}

void Supervisor::upgrade(const std::optional<std::string>& binary,
                         std::weak_ptr<Connection> requester, std::string request_id,
                         std::function<void(const std::string&)> failed) {
  if (stopping_) return failed("the supervisor is stopping");
  if (upgrading_) return failed("an upgrade is already under way");
  upgrading_ = true;
  asio::co_spawn(io_,
                 run_upgrade(binary && !binary->empty() ? *binary : options_.own_binary,
                             std::move(requester), std::move(request_id), std::move(failed)),
                 asio::detached);
}

asio::awaitable<void> Supervisor::run_upgrade(std::string binary,
                                              std::weak_ptr<Connection> requester,
                                              std::string request_id,
                                              std::function<void(const std::string&)> failed) {
  const auto refuse = [&](const std::string& why) {
    upgrading_ = false;
    log_warn("upgrade to " + binary + " did not happen: " + why);
    failed(why);
  };
  // 1. The new binary checks the state as it is now, while we serve on.
  const std::int64_t t_begin = monotonic_ns();
  proto::handover::State state;
  int check_fd = -1;
  try {
    check_fd = write_state(-1, "", state);
  } catch (const std::exception& e) {
    refuse(std::string("cannot write the state: ") + e.what());
    co_return;
  }
  std::vector<std::string> check_args{"--rollback-exe", "-1"};
  check_args.insert(check_args.end(), options_.exec_args.begin(), options_.exec_args.end());
  auto started = start_check(binary, check_fd, check_args);
  if (auto* why = std::get_if<std::string>(&started)) {
    ::close(check_fd);
    refuse(*why);
    co_return;
  }
  CheckRun run = std::get<CheckRun>(started);
  bool timed_out = false;
  {
    asio::posix::stream_descriptor ended(io_, run.pidfd);
    asio::steady_timer deadline(io_, std::chrono::milliseconds(kCheckTimeoutMs));
    deadline.async_wait([&ended](boost::system::error_code ec) {
      if (!ec) ended.cancel();
    });
    boost::system::error_code ec;
    co_await ended.async_wait(asio::posix::descriptor_base::wait_read,
                              asio::redirect_error(asio::use_awaitable, ec));
    timed_out = ec == asio::error::operation_aborted;
    deadline.cancel();
    run.pidfd = ended.release();
  }
  const auto why = finish_check(run, timed_out, kCheckTimeoutMs);
  ::close(check_fd);
  const std::int64_t t_checked = monotonic_ns();
  if (why) {
    refuse(*why);
    co_return;
  }
  if (stopping_) {
    refuse("the supervisor is stopping");
    co_return;
  }
  // 2. The handover itself: the state as of this moment, then the exec, in
  // one handler (nothing else runs in between).
  auto asker = requester.lock();
  const int requester_fd = asker ? asker->native_handle() : -1;
  int state_fd = -1;
  records_.prepare_for_exec();  // the records' thread does not survive the exec
  try {
    state_fd = write_state(requester_fd, request_id, state);
  } catch (const std::exception& e) {
    refuse(std::string("cannot write the state: ") + e.what());
    co_return;
  }
  const std::int64_t t_written = monotonic_ns();
  // Kept open across the exec: the new image can come back to this one even
  // if the file on disk has been replaced meanwhile.
  const int old_exe = ::open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  std::vector<int> keep = fds_of(state, state_fd);
  if (old_exe >= 0) keep.push_back(old_exe);
  std::vector<std::string> argv{binary, "--restore", std::to_string(state_fd)};
  if (old_exe >= 0) {
    argv.push_back("--rollback-exe");
    argv.push_back(std::to_string(old_exe));
  }
  argv.insert(argv.end(), options_.exec_args.begin(), options_.exec_args.end());
  const auto ms = [](std::int64_t ns) { return std::to_string(ns / 1000000); };
  log_info("upgrading in place: exec " + binary + " with " + std::to_string(sessions_.size()) +
           " sessions (check " + ms(t_checked - t_begin) + " ms, state of " +
           std::to_string(::lseek(state_fd, 0, SEEK_END) / 1024) + " KiB written in " +
           ms(t_written - t_checked) + " ms)");
  ::lseek(state_fd, 0, SEEK_SET);
  // systemd (ExecReload=): reloading until the next image says READY=1.
  notify_systemd("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(monotonic_ns() / 1000));
  const std::string failure = exec_keeping(-1, argv, keep);
  notify_ready();
  ::close(state_fd);
  if (old_exe >= 0) ::close(old_exe);
  refuse(failure);
}

void Supervisor::adopt(const proto::handover::Decoded& handed,
                       const std::optional<std::string>& failure) {
  const std::int64_t t_begin = monotonic_ns();
  const auto& state = handed.state;
  for (std::size_t i = 0; i < state.sessions.size(); ++i) {
    auto s =
        Session::adopt(io_, emulators_, state.sessions[i], handed.bytes[i], options_.ring_size);
    s->on_finished = [this](Session& f) { session_finished(f); };
    if (!s->finished()) {
      std::lock_guard<std::mutex> lock(pids_mutex_);
      live_pids_.push_back(s->pid());
    }
    sessions_[s->id()] = s;
  }
  for (auto& [id, s] : sessions_)
    s->start();
  if (state.requesterFd < 0) return;
  UnixSocket socket(io_);
  boost::system::error_code ec;
  socket.assign(asio::local::stream_protocol(), state.requesterFd, ec);
  if (ec) return;
  ::fcntl(state.requesterFd, F_SETFD, FD_CLOEXEC);
  auto c = std::make_shared<Connection>(*this, std::move(socket));
  connections_.insert(c);
  if (failure) {
    c->start_after_upgrade(state.requestId, failure, nullptr);
    log_warn("upgrade rolled back: " + *failure);
    return;
  }
  proto::sup::PrepareUpgradeResult r;
  r.previousVersion = state.writerVersion;
  r.version = std::string(proto::kPtyctlVersion);
  r.supervisorPid = static_cast<int>(::getpid());
  r.tookMs = (monotonic_ns() - state.startedNs) / 1000000;
  c->start_after_upgrade(state.requestId, std::nullopt, boost::json::value_from(r));
  log_info("upgraded in place from " + r.previousVersion + " in " + std::to_string(r.tookMs) +
           " ms with " + std::to_string(state.sessions.size()) + " sessions (their restore " +
           std::to_string((monotonic_ns() - t_begin) / 1000000) + " ms)");
}

}  // namespace ptyctl::sup
