// pty-supervisor: owns the PTYs, the shells, one headless emulator per
// session and an output log numbered by byte offset. See docs/operations.md.

#include "server/log.hpp"
#include "server/supervisor.hpp"

#include <ptyctl/proto/paths.hpp>
#include <ptyctl/proto/version.hpp>

#include <boost/asio.hpp>
#include <boost/program_options.hpp>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>

namespace asio = boost::asio;
namespace po = boost::program_options;
using namespace ptyctl;

namespace {

// True when something accepts connections on `path`.
bool socket_answers(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

std::string read_pid(const std::string& path) {
  std::ifstream in(path);
  std::string pid;
  in >> pid;
  return pid.empty() ? "unknown" : pid;
}

// systemd's readiness notification (sd_notify's datagram protocol).
void notify_ready() {
  const char* target = std::getenv("NOTIFY_SOCKET");
  if (!target || !*target) return;
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string path = target;
  if (path[0] == '@') path[0] = '\0';  // abstract namespace
  std::memcpy(addr.sun_path, path.data(), std::min(path.size(), sizeof addr.sun_path - 1));
  const socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size());
  const char msg[] = "READY=1";
  ::sendto(fd, msg, sizeof msg - 1, 0, reinterpret_cast<sockaddr*>(&addr), len);
  ::close(fd);
}

// Double fork and setsid; stdio to the log file. Only the grandchild returns.
void detach(const std::string& log_path) {
  if (pid_t pid = ::fork(); pid < 0) {
    std::perror("fork");
    std::exit(1);
  } else if (pid > 0) {
    std::exit(0);
  }
  ::setsid();
  if (pid_t pid = ::fork(); pid < 0) {
    std::exit(1);
  } else if (pid > 0) {
    std::exit(0);
  }
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  const int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (null_fd >= 0) ::dup2(null_fd, 0);
  if (log_fd >= 0) {
    ::dup2(log_fd, 1);
    ::dup2(log_fd, 2);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string state_dir_opt, log_level = "info";
  std::size_t ring_size = 4u * 1024 * 1024;
  bool detach_mode = false;
  po::options_description desc("Usage: pty-supervisor [options]\n\nOptions");
  desc.add_options()("help,h", "show this help")("version", "print the version")(
      "state-dir", po::value(&state_dir_opt),
      "state directory (default: $PTYCTL_STATE_DIR, else ~/.superset)")(
      "log-level", po::value(&log_level)->default_value("info"), "debug, info, warn or error")(
      "ring-size", po::value(&ring_size)->default_value(ring_size),
      "bytes of recent output kept per session")(
      "detach,d", po::bool_switch(&detach_mode),
      "run in the background, logging to <state-dir>/pty-supervisor.log");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    std::cerr << "pty-supervisor: " << e.what() << "\n";
    return 2;
  }
  if (vm.count("help")) {
    std::cout << desc << "\n";
    return 0;
  }
  if (vm.count("version")) {
    std::cout << "pty-supervisor " << proto::kPtyctlVersion << " (supervisor protocol "
              << proto::kSupervisorProtocolVersion << ")\n";
    return 0;
  }
  sup::LogLevel level;
  if (!sup::parse_log_level(log_level, level)) {
    std::cerr << "pty-supervisor: unknown log level " << log_level << "\n";
    return 2;
  }
  sup::set_log_level(level);
  if (ring_size < 4096) {
    std::cerr << "pty-supervisor: --ring-size must be at least 4096\n";
    return 2;
  }

  const std::string state_dir = proto::resolve_state_dir(state_dir_opt);
  try {
    proto::ensure_private_dir(state_dir);
  } catch (const std::exception& e) {
    std::cerr << "pty-supervisor: cannot use state directory " << state_dir << ": " << e.what()
              << "\n";
    return 1;
  }
  const std::string socket_path = state_dir + "/" + std::string(proto::kSupervisorSocket);
  const std::string pid_path = state_dir + "/" + std::string(proto::kSupervisorPidFile);
  if (socket_path.size() >= sizeof(sockaddr_un::sun_path)) {
    std::cerr << "pty-supervisor: socket path too long: " << socket_path << "\n";
    return 1;
  }
  if (socket_answers(socket_path)) {
    std::cerr << "pty-supervisor: another supervisor (pid " << read_pid(pid_path)
              << ") is already serving " << socket_path << "\n";
    return 1;
  }
  ::unlink(socket_path.c_str());  // stale: nobody answers it

  ::signal(SIGPIPE, SIG_IGN);
  asio::io_context io;
  sup::UnixAcceptor acceptor(io);
  try {
    acceptor.open();
    ::fcntl(acceptor.native_handle(), F_SETFD, FD_CLOEXEC);
    const mode_t old_mask = ::umask(0177);  // the socket is born 0600
    acceptor.bind(asio::local::stream_protocol::endpoint(socket_path));
    ::umask(old_mask);
    ::chmod(socket_path.c_str(), 0600);
    acceptor.listen();
  } catch (const std::exception& e) {
    std::cerr << "pty-supervisor: cannot listen on " << socket_path << ": " << e.what() << "\n";
    return 1;
  }

  if (detach_mode) {
    io.notify_fork(asio::io_context::fork_prepare);
    detach(state_dir + "/" + std::string(proto::kSupervisorLog));
    io.notify_fork(asio::io_context::fork_child);
  }
  {
    std::ofstream pid_file(pid_path, std::ios::trunc);
    pid_file << ::getpid();
  }
  ::chmod(pid_path.c_str(), 0600);

  sup::SupervisorOptions options;
  options.ring_size = ring_size;
  const char* shell = std::getenv("SHELL");
  options.default_shell = shell && *shell ? shell : "/bin/sh";
  const char* home = std::getenv("HOME");
  options.default_cwd = home && *home ? home : "/";
  sup::Supervisor supervisor(io, std::move(acceptor), options);
  supervisor.start();
  sup::log_info("pty-supervisor " + std::string(proto::kPtyctlVersion) + " (pid " +
                std::to_string(::getpid()) + ") listening on " + socket_path);
  notify_ready();
  io.run();
  ::unlink(socket_path.c_str());
  ::unlink(pid_path.c_str());
  sup::log_info("pty-supervisor stopped");
  return 0;
}
