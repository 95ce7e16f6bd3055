#include <ptyctl/common/process.hpp>
#include <ptyctl/common/registry.hpp>
#include <ptyctl/common/server_instance.hpp>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#ifdef __APPLE__
#include <launch.h>
#endif

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace ptyctl {

namespace asio = boost::asio;

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

std::string read_pid_file(const std::string& path) {
  std::ifstream in(path);
  std::string pid;
  in >> pid;
  return pid.empty() ? "unknown" : pid;
}

std::optional<int> systemd_listen_fd() {
  const char* pid = std::getenv("LISTEN_PID");
  const char* fds = std::getenv("LISTEN_FDS");
  if (!pid || !fds || std::atol(pid) != static_cast<long>(::getpid()) || std::atoi(fds) < 1)
    return std::nullopt;
  ::unsetenv("LISTEN_PID");
  ::unsetenv("LISTEN_FDS");
  ::unsetenv("LISTEN_FDNAMES");
  ::fcntl(3, F_SETFD, FD_CLOEXEC);
  return 3;
}

#ifdef __APPLE__
std::optional<int> launchd_listen_fd() {
  int* fds = nullptr;
  std::size_t count = 0;
  if (launch_activate_socket("Listeners", &fds, &count) != 0) return std::nullopt;
  std::optional<int> fd;
  for (std::size_t i = 0; i < count; ++i) {
    if (!fd)
      fd = fds[i];
    else
      ::close(fds[i]);  // one socket is listed; any other is not ours to serve
  }
  std::free(fds);
  if (fd) ::fcntl(*fd, F_SETFD, FD_CLOEXEC);
  return fd;
}
#else
std::optional<int> launchd_listen_fd() {
  return std::nullopt;
}
#endif

void check_instance_name_free(const std::string& kind, const std::string& name,
                              const std::string& state_dir) {
  if (auto old = read_process(process_name(kind, name));
      old && old->pid != static_cast<int>(::getpid()) &&
      !same_state_dir(old->state_dir, state_dir) && process_running(*old))
    throw StartupError(old->id() + " (pid " + std::to_string(old->pid) +
                       ") is registered for another state directory, " + old->state_dir +
                       ": choose another --name");
}

void register_server(const std::string& kind, const std::string& name, int argc, char** argv,
                     const std::string& state_dir, const std::string& socket,
                     const std::optional<std::string>& log_file, const std::string& version) {
  ProcessEntry e;
  e.kind = kind;
  e.name = name;
  e.process = process_name(kind, name);
  e.pid = static_cast<int>(::getpid());
  std::error_code ec;
  for (int i = 0; i < argc; ++i)
    e.command.emplace_back(argv[i]);
  // The binary as an absolute path, so the command can be run again.
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec && !e.command.empty()) e.command[0] = exe.string();
  e.log_file = log_file;
  e.state_dir = state_dir;
  e.socket = socket;
  e.version = version;
  e.started_at_ms = now_ms();
  e.started_at = iso8601_utc(e.started_at_ms);
  register_process(e);
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings)
    out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

void notify_systemd(std::string_view message) {
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
  ::sendto(fd, message.data(), message.size(), 0, reinterpret_cast<sockaddr*>(&addr), len);
  ::close(fd);
}

void notify_ready() {
  notify_systemd("READY=1");
}

}  // namespace ptyctl
