#include "cli_harness.hpp"

#include <ptyctl/common/registry.hpp>

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utmp.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

namespace ptyctl::test {

namespace json = boost::json;

std::string cli_binary() {
  return PTYCTL_CLI_BIN;
}

// Runs ptyctl to completion (stdin from /dev/null), with a deadline.
CliResult run_cli(const std::vector<std::string>& args,
                  const std::map<std::string, std::string>& env,
                  std::chrono::milliseconds timeout) {
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe");
  std::vector<std::string> argv{cli_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int null_fd = ::open("/dev/null", O_RDONLY);
    ::dup2(null_fd, 0);
    ::dup2(out_pipe[1], 1);
    ::dup2(err_pipe[1], 2);
    for (const auto& [k, v] : env)
      ::setenv(k.c_str(), v.c_str(), 1);
    ::setenv("ASAN_OPTIONS", "detect_leaks=0", 0);
    exec_or_exit(argv);
  }
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  CliResult r;
  const auto deadline = Clock::now() + timeout;
  bool out_open = true, err_open = true;
  while ((out_open || err_open) && Clock::now() < deadline) {
    pollfd p[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
    if (::poll(p, 2, 100) <= 0) continue;
    char buf[65536];
    for (int i = 0; i < 2; ++i) {
      if (!(p[i].revents & (POLLIN | POLLHUP))) continue;
      const ssize_t n = ::read(p[i].fd, buf, sizeof buf);
      if (n <= 0) {
        (i == 0 ? out_open : err_open) = false;
      } else {
        (i == 0 ? r.out : r.err).append(buf, static_cast<std::size_t>(n));
      }
    }
  }
  ::close(out_pipe[0]);
  ::close(err_pipe[0]);
  if (out_open || err_open) ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

std::vector<std::string> with_state(const HostFixture& f, std::vector<std::string> args) {
  args.insert(args.begin(), {"--state-dir", f.dir.path()});
  return args;
}

int lines_of(const std::string& s) {
  return static_cast<int>(std::count(s.begin(), s.end(), '\n'));
}

AttachedTerminal::AttachedTerminal(const std::vector<std::string>& args,
                                   const std::map<std::string, std::string>& env) {
  winsize ws{24, 80, 0, 0};
  if (::openpty(&master_, &slave_, nullptr, nullptr, &ws) != 0) throw std::runtime_error("openpty");
  ::tcgetattr(slave_, &original_);
  std::vector<std::string> argv{cli_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  pid_ = ::fork();
  if (pid_ == 0) {
    ::close(master_);
    ::login_tty(::dup(slave_));
    for (const auto& [k, v] : env)
      ::setenv(k.c_str(), v.c_str(), 1);
    ::setenv("ASAN_OPTIONS", "detect_leaks=0", 0);
    exec_or_exit(argv);
  }
}

AttachedTerminal::~AttachedTerminal() {
  if (pid_ > 0 && !status_) {
    ::kill(pid_, SIGKILL);
    int s;
    ::waitpid(pid_, &s, 0);
  }
  ::close(master_);
  ::close(slave_);
}

void AttachedTerminal::type(std::string_view keys) {
  const ssize_t ignored = ::write(master_, keys.data(), keys.size());
  (void)ignored;
}

bool AttachedTerminal::read_until(const std::regex& re, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    // The next call starts where this match ended, not at the end of what was
    // read: one read can carry both this match and the next call's.
    std::smatch m;
    const std::string unread = screen_.substr(mark_);
    if (std::regex_search(unread, m, re)) {
      mark_ += static_cast<std::size_t>(m.position(0) + m.length(0));
      return true;
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{master_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    char buf[65536];
    const ssize_t n = ::read(master_, buf, sizeof buf);
    if (n <= 0) return false;
    screen_.append(buf, static_cast<std::size_t>(n));
  }
}

void AttachedTerminal::read_available() {
  char buf[65536];
  pollfd p{master_, POLLIN, 0};
  while (::poll(&p, 1, 0) > 0) {
    const ssize_t n = ::read(master_, buf, sizeof buf);
    if (n <= 0) return;
    screen_.append(buf, static_cast<std::size_t>(n));
  }
}

void AttachedTerminal::resize(int cols, int rows) {
  winsize ws{static_cast<unsigned short>(rows), static_cast<unsigned short>(cols), 0, 0};
  ::ioctl(master_, TIOCSWINSZ, &ws);
}

std::optional<int> AttachedTerminal::wait_exit(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    char buf[4096];
    pollfd p{master_, POLLIN, 0};
    if (::poll(&p, 1, 20) > 0) {
      const ssize_t n = ::read(master_, buf, sizeof buf);
      if (n > 0) screen_.append(buf, static_cast<std::size_t>(n));
    }
    int s;
    if (::waitpid(pid_, &s, WNOHANG) == pid_) {
      status_ = s;
      return s;
    }
  }
  return std::nullopt;
}

bool AttachedTerminal::mode_restored() const {
  termios now{};
  ::tcgetattr(slave_, &now);
  return now.c_iflag == original_.c_iflag && now.c_oflag == original_.c_oflag &&
         now.c_lflag == original_.c_lflag && now.c_cflag == original_.c_cflag &&
         std::memcmp(now.c_cc, original_.c_cc, sizeof now.c_cc) == 0;
}

bool AttachedTerminal::raw_now() const {
  termios now{};
  ::tcgetattr(slave_, &now);
  return (now.c_lflag & (ICANON | ECHO)) == 0;
}

RegistryCleanup::~RegistryCleanup() {
  // terminal-hosts first: one whose supervisor went first starts another
  // (CI found those running on after the tests). Then until a pass finds
  // nobody alive.
  for (int pass = 0; pass < 5; ++pass) {
    std::vector<std::filesystem::path> records;
    std::error_code ec;
    for (const auto& f :
         std::filesystem::directory_iterator(dir.path() + "/data/ptyctl/processes", ec))
      if (!f.path().string().ends_with(".supervisor.json")) records.push_back(f.path());
    std::stable_partition(records.begin(), records.end(), [](const auto& p) {
      return p.filename().string().starts_with("terminal-host");
    });
    bool killed = false;
    for (const auto& record : records) {
      try {
        const int pid =
            static_cast<int>(json::parse(read_file(record.string())).at("pid").as_int64());
        if (!process_gone(pid) && ::kill(pid, SIGTERM) == 0) {
          killed = true;
          if (!wait_until([&] { return process_gone(pid); }, 20s)) ::kill(pid, SIGKILL);
        }
      } catch (...) {
      }
    }
    if (!killed) break;
  }
}

std::map<std::string, std::string> private_env(const TempDir& dir) {
  return {{"XDG_DATA_HOME", dir.path() + "/data"}};
}

std::function<CliResult(std::vector<std::string>)> private_cli(const TempDir& dir) {
  return [&dir](std::vector<std::string> args) {
    args.insert(args.begin(), {"--state-dir", dir.path() + "/state"});
    return run_cli(args, private_env(dir));
  };
}

std::string process_id(const TempDir& dir, const std::string& kind) {
  return "process/" + kind + "-" + ptyctl::default_instance_name(dir.path() + "/state");
}

json::object find_process(const std::string& ps_json, const std::string& id) {
  const json::value all = json::parse(ps_json);
  for (const auto& p : all.as_array())
    if (p.at("id").as_string() == id) return p.as_object();
  return {};
}

}  // namespace ptyctl::test
