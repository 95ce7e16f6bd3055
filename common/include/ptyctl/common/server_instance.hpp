#pragma once
// One server (pty-supervisor or terminal-host) on one state directory, from
// start to exit: the directory checked, an exclusive lock held for the whole
// life of the process (so two servers can never both serve one state dir,
// whatever the timing), the socket bound, the pid file written, and on exit
// both removed only if they are still the ones this process made.

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>

#include <sys/types.h>

#include <optional>
#include <stdexcept>
#include <string>

namespace ptyctl {

// Startup refused; what() is the one line to print before exit 1.
struct StartupError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct ServerFiles {
  std::string program;  // "pty-supervisor" / "terminal-host", for messages
  std::string state_dir;
  std::string socket;  // full paths
  std::string pid_file;
  std::string lock_file;
  std::string log_file;
};

class ServerInstance {
 public:
  // Prepares the state dir, checks the socket path's length, raises the fd
  // limit and takes the lock: StartupError when another server holds it.
  explicit ServerInstance(ServerFiles files);
  // The same server after an in-place exec (same pid): the lock is the
  // inherited `lock_fd`, and the socket and pid file it made stay its own.
  ServerInstance(ServerFiles files, int lock_fd);
  ~ServerInstance();
  ServerInstance(const ServerInstance&) = delete;
  ServerInstance& operator=(const ServerInstance&) = delete;

  const ServerFiles& files() const { return files_; }
  int lock_fd() const { return lock_fd_; }

  // Binds the socket (0600 from birth) and listens. A server of an older
  // release (no lock) still answering there is refused; a stale socket file
  // is replaced. StartupError.
  boost::asio::local::stream_protocol::acceptor listen(boost::asio::io_context& io);
  // The socket came from systemd: it stays when we exit.
  void adopt_socket() { own_socket_ = false; }

  // Double fork and setsid; stdin from /dev/null, stdout and stderr appended
  // to the log file (opened without following links). Only the grandchild
  // returns; the lock goes with it.
  void detach(boost::asio::io_context& io);

  void write_pid_file();

 private:
  void write_lock_pid();

  ServerFiles files_;
  int lock_fd_ = -1;
  bool own_socket_ = false;
  dev_t socket_dev_ = 0;
  ino_t socket_ino_ = 0;
  bool own_pid_file_ = false;
  dev_t pid_dev_ = 0;
  ino_t pid_ino_ = 0;
};

// A stop signal (SIGTERM, SIGINT; SIGUSR1 too) that arrives while a server
// starts must not kill it half made: main blocks them first thing, and the
// server releases them once its handlers (asio signal sets) exist. Children
// reset their mask before exec.
void hold_stop_signals();

// Makes sure fds 0, 1 and 2 are open (on /dev/null if they were not), so
// that no lock, socket or log of ours lands on them and is closed by -d's
// redirection of standard input and output.
void ensure_standard_fds();
void release_stop_signals();

// Raises the soft RLIMIT_NOFILE to the hard limit; returns the new soft one.
long raise_fd_limit();

}  // namespace ptyctl
