#include "ssh_channel.hpp"

#include "process_util.hpp"

#include <ptyctl/proto/version.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <vector>

namespace ptyctl::cli {

namespace bridge = proto::bridge;
using namespace std::chrono_literals;

namespace {

void socket_pair(int fds[2]) {
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    throw CliError(kFailed, std::string("socketpair: ") + std::strerror(errno));
}

}  // namespace

SshChannel::SshChannel(asio::io_context& io, const Globals& globals, const RemoteHost& host,
                       bool autostart)
    : io_(io),
      globals_(globals),
      host_(host),
      autostart_(autostart),
      s_(std::make_shared<Shared>(io)),
      near_control_(io),
      near_stream_(io) {}

SshChannel::~SshChannel() {
  s_->close();
  boost::system::error_code ignored;
  near_control_.close(ignored);
  near_stream_.close(ignored);
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
}

void SshChannel::Shared::close() {
  boost::system::error_code ignored;
  ssh.close(ignored);
  control.close(ignored);
  stream.close(ignored);
  errors.close(ignored);
}

asio::awaitable<void> SshChannel::open() {
  std::vector<std::string> argv = globals_.ssh_command;
  // No terminal on the remote side: the channel carries bytes, not keys.
  argv.push_back("-T");
  for (const auto& o : globals_.ssh_options) {
    argv.push_back("-o");
    argv.push_back(o);
  }
  argv.push_back("--");
  argv.push_back(host_.destination);
  std::string remote = "exec " + shell_quote(globals_.remote_ptyctl);
  if (!host_.state_dir.empty()) remote += " --state-dir " + shell_quote(host_.state_dir);
  if (!autostart_) remote += " --no-start";
  remote += " bridge";
  argv.push_back(remote);

  int ssh_fds[2], control_fds[2], stream_fds[2], err_fds[2];
  socket_pair(ssh_fds);
  socket_pair(control_fds);
  socket_pair(stream_fds);
  if (::pipe2(err_fds, O_CLOEXEC) != 0)
    throw CliError(kFailed, std::string("pipe: ") + std::strerror(errno));
  std::vector<char*> c_argv;
  for (auto& a : argv)
    c_argv.push_back(a.data());
  c_argv.push_back(nullptr);
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(ssh_fds[1], 0);
    ::dup2(ssh_fds[1], 1);
    ::dup2(err_fds[1], 2);
    ::execvp(c_argv[0], c_argv.data());
    const std::string why = "cannot run " + argv[0] + ": " + std::strerror(errno) + "\n";
    (void)!::write(2, why.data(), why.size());
    ::_exit(127);
  }
  ::close(ssh_fds[1]);
  ::close(err_fds[1]);
  if (pid_ < 0) {
    for (int fd :
         {ssh_fds[0], control_fds[0], control_fds[1], stream_fds[0], stream_fds[1], err_fds[0]})
      ::close(fd);
    throw CliError(kFailed, std::string("fork: ") + std::strerror(errno));
  }
  const auto local = asio::local::stream_protocol();
  s_->ssh.assign(local, ssh_fds[0]);
  s_->control.assign(local, control_fds[0]);
  s_->stream.assign(local, stream_fds[0]);
  near_control_.assign(local, control_fds[1]);
  near_stream_.assign(local, stream_fds[1]);
  s_->errors.assign(err_fds[0]);
  asio::co_spawn(io_, read_errors(s_), asio::detached);

  // The greeting, within what an ssh login may take (a password typed on
  // the terminal, a slow network).
  auto sh = s_;
  asio::steady_timer limit(io_, 60s);
  limit.async_wait([sh](boost::system::error_code ec) {
    if (!ec) sh->ssh.cancel();
  });
  std::optional<std::string> first;
  std::array<char, 65536> buf;
  while (!(first = sh->from_ssh.next())) {
    auto [ec, n] =
        co_await sh->ssh.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
    if (ec) break;
    sh->from_ssh.feed(std::string_view(buf.data(), n));
    if (sh->from_ssh.failed()) break;
  }
  limit.cancel();
  const std::string where = "--host " + host_.spec;
  if (!first) throw CliError(kUnreachable, where + ": " + ssh_failure());
  if (first->empty() || (first->front() != bridge::kGreeting && first->front() != bridge::kFailure))
    throw CliError(kUnreachable, where + ": " + globals_.remote_ptyctl +
                                     " there did not answer as ptyctl bridge does (is it ptyctl, "
                                     "of a release that has bridge?)");
  const std::string_view json = std::string_view(*first).substr(1);
  try {
    if (first->front() == bridge::kFailure) {
      const proto::ErrorInfo e = bridge::parse_failure(json);
      throw CliError(kUnreachable, where + ": " + e.message);
    }
    const bridge::Greeting g = bridge::parse_greeting(json);
    if (g.bridgeVersion != bridge::kBridgeVersion)
      throw CliError(kUnreachable, where + ": ptyctl there is " + g.ptyctlVersion +
                                       " (bridge version " + std::to_string(g.bridgeVersion) +
                                       "), this one " + std::string(proto::kPtyctlVersion) +
                                       " (bridge version " +
                                       std::to_string(bridge::kBridgeVersion) +
                                       "): install the same release on both");
  } catch (const proto::ProtocolError& e) {
    throw CliError(kUnreachable, where + ": the bridge's greeting is broken: " + e.what());
  }
  asio::co_spawn(io_, to_sockets(s_), asio::detached);
  asio::co_spawn(io_, to_ssh(s_, bridge::kControl), asio::detached);
  asio::co_spawn(io_, to_ssh(s_, bridge::kStream), asio::detached);
}

asio::local::stream_protocol::socket SshChannel::take_control() {
  return std::move(near_control_);
}

asio::local::stream_protocol::socket SshChannel::take_stream() {
  return std::move(near_stream_);
}

std::string SshChannel::ssh_failure() {
  // ssh's own words: the last line it wrote on stderr once it has exited.
  int status = 0;
  pid_t done = 0;
  for (int i = 0; i < 200 && (done = ::waitpid(pid_, &status, WNOHANG)) == 0; ++i)
    ::usleep(10000);  // it has closed its stdout: its exit follows at once
  if (done == pid_) pid_ = -1;
  std::string tail = s_->error_tail;
  // What is still in the pipe.
  std::array<char, 4096> buf;
  ::fcntl(s_->errors.native_handle(), F_SETFL, O_NONBLOCK);
  for (ssize_t n; (n = ::read(s_->errors.native_handle(), buf.data(), buf.size())) > 0;)
    tail.append(buf.data(), static_cast<std::size_t>(n));
  while (!tail.empty() && (tail.back() == '\n' || tail.back() == '\r'))
    tail.pop_back();
  const std::size_t nl = tail.find_last_of('\n');
  std::string line = nl == std::string::npos ? tail : tail.substr(nl + 1);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (!line.empty()) return line;
  if (done > 0 && WIFEXITED(status))
    return "ssh exited with status " + std::to_string(WEXITSTATUS(status));
  return "ssh ended the connection";
}

asio::awaitable<void> SshChannel::read_errors(std::shared_ptr<Shared> sh) {
  std::array<char, 4096> buf;
  for (;;) {
    auto [ec, n] =
        co_await sh->errors.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
    if (ec) break;
    sh->error_tail.append(buf.data(), n);
    if (sh->error_tail.size() > 8192) sh->error_tail.erase(0, sh->error_tail.size() - 4096);
  }
}

asio::awaitable<void> SshChannel::to_sockets(std::shared_ptr<Shared> sh) {
  // (The lines after the greeting are in from_ssh already.)
  co_await dispatch_tagged(sh->ssh, sh->from_ssh, sh->control, sh->stream, nullptr);
  // ssh is gone: both connections end, as a terminal-host that went away.
  sh->close();
}

asio::awaitable<void> SshChannel::to_ssh(std::shared_ptr<Shared> sh, char tag) {
  co_await forward_tagged(tag == bridge::kControl ? sh->control : sh->stream, tag, sh->writer);
  sh->close();
}

}  // namespace ptyctl::cli
