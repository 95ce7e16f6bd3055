#include "ssh_harness.hpp"

#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace ptyctl::test {

namespace {

// A port nothing listens on now (the kernel's choice; sshd binds it next).
int free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

bool port_answers(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

void run_or_throw(const std::string& command) {
  if (std::system(command.c_str()) != 0) throw std::runtime_error("failed: " + command);
}

}  // namespace

std::string sshd_binary() {
  return "/usr/sbin/sshd";
}

SshServer::SshServer(const TempDir& dir, const std::map<std::string, std::string>& remote_env)
    : dir_(dir.path() + "/ssh") {
  ::mkdir(dir_.c_str(), 0700);
  run_or_throw("ssh-keygen -q -t ed25519 -N '' -C ptyctl-test-host -f " + dir_ + "/host_key");
  run_or_throw("ssh-keygen -q -t ed25519 -N '' -C ptyctl-test-user -f " + dir_ + "/user_key");
  run_or_throw("cp " + dir_ + "/user_key.pub " + dir_ + "/authorized_keys");
  std::string accept = "AcceptEnv", set_env = "  SetEnv";
  for (const auto& [k, v] : remote_env) {
    accept += " " + k;
    set_env += " " + k + "=" + v;
  }
  const passwd* me = ::getpwuid(::getuid());
  const std::string user = me ? me->pw_name : "root";
  for (int attempt = 0; attempt < 5 && !sshd_; ++attempt) {
    port_ = free_loopback_port();
    std::ofstream(dir_ + "/sshd_config")
        << "Port " << port_ << "\n"
        << "ListenAddress 127.0.0.1\n"
        << "HostKey " << dir_ << "/host_key\n"
        << "AuthorizedKeysFile " << dir_ << "/authorized_keys\n"
        << "PidFile " << dir_ << "/sshd.pid\n"
        << "StrictModes no\nUsePAM no\nPasswordAuthentication no\n"
        << "KbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\n"
        << accept << "\nLogLevel ERROR\n";
    auto sshd = std::make_unique<Process>(
        sshd_binary(), std::vector<std::string>{"-D", "-e", "-f", dir_ + "/sshd_config"});
    const bool up = wait_until([&] { return port_answers(port_) || sshd->wait(0ms); }, 20s);
    if (up && port_answers(port_)) sshd_ = std::move(sshd);
  }
  if (!sshd_) throw std::runtime_error("sshd did not start on a loopback port");
  // Its host key known in advance: nothing is asked and nothing is guessed.
  std::ifstream host_pub(dir_ + "/host_key.pub");
  std::string type, key;
  host_pub >> type >> key;
  std::ofstream(dir_ + "/known_hosts")
      << "[127.0.0.1]:" << port_ << " " << type << " " << key << "\n";
  std::ofstream(dir_ + "/ssh_config")
      << "Host " << kHost << "\n"
      << "  HostName 127.0.0.1\n  Port " << port_ << "\n  User " << user << "\n"
      << "  IdentityFile " << dir_ << "/user_key\n  IdentitiesOnly yes\n"
      << "  UserKnownHostsFile " << dir_ << "/known_hosts\n  StrictHostKeyChecking yes\n"
      << "  BatchMode yes\n  LogLevel ERROR\n"
      << set_env << "\n";
}

SshServer::~SshServer() {
  // The listener and every connection's sshd (its process group).
  if (sshd_) ::kill(-sshd_->pid(), SIGTERM);
}

std::map<std::string, std::string> SshServer::client_env(const std::string& ptyctl) const {
  return {{"PTYCTL_SSH", "ssh -F " + client_config()}, {"PTYCTL_REMOTE_PTYCTL", ptyctl}};
}

std::string SshServer::log() const {
  return sshd_ ? sshd_->log() : "";
}

}  // namespace ptyctl::test
