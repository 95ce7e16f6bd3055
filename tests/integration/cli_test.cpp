// ptyctl as a script and a person use it: the real binary against the real
// terminal-host and pty-supervisor, attach under a pseudo-terminal the test
// owns, the process registry, and the units it generates.

#include "host_client.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include <utmp.h>

#include <boost/json.hpp>

#include <cstring>
#include <filesystem>
#include <regex>

using namespace ptyctl::test;
namespace json = boost::json;

namespace {

struct CliResult {
  int code = -1;
  std::string out, err;
};

std::string cli_binary() {
  return PTYCTL_CLI_BIN;
}

// Runs ptyctl to completion (stdin from /dev/null), with a deadline.
CliResult run_cli(const std::vector<std::string>& args,
                  const std::map<std::string, std::string>& env = {},
                  std::chrono::milliseconds timeout = 60s) {
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

}  // namespace

TEST(Cli, AScriptDrivesASession) {
  HostFixture f;
  auto r = run_cli(with_state(f, {"new", "--id", "s1", "--", "bash", "--norc", "--noprofile"}));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "s1\n");
  r = run_cli(with_state(f, {"send", "s1", "--enter", "echo hi-$((6*7))"}));
  ASSERT_EQ(r.code, 0) << r.err;
  r = run_cli(with_state(f, {"wait", "s1", "--text", "^hi-42$", "--timeout", "30"}));
  ASSERT_EQ(r.code, 0) << r.err;
  r = run_cli(with_state(f, {"snapshot", "s1"}));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "\nhi-42\n")) << r.out;
  r = run_cli(with_state(f, {"snapshot", "s1", "--format", "json"}));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out).at("cols").as_int64(), 80);

  // ls --json parses and matches what terminal-host lists.
  r = run_cli(with_state(f, {"ls", "--json"}));
  ASSERT_EQ(r.code, 0) << r.err;
  const json::array listed = json::parse(r.out).as_array();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].at("sessionId").as_string(), "s1");
  EXPECT_TRUE(listed[0].at("isAlive").as_bool());
  HostClient c(f.socket(), f.token());
  const auto direct = c.request("listSessions");
  EXPECT_EQ(listed[0].at("pid"), direct.at("payload").at("sessions").at(0).at("pid"));
  r = run_cli(with_state(f, {"ls"}));
  EXPECT_TRUE(contains(r.out, "s1")) << r.out;

  // The exit code of the program, for the script.
  r = run_cli(with_state(f, {"send", "s1", "--enter", "exit 3"}));
  ASSERT_EQ(r.code, 0) << r.err;
  r = run_cli(with_state(f, {"wait", "s1", "--exit", "--timeout", "30"}));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "3\n");

  // kill → wait --exit reports SIGHUP's code.
  r = run_cli(with_state(f, {"new", "--id", "s2", "--", "sleep", "1000"}));
  ASSERT_EQ(r.code, 0) << r.err;
  r = run_cli(with_state(f, {"kill", "s2"}));
  ASSERT_EQ(r.code, 0) << r.err;
  r = run_cli(with_state(f, {"wait", "s2", "--exit", "--timeout", "30"}));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "129\n");
}

TEST(Cli, ErrorsAreOneLineWithDocumentedCodes) {
  HostFixture f;
  auto r = run_cli(with_state(f, {"kill", "nope"}));
  EXPECT_EQ(r.code, 4);
  EXPECT_EQ(lines_of(r.err), 1) << r.err;
  EXPECT_TRUE(contains(r.err, "no session nope")) << r.err;
  r = run_cli(with_state(f, {"snapshot", "bad id!"}));
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(lines_of(r.err), 1) << r.err;
  r = run_cli(with_state(f, {"frobnicate"}));
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(lines_of(r.err), 1) << r.err;
  EXPECT_TRUE(contains(r.err, "unknown verb")) << r.err;
  r = run_cli(with_state(f, {"ls", "--bogus"}));
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(lines_of(r.err), 1) << r.err;
  // wait that times out.
  ASSERT_EQ(run_cli(with_state(f, {"new", "--id", "w", "--", "sleep", "1000"})).code, 0);
  r = run_cli(with_state(f, {"wait", "w", "--text", "never-shown", "--timeout", "0.5"}));
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(lines_of(r.err), 1) << r.err;
  // A dead terminal-host (and not allowed to start one).
  TempDir empty;
  r = run_cli({"--state-dir", empty.path(), "--no-start", "ls"});
  EXPECT_EQ(r.code, 3);
  EXPECT_EQ(lines_of(r.err), 1) << r.err;
  EXPECT_TRUE(contains(r.err, "terminal-host is not running")) << r.err;
}

TEST(Cli, HelpListsEveryOption) {
  auto r = run_cli({"--help"});
  ASSERT_EQ(r.code, 0);
  for (const char* verb : {"ls", "new", "attach", "send", "snapshot", "wait", "kill", "status",
                           "start", "ps", "describe", "logs", "stop", "restart", "generate"}) {
    EXPECT_TRUE(contains(r.out, std::string("  ") + verb + " ")) << verb;
    auto v = run_cli({verb, "--help"});
    EXPECT_EQ(v.code, 0) << verb << ": " << v.err;
    EXPECT_TRUE(contains(v.out, std::string("Usage: ptyctl ") + verb)) << v.out;
  }
  EXPECT_TRUE(contains(run_cli({"new", "--help"}).out, "--env"));
  EXPECT_TRUE(contains(run_cli({"attach", "--help"}).out, "--detach-key"));
  EXPECT_TRUE(contains(run_cli({"wait", "--help"}).out, "--timeout"));
  EXPECT_TRUE(contains(run_cli({"snapshot", "--help"}).out, "--scrollback"));
}

// --- attach under a pseudo-terminal the test owns -------------------------------

namespace {

// ptyctl attach on a PTY of ours: we are its terminal.
class AttachedTerminal {
 public:
  AttachedTerminal(const std::vector<std::string>& args) {
    winsize ws{24, 80, 0, 0};
    if (::openpty(&master_, &slave_, nullptr, nullptr, &ws) != 0)
      throw std::runtime_error("openpty");
    ::tcgetattr(slave_, &original_);
    std::vector<std::string> argv{cli_binary()};
    argv.insert(argv.end(), args.begin(), args.end());
    pid_ = ::fork();
    if (pid_ == 0) {
      ::close(master_);
      ::login_tty(::dup(slave_));
      ::setenv("ASAN_OPTIONS", "detect_leaks=0", 0);
      exec_or_exit(argv);
    }
  }
  ~AttachedTerminal() {
    if (pid_ > 0 && !status_) {
      ::kill(pid_, SIGKILL);
      int s;
      ::waitpid(pid_, &s, 0);
    }
    ::close(master_);
    ::close(slave_);
  }
  void type(std::string_view keys) { ::write(master_, keys.data(), keys.size()); }
  // Reads until `re` matches what was shown since the last call that matched.
  bool read_until(const std::regex& re, std::chrono::milliseconds timeout = 30s) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
      if (std::regex_search(screen_.substr(mark_), re)) {
        mark_ = screen_.size();
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
  void resize(int cols, int rows) {
    winsize ws{static_cast<unsigned short>(rows), static_cast<unsigned short>(cols), 0, 0};
    ::ioctl(master_, TIOCSWINSZ, &ws);
  }
  std::optional<int> wait_exit(std::chrono::milliseconds timeout) {
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
  bool mode_restored() const {
    termios now{};
    ::tcgetattr(slave_, &now);
    return now.c_iflag == original_.c_iflag && now.c_oflag == original_.c_oflag &&
           now.c_lflag == original_.c_lflag && now.c_cflag == original_.c_cflag &&
           std::memcmp(now.c_cc, original_.c_cc, sizeof now.c_cc) == 0;
  }
  bool raw_now() const {
    termios now{};
    ::tcgetattr(slave_, &now);
    return (now.c_lflag & (ICANON | ECHO)) == 0;
  }
  const std::string& screen() const { return screen_; }

 private:
  int master_ = -1, slave_ = -1;
  pid_t pid_ = -1;
  termios original_{};
  std::string screen_;
  std::size_t mark_ = 0;
  std::optional<int> status_;
};

}  // namespace

TEST(CliAttach, TypingOutputResizeAndDetach) {
  HostFixture f;
  ASSERT_EQ(
      run_cli(with_state(f, {"new", "--id", "a", "--", "bash", "--norc", "--noprofile"})).code, 0);
  AttachedTerminal t(with_state(f, {"attach", "a"}));
  ASSERT_TRUE(t.read_until(std::regex("bash-[0-9.]+# "))) << t.screen();
  EXPECT_TRUE(t.raw_now());
  t.type("echo typed-$((1+1))\r");
  ASSERT_TRUE(t.read_until(std::regex("\rtyped-2"))) << t.screen();
  t.resize(100, 30);
  // The resize travels as a request; ask until the program sees it.
  bool seen = false;
  for (int i = 0; i < 50 && !seen; ++i) {
    t.type("echo cols=$(tput cols)\r");
    seen = t.read_until(std::regex("\rcols=100"), 1s);
  }
  EXPECT_TRUE(seen) << t.screen();
  t.type("\x1c");  // Ctrl-backslash
  auto status = t.wait_exit(20s);
  ASSERT_TRUE(status);
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
  EXPECT_TRUE(t.mode_restored());
  // The session runs on.
  auto r = run_cli(with_state(f, {"ls", "--json"}));
  const json::array listed = json::parse(r.out).as_array();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_TRUE(listed[0].at("isAlive").as_bool());
  EXPECT_EQ(listed[0].at("attachedClients").as_int64(), 0);
}

TEST(CliAttach, GoesOnAcrossATerminalHostSigkill) {
  HostFixture f({}, {"--ring-size", std::to_string(16u * 1024 * 1024)});
  ASSERT_EQ(run_cli(with_state(f, {"new", "--id", "n", "--", "bash", "-c",
                                   "read x; for i in $(seq 1 600); do echo line-$i; sleep 0.005; "
                                   "done; sleep 1000"}))
                .code,
            0);
  AttachedTerminal t(with_state(f, {"--no-start", "attach", "n"}));
  ASSERT_TRUE(t.read_until(std::regex("\x1b\\[2J"))) << t.screen();  // painted
  t.type("\r");
  ASSERT_TRUE(t.read_until(std::regex("line-50\r\n"))) << t.screen();
  for (int i = 0; i < 3; ++i) {
    f.process->signal(SIGKILL);
    ASSERT_TRUE(f.process->wait(20s));
    f.restart();
    ASSERT_TRUE(t.read_until(std::regex("line-" + std::to_string(150 * (i + 1) + 50) + "\r\n")))
        << t.screen();
  }
  ASSERT_TRUE(t.read_until(std::regex("line-600\r\n"))) << t.screen();
  // Every line exactly once, in order.
  std::regex line_re("line-([0-9]+)\r\n");
  int expect = 1;
  for (auto it = std::sregex_iterator(t.screen().begin(), t.screen().end(), line_re);
       it != std::sregex_iterator(); ++it) {
    EXPECT_EQ(std::stoi((*it)[1]), expect) << "lost or repeated output";
    ++expect;
  }
  EXPECT_EQ(expect, 601);
  t.type("\x1c");
  ASSERT_TRUE(t.wait_exit(20s));
  EXPECT_TRUE(t.mode_restored());
}

// --- processes: start, ps, describe, logs, stop ------------------------------------

namespace {
// Stops whatever registered in a test's private registry, even when the test
// failed half way.
struct RegistryCleanup {
  const TempDir& dir;
  ~RegistryCleanup() {
    std::error_code ec;
    for (const auto& f :
         std::filesystem::directory_iterator(dir.path() + "/data/ptyctl/processes", ec)) {
      if (f.path().string().ends_with(".supervisor.json")) continue;
      try {
        const int pid =
            static_cast<int>(json::parse(read_file(f.path().string())).at("pid").as_int64());
        if (!process_gone(pid) && ::kill(pid, SIGTERM) == 0)
          if (!wait_until([&] { return process_gone(pid); }, 20s)) ::kill(pid, SIGKILL);
      } catch (...) {
      }
    }
  }
};

// ptyctl on a state dir and a process registry of the test's own.
std::function<CliResult(std::vector<std::string>)> private_cli(const TempDir& dir) {
  return [&dir](std::vector<std::string> args) {
    args.insert(args.begin(), {"--state-dir", dir.path() + "/state"});
    return run_cli(args, {{"XDG_DATA_HOME", dir.path() + "/data"}});
  };
}

json::object find_process(const std::string& ps_json, const std::string& id) {
  const json::value all = json::parse(ps_json);
  for (const auto& p : all.as_array())
    if (p.at("id").as_string() == id) return p.as_object();
  return {};
}
}  // namespace

TEST(CliProcesses, StartPsDescribeLogsStop) {
  TempDir dir;
  RegistryCleanup cleanup{dir};
  const auto cli = private_cli(dir);
  auto r = cli({"start", "supervisor", "-d"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "process/supervisor-default")) << r.out;
  r = cli({"start", "terminal-host", "-d", "--", "--spawn-supervisor=never"});
  ASSERT_EQ(r.code, 0) << r.err;

  r = cli({"ps", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto sup = find_process(r.out, "process/supervisor-default");
  auto host = find_process(r.out, "process/terminal-host-default");
  ASSERT_FALSE(sup.empty()) << r.out;
  ASSERT_FALSE(host.empty()) << r.out;
  EXPECT_EQ(sup.at("state").as_string(), "running");
  EXPECT_EQ(host.at("state").as_string(), "running");
  r = cli({"ps"});
  EXPECT_TRUE(contains(r.out, "process/terminal-host-default")) << r.out;

  r = cli({"describe", "process/supervisor-default"});
  ASSERT_EQ(r.code, 0) << r.err;
  const json::object d = json::parse(r.out).as_object();
  EXPECT_EQ(d.at("pid"), sup.at("pid"));
  EXPECT_EQ(d.at("state_dir").as_string(), dir.path() + "/state");
  EXPECT_EQ(d.at("log_file").as_string(), dir.path() + "/state/pty-supervisor.log");
  EXPECT_FALSE(d.at("command").as_array().empty());
  EXPECT_TRUE(d.contains("started_at"));

  r = cli({"logs", "process/terminal-host-default", "-n", "5"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "listening on")) << r.out;
  EXPECT_LE(lines_of(r.out), 5);

  r = cli({"status"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;

  // A process killed behind our back shows as exited.
  const int host_pid = static_cast<int>(host.at("pid").as_int64());
  ASSERT_EQ(::kill(host_pid, SIGKILL), 0);
  ASSERT_TRUE(wait_until([&] { return process_gone(host_pid); }, 20s));
  r = cli({"ps", "--json"});
  EXPECT_EQ(find_process(r.out, "process/terminal-host-default").at("state").as_string(), "exited");
  r = cli({"status"});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.out, "terminal-host: not running")) << r.out;

  // Started again, then stopped the regular way.
  r = cli({"start", "terminal-host", "-d", "--", "--spawn-supervisor=never"});
  ASSERT_EQ(r.code, 0) << r.err;
  r = cli({"describe", "process/terminal-host-default"});
  ASSERT_EQ(r.code, 0) << r.err;
  const json::object d2 = json::parse(r.out).as_object();
  EXPECT_EQ(d2.at("state").as_string(), "running");
  EXPECT_EQ(d2.at("log_file").as_string(), dir.path() + "/state/terminal-host.log");
  r = cli({"logs", "process/supervisor-default", "-n", "3"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "hello from pid")) << r.out;  // the new terminal-host's
  r = cli({"stop", "process/terminal-host-default"});
  ASSERT_EQ(r.code, 0) << r.err;
  r = cli({"ps", "--json"});
  EXPECT_EQ(find_process(r.out, "process/terminal-host-default").at("state").as_string(), "exited");

  r = cli({"stop", "process/supervisor-default"});
  ASSERT_EQ(r.code, 0) << r.err;
  const int sup_pid = static_cast<int>(sup.at("pid").as_int64());
  EXPECT_TRUE(process_gone(sup_pid));
  r = cli({"ps", "--json"});
  EXPECT_EQ(find_process(r.out, "process/supervisor-default").at("state").as_string(), "exited");

  r = cli({"describe", "process/terminal-host-nosuch"});
  EXPECT_EQ(r.code, 5);
  EXPECT_EQ(lines_of(r.err), 1) << r.err;
  r = cli({"logs", "nonsense"});
  EXPECT_EQ(r.code, 2);
}

TEST(CliProcesses, ForegroundProcessHasNoLogFileAndSaysWhere) {
  TempDir dir;
  const std::map<std::string, std::string> env{{"XDG_DATA_HOME", dir.path() + "/data"}};
  Process sup(supervisor_binary(), {"--state-dir", dir.path() + "/state", "--name", "fg"}, env);
  ASSERT_TRUE(wait_until(
      [&] { return path_exists(dir.path() + "/data/ptyctl/processes/supervisor-fg.json"); }, 20s));
  auto r = run_cli({"logs", "process/supervisor-fg"}, env);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(lines_of(r.out), 1) << r.out;
  EXPECT_TRUE(contains(r.out, "no log file")) << r.out;
}

TEST(CliProcesses, RestartTerminalHostKeepsSessions) {
  TempDir dir;
  RegistryCleanup cleanup{dir};
  const auto cli = private_cli(dir);
  ASSERT_EQ(cli({"start", "terminal-host", "-d"}).code, 0);
  auto r = cli({"new", "--id", "keep", "--", "sleep", "1000"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto before = json::parse(cli({"ls", "--json"}).out).as_array();
  r = cli({"restart", "terminal-host"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto after = json::parse(cli({"ls", "--json"}).out).as_array();
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].at("pid"), before[0].at("pid"));
  EXPECT_TRUE(after[0].at("isAlive").as_bool());
  EXPECT_EQ(cli({"stop", "process/terminal-host-default"}).code, 0);
  EXPECT_EQ(cli({"stop", "process/supervisor-default"}).code, 0);
}

// --- systemd units -------------------------------------------------------------------

namespace {
std::string bin_dir() {
  return cli_binary().substr(0, cli_binary().rfind('/'));
}
std::string with_placeholder(std::string text) {
  const std::string dir = bin_dir();
  for (std::size_t at; (at = text.find(dir)) != std::string::npos;)
    text.replace(at, dir.size(), "@BINDIR@");
  return text;
}
}  // namespace

TEST(CliSystemd, UnitsMatchTheGoldenFilesAndSystemdAcceptsThem) {
  TempDir home;
  const std::map<std::string, std::string> env{{"HOME", home.path()},
                                               {"XDG_DATA_HOME", ""},
                                               {"PTYCTL_STATE_DIR", ""},
                                               {"SUPERSET_WORKSPACE_NAME", ""}};
  struct Case {
    std::vector<std::string> args;
    std::vector<std::string> files;
  };
  const std::vector<Case> cases = {
      {{"generate", "systemd", "process/supervisor-default"},
       {"ptyctl-supervisor-default.service"}},
      {{"generate", "systemd", "terminal-host"}, {"ptyctl-terminal-host-default.service"}},
      {{"generate", "systemd", "process/terminal-host-default", "--socket-activation"},
       {"ptyctl-terminal-host-default.socket-activated.service",
        "ptyctl-terminal-host-default.socket"}},
  };
  for (const auto& c : cases) {
    const auto first = run_cli(c.args, env);
    ASSERT_EQ(first.code, 0) << first.err;
    const auto second = run_cli(c.args, env);
    EXPECT_EQ(first.out, second.out) << "two runs must print the same bytes";
    std::string expected;
    for (const auto& f : c.files)
      expected += (expected.empty() ? "" : "\n") +
                  read_file(std::string(PTYCTL_SOURCE_DIR) + "/tests/golden/" + f);
    EXPECT_EQ(with_placeholder(first.out), expected);
    EXPECT_FALSE(contains(first.out, home.path())) << "a literal home directory";
  }
  // systemd-analyze verify --user accepts them (files written with --output-dir).
  const std::string units = home.path() + "/units";
  ASSERT_EQ(run_cli({"generate", "systemd", "supervisor", "--output-dir", units}, env).code, 0);
  ASSERT_EQ(run_cli({"generate", "systemd", "terminal-host", "--socket-activation", "--output-dir",
                     units},
                    env)
                .code,
            0);
  const std::string runtime = home.path() + "/runtime";
  ::mkdir(runtime.c_str(), 0700);
  const std::string verify = "cd " + units + " && HOME=" + home.path() +
                             " XDG_RUNTIME_DIR=" + runtime +
                             " systemd-analyze verify --user ptyctl-supervisor-default.service "
                             "ptyctl-terminal-host-default.service "
                             "ptyctl-terminal-host-default.socket > " +
                             home.path() + "/verify.log 2>&1";
  EXPECT_EQ(std::system(verify.c_str()), 0) << read_file(home.path() + "/verify.log");

  // The sidecar beside the registry entry.
  const json::object sidecar =
      json::parse(read_file(home.path() + "/.local/share/ptyctl/processes/"
                                          "terminal-host-default.supervisor.json"))
          .as_object();
  EXPECT_EQ(sidecar.at("id").as_string(), "process/terminal-host-default");
  EXPECT_EQ(sidecar.at("supervisor").as_string(), "systemd-user");
  EXPECT_EQ(sidecar.at("unit").as_string(), "ptyctl-terminal-host-default.service");
  EXPECT_TRUE(sidecar.at("generated_at").is_string());
  EXPECT_EQ(sidecar.at("command").as_array().at(0).as_string(), bin_dir() + "/terminal-host");
}

TEST(CliSystemd, TerminalHostServesASocketPassedAsSystemdWould) {
  TempDir dir;
  const std::string state = dir.path() + "/state";
  ::mkdir(state.c_str(), 0700);
  const std::string path = state + "/terminal-host.sock";
  const int listener = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(listener, 16), 0);
  auto start = [&] {
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::dup2(listener, 3);
      ::setenv("LISTEN_FDS", "1", 1);
      ::setenv("LISTEN_PID", std::to_string(::getpid()).c_str(), 1);
      ::setenv("ASAN_OPTIONS", "detect_leaks=0", 0);
      const std::string host = host_binary(), sup = supervisor_binary();
      ::execl(host.c_str(), host.c_str(), "--state-dir", state.c_str(), "--supervisor-binary",
              sup.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    return pid;
  };
  pid_t host = start();
  ASSERT_TRUE(wait_until([&] { return path_exists(state + "/terminal-host.token"); }, 20s));
  {
    HostClient c(path, read_file(state + "/terminal-host.token"));
    EXPECT_TRUE(c.request("listSessions").at("ok").as_bool());
  }
  // Down: a client connecting now waits in the socket's queue...
  ::kill(host, SIGKILL);
  int status;
  ::waitpid(host, &status, 0);
  LineSocket waiting(path);
  waiting.send(
      ptyctl::proto::make_request("h", "hello",
                                  json::object{{"token", read_file(state + "/terminal-host.token")},
                                               {"protocolVersion", 2},
                                               {"clientId", "patient"},
                                               {"role", "control"}}));
  // ...and is served by the next terminal-host.
  host = start();
  auto answer = waiting.response("h", 20s);
  ASSERT_TRUE(answer);
  EXPECT_TRUE(answer->at("ok").as_bool());
  ::kill(host, SIGTERM);
  ::waitpid(host, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_TRUE(path_exists(path)) << "the socket is systemd's: it stays";
  const std::string sup = read_file(state + "/pty-supervisor.pid");
  if (!sup.empty()) {
    ::kill(std::stoi(sup), SIGTERM);
    wait_until([&] { return process_gone(std::stoi(sup)); }, 20s);
  }
  ::close(listener);
}
