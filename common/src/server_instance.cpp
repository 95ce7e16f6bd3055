#include <ptyctl/common/process.hpp>
#include <ptyctl/common/server_instance.hpp>
#include <ptyctl/common/state_dir.hpp>

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace ptyctl {

namespace asio = boost::asio;

namespace {
sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGUSR1);
  return set;
}
}  // namespace

void ensure_standard_fds() {
  for (;;) {
    const int fd = ::open("/dev/null", O_RDWR);
    if (fd < 0) return;
    if (fd > 2) {
      ::close(fd);
      return;
    }
  }
}

void hold_stop_signals() {
  const sigset_t set = stop_signals();
  ::pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

void release_stop_signals() {
  const sigset_t set = stop_signals();
  ::pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

long raise_fd_limit() {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return -1;
  if (lim.rlim_cur < lim.rlim_max) {
    rlimit raised = lim;
    raised.rlim_cur = lim.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) lim = raised;
  }
  return static_cast<long>(lim.rlim_cur);
}

ServerInstance::ServerInstance(ServerFiles files) : files_(std::move(files)) {
  try {
    check_socket_path(files_.socket);
    prepare_state_dir(files_.state_dir);
    lock_fd_ = open_private_file(files_.lock_file, O_RDWR | O_CREAT);
  } catch (const StateDirError& e) {
    throw StartupError(e.what());
  }
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    char pid[32] = {};
    const ssize_t n = ::pread(lock_fd_, pid, sizeof pid - 1, 0);
    ::close(lock_fd_);
    lock_fd_ = -1;
    if (err != EWOULDBLOCK)
      throw StartupError("cannot lock " + files_.lock_file + ": " + std::strerror(err));
    throw StartupError("another " + files_.program + " (pid " +
                       (n > 0 ? std::string(pid, static_cast<std::size_t>(n)) : "unknown") +
                       ") is already serving " + files_.state_dir + " (it holds " +
                       files_.lock_file + ")");
  }
  write_lock_pid();
  raise_fd_limit();
}

ServerInstance::ServerInstance(ServerFiles files, int lock_fd)
    : files_(std::move(files)), lock_fd_(lock_fd) {
  ::fcntl(lock_fd_, F_SETFD, FD_CLOEXEC);
  struct stat st {};
  if (::lstat(files_.socket.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) {
    own_socket_ = true;
    socket_dev_ = st.st_dev;
    socket_ino_ = st.st_ino;
  }
  if (::lstat(files_.pid_file.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
    own_pid_file_ = true;
    pid_dev_ = st.st_dev;
    pid_ino_ = st.st_ino;
  }
  raise_fd_limit();
}

void ServerInstance::write_lock_pid() {
  const std::string pid = std::to_string(::getpid());
  if (::ftruncate(lock_fd_, 0) == 0) {
    const ssize_t ignored = ::pwrite(lock_fd_, pid.data(), pid.size(), 0);
    (void)ignored;
  }
}

ServerInstance::~ServerInstance() {
  // In this order: the socket and pid file go before the lock, so the next
  // server never finds ours after it has taken the lock.
  struct stat st {};
  if (own_socket_ && ::lstat(files_.socket.c_str(), &st) == 0 && st.st_dev == socket_dev_ &&
      st.st_ino == socket_ino_)
    ::unlink(files_.socket.c_str());
  if (own_pid_file_ && ::lstat(files_.pid_file.c_str(), &st) == 0 && st.st_dev == pid_dev_ &&
      st.st_ino == pid_ino_)
    ::unlink(files_.pid_file.c_str());
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

asio::local::stream_protocol::acceptor ServerInstance::listen(asio::io_context& io) {
  if (socket_answers(files_.socket))
    throw StartupError("another " + files_.program + " (pid " + read_pid_file(files_.pid_file) +
                       ") is already serving " + files_.socket);
  // We hold the lock: whatever is at the path is stale (or not a socket of ours).
  ::unlink(files_.socket.c_str());
  asio::local::stream_protocol::acceptor acceptor(io);
  const mode_t old_mask = ::umask(0177);  // the socket is born 0600
  try {
    acceptor.open();
    ::fcntl(acceptor.native_handle(), F_SETFD, FD_CLOEXEC);
    acceptor.bind(asio::local::stream_protocol::endpoint(files_.socket));
    acceptor.listen(asio::socket_base::max_listen_connections);
  } catch (const std::exception& e) {
    ::umask(old_mask);
    throw StartupError("cannot listen on " + files_.socket + ": " + e.what());
  }
  ::umask(old_mask);
  struct stat st {};
  if (::lstat(files_.socket.c_str(), &st) == 0) {
    own_socket_ = true;
    socket_dev_ = st.st_dev;
    socket_ino_ = st.st_ino;
  }
  return acceptor;
}

void ServerInstance::detach(asio::io_context& io) {
  int log_fd;
  try {
    log_fd = open_private_file(files_.log_file, O_WRONLY | O_APPEND | O_CREAT);
  } catch (const StateDirError& e) {
    throw StartupError(e.what());
  }
  io.notify_fork(asio::io_context::fork_prepare);
  if (pid_t pid = ::fork(); pid < 0) {
    throw StartupError(std::string("fork: ") + std::strerror(errno));
  } else if (pid > 0) {
    // The parent leaves the lock and the socket to the grandchild.
    std::_Exit(0);
  }
  ::setsid();
  if (pid_t pid = ::fork(); pid < 0) {
    std::_Exit(1);
  } else if (pid > 0) {
    std::_Exit(0);
  }
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_fd >= 0) ::dup2(null_fd, 0);
  ::dup2(log_fd, 1);
  ::dup2(log_fd, 2);
  if (null_fd > 2) ::close(null_fd);
  if (log_fd > 2) ::close(log_fd);
  io.notify_fork(asio::io_context::fork_child);
  write_lock_pid();
}

void ServerInstance::write_pid_file() {
  try {
    write_private_file(files_.pid_file, std::to_string(::getpid()));
  } catch (const StateDirError& e) {
    throw StartupError(e.what());
  }
  struct stat st {};
  if (::lstat(files_.pid_file.c_str(), &st) == 0) {
    own_pid_file_ = true;
    pid_dev_ = st.st_dev;
    pid_ino_ = st.st_ino;
  }
}

}  // namespace ptyctl
