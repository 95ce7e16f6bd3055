// The servers' lifecycle as an operator and a user meet it: one terminal-host
// (and one supervisor) per state dir whatever the timing, restarts and stops
// that never leave a second one behind, a registry that keeps state dirs
// apart, and ptyctl inside a session talking to its own server.

#include "cli_harness.hpp"

#include <ptyctl/common/process.hpp>
#include <ptyctl/common/registry.hpp>

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <algorithm>
#include <filesystem>
#include <regex>
#include <set>

using namespace ptyctl::test;
namespace json = boost::json;

namespace {

// Live processes running `program` (by /proc/<pid>/exe) on `state_dir` (by
// their command line), found by scanning /proc.
std::vector<int> servers_of(const std::string& program, const std::string& state_dir) {
  std::vector<int> out;
  DIR* proc = ::opendir("/proc");
  if (!proc) return out;
  while (dirent* d = ::readdir(proc)) {
    const int pid = std::atoi(d->d_name);
    if (pid <= 0 || process_gone(pid)) continue;
    std::error_code ec;
    const auto exe = std::filesystem::read_symlink("/proc/" + std::to_string(pid) + "/exe", ec);
    if (ec || exe.filename() != program) continue;
    std::string cmdline = read_file("/proc/" + std::to_string(pid) + "/cmdline");
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    if (contains(cmdline + " ", " " + state_dir + " ")) out.push_back(pid);
  }
  ::closedir(proc);
  std::sort(out.begin(), out.end());
  return out;
}

// Someone holds the lock file (we cannot take it).
bool lock_held(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return false;
  const bool held = ::flock(fd, LOCK_EX | LOCK_NB) != 0;
  ::close(fd);
  return held;
}

int pid_in(const std::string& text) {
  static const std::regex re("pid ([0-9]+)");
  std::smatch m;
  return std::regex_search(text, m, re) ? std::stoi(m[1]) : -1;
}

// Exactly one terminal-host serves `state`: the /proc scan, the pid file and
// the lock agree, and its socket answers.
void expect_one_host(const std::string& state, int pid) {
  EXPECT_EQ(servers_of("terminal-host", state), std::vector<int>{pid});
  EXPECT_EQ(read_file(state + "/terminal-host.pid"), std::to_string(pid));
  EXPECT_TRUE(lock_held(state + "/terminal-host.lock"));
  EXPECT_TRUE(ptyctl::socket_answers(state + "/terminal-host.sock"));
}

// Every "line-N" shown, in order from 1, each once; returns the count.
int check_lines(const std::string& screen) {
  static const std::regex line_re("line-([0-9]+)\r\n");
  int expect = 1;
  for (auto it = std::sregex_iterator(screen.begin(), screen.end(), line_re);
       it != std::sregex_iterator(); ++it) {
    EXPECT_EQ(std::stoi((*it)[1]), expect) << "lost or repeated output";
    if (std::stoi((*it)[1]) != expect) return -1;
    ++expect;
  }
  return expect - 1;
}

}  // namespace

TEST(Lifecycle, RestartsAndStopsWhileAttachedLeaveExactlyOneHost) {
  TempDir dir;
  RegistryCleanup cleanup{dir};
  const auto cli = private_cli(dir);
  const std::string state = dir.path() + "/state";
  auto r = cli({"start", "terminal-host", "-d"});
  ASSERT_EQ(r.code, 0) << r.err;
  // Output until the test says stop, then a marker with the count.
  const std::string stop = dir.path() + "/stop";
  r = cli({"new", "--id", "out", "--", "bash", "-c",
           "read x; i=0; while [ ! -e " + stop +
               " ]; do i=$((i+1)); echo line-$i; sleep 0.01; done; echo done-$i; sleep 1000"});
  ASSERT_EQ(r.code, 0) << r.err;
  AttachedTerminal t({"--state-dir", state, "attach", "out"}, private_env(dir));
  ASSERT_TRUE(t.read_until(std::regex("\x1b\\[2J"))) << t.screen();  // painted
  t.type("\r");
  ASSERT_TRUE(t.read_until(std::regex("line-20\r\n"))) << t.screen();

  for (int i = 0; i < 20; ++i) {
    r = cli({"restart", "terminal-host"});
    ASSERT_EQ(r.code, 0) << r.err;
    const int pid = pid_in(r.out);
    ASSERT_GT(pid, 0) << r.out;
    expect_one_host(state, pid);
    ASSERT_TRUE(t.read_until(std::regex("line-[0-9]+\r\n"))) << "output goes on";
  }
  for (int i = 0; i < 20; ++i) {
    r = cli({"stop", "terminal-host"});
    ASSERT_EQ(r.code, 0) << r.err;
    // The attach waits; it starts nothing behind the operator's back.
    EXPECT_TRUE(servers_of("terminal-host", state).empty());
    r = cli({"start", "terminal-host", "-d"});
    ASSERT_EQ(r.code, 0) << r.err << r.out;
    const int pid = pid_in(r.out);
    ASSERT_GT(pid, 0) << r.out;
    expect_one_host(state, pid);
    ASSERT_TRUE(t.read_until(std::regex("line-[0-9]+\r\n"))) << "output goes on";
  }
  ::close(::open(stop.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
  std::smatch m;
  ASSERT_TRUE(t.read_until(std::regex("done-[0-9]+"), 60s)) << t.screen();
  const std::string& screen = t.screen();
  ASSERT_TRUE(std::regex_search(screen, m, std::regex("done-([0-9]+)")));
  EXPECT_EQ(check_lines(screen), std::stoi(m[1])) << "every line once, in order";
  EXPECT_FALSE(contains(screen, "waiting for terminal-host]\r\n"))
      << "no status line in the program's screen";
  t.type("\x1c");
  ASSERT_TRUE(t.wait_exit(20s));
}

TEST(Lifecycle, ServersStartedAtTheSameInstantOneListens) {
  for (const std::string program : {"terminal-host", "pty-supervisor"}) {
    const std::string binary = program == "terminal-host" ? host_binary() : supervisor_binary();
    for (int round = 0; round < 50; ++round) {
      TempDir dir;
      const std::string state = dir.path() + "/state";
      std::vector<std::string> args{"--state-dir", state};
      if (program == "terminal-host") args.push_back("--spawn-supervisor=never");
      const std::map<std::string, std::string> env{{"XDG_DATA_HOME", dir.path() + "/data"}};
      Process a(binary, args, env);
      Process b(binary, args, env);
      std::optional<int> status;
      Process* loser = nullptr;
      ASSERT_TRUE(wait_until(
          [&] {
            for (Process* p : {&a, &b})
              if ((status = p->wait(0ms))) {
                loser = p;
                return true;
              }
            return false;
          },
          20s))
          << program << " round " << round << ": neither exited";
      Process* winner = loser == &a ? &b : &a;
      EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 1) << *status;
      EXPECT_TRUE(contains(loser->log(), "already serving")) << loser->log();
      const std::string sock =
          state + (program == "terminal-host" ? "/terminal-host.sock" : "/pty-supervisor.sock");
      EXPECT_TRUE(wait_until([&] { return ptyctl::socket_answers(sock); }, 20s)) << winner->log();
      EXPECT_FALSE(winner->wait(0ms)) << "the winner serves on";
      winner->signal(SIGTERM);
      auto done = winner->wait(20s);
      ASSERT_TRUE(done);
      EXPECT_TRUE(WIFEXITED(*done) && WEXITSTATUS(*done) == 0) << *done << winner->log();
      EXPECT_FALSE(ptyctl::socket_answers(sock));
      if (HasFailure()) return;
    }
  }
}

TEST(Lifecycle, TwoStateDirsNeverTouchEachOther) {
  TempDir dir;
  RegistryCleanup cleanup{dir};
  const std::string a = dir.path() + "/a", b = dir.path() + "/b";
  const auto env = private_env(dir);
  auto in = [&](const std::string& state, std::vector<std::string> args) {
    args.insert(args.begin(), {"--state-dir", state});
    return run_cli(args, env);
  };
  const std::string host_a = "process/terminal-host-" + ptyctl::default_instance_name(a);
  const std::string host_b = "process/terminal-host-" + ptyctl::default_instance_name(b);
  const std::string sup_b = "process/supervisor-" + ptyctl::default_instance_name(b);
  ASSERT_NE(host_a, host_b);
  ASSERT_EQ(in(a, {"start", "terminal-host", "-d"}).code, 0);
  ASSERT_EQ(in(b, {"start", "terminal-host", "-d"}).code, 0);
  // Each terminal-host started its supervisor, named after its own state dir.
  auto running = [&](const std::string& ps_json, const std::string& id) {
    const auto e = find_process(ps_json, id);
    return !e.empty() && e.at("state").as_string() == "running";
  };
  ASSERT_TRUE(wait_until(
      [&] {
        return running(in(a, {"ps", "--all", "--json"}).out, sup_b);
      },
      20s));
  const int b_pid =
      static_cast<int>(find_process(in(b, {"ps", "--json"}).out, host_b).at("pid").as_int64());

  auto r = in(a, {"restart", "terminal-host"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, host_a)) << r.out;
  for (const std::vector<std::string>& verb : {std::vector<std::string>{"stop", host_b},
                                               {"logs", host_b},
                                               {"describe", host_b},
                                               {"stop", sup_b},
                                               {"restart", host_b}}) {
    r = in(a, verb);
    EXPECT_EQ(r.code, 5) << verb[0] << ": " << r.out << r.err;
    EXPECT_EQ(lines_of(r.err), 1) << r.err;
    EXPECT_TRUE(contains(r.err, b)) << r.err;  // says whose it is
  }
  r = in(b, {"ps", "--json"});
  EXPECT_EQ(find_process(r.out, host_b).at("pid").as_int64(), b_pid) << "B's untouched";
  EXPECT_TRUE(running(r.out, host_b));

  // ps: the current dir's by default; --all shows both, the current one marked.
  r = in(a, {"ps", "--json"});
  const json::value listed = json::parse(r.out);
  for (const auto& e : listed.as_array()) {
    EXPECT_EQ(e.at("state_dir").as_string(), a);
    EXPECT_TRUE(e.at("current").as_bool());
  }
  r = in(a, {"ps", "--all"});
  EXPECT_TRUE(contains(r.out, "* " + host_a)) << r.out;
  EXPECT_TRUE(contains(r.out, "  " + host_b)) << r.out;
  EXPECT_TRUE(contains(r.out, " " + a + "\n")) << r.out;
  EXPECT_TRUE(contains(r.out, " " + b + "\n")) << r.out;
  EXPECT_EQ(in(b, {"describe", host_b}).code, 0);
  EXPECT_EQ(in(b, {"stop", host_b}).code, 0);
}

TEST(Lifecycle, PtyctlInsideASessionUsesItsOwnServer) {
  HostFixture f;
  const std::string cli = cli_binary();
  auto r = run_cli(with_state(f, {"new", "--id", "in", "--", "bash", "--norc", "--noprofile"}));
  ASSERT_EQ(r.code, 0) << r.err;
  // No --state-dir inside: the session's $PTYCTL_STATE_DIR names the server.
  r = run_cli(with_state(
      f, {"send", "in", "--enter", cli + " ls | grep -c '^in ' | sed s/^/count=/; echo rc=$?"}));
  ASSERT_EQ(r.code, 0) << r.err;
  r = run_cli(with_state(f, {"wait", "in", "--text", "^count=1$", "--timeout", "30"}));
  EXPECT_EQ(r.code, 0) << run_cli(with_state(f, {"snapshot", "in"})).out;

  // Attaching the session you are in: one line, non-zero, the session unharmed.
  const std::string err = f.dir.path() + "/err.txt";
  r = run_cli(
      with_state(f, {"send", "in", "--enter",
                     cli + " attach in 2>" + err + "; echo rc=$? lines=$(wc -l < " + err + ")"}));
  ASSERT_EQ(r.code, 0) << r.err;
  r = run_cli(with_state(f, {"wait", "in", "--text", "^rc=1 lines=1$", "--timeout", "30"}));
  EXPECT_EQ(r.code, 0) << run_cli(with_state(f, {"snapshot", "in"})).out;
  r = run_cli(with_state(f, {"send", "in", "--enter", "cat " + err + "; echo alive-$((2+3))"}));
  r = run_cli(with_state(f, {"wait", "in", "--text", "^alive-5$", "--timeout", "30"}));
  EXPECT_EQ(r.code, 0);
  EXPECT_TRUE(contains(run_cli(with_state(f, {"snapshot", "in"})).out, "nested with care"));

  // Through nesting: A shows B (an attach inside A); attaching A from B loops.
  ASSERT_EQ(run_cli(with_state(f, {"new", "--id", "A", "--", "bash", "--norc"})).code, 0);
  ASSERT_EQ(run_cli(with_state(f, {"new", "--id", "B", "--", "bash", "--norc"})).code, 0);
  ASSERT_EQ(run_cli(with_state(f, {"send", "A", "--enter", cli + " attach B"})).code, 0);
  ASSERT_TRUE(wait_until(
      [&] {
        const auto list = json::parse(run_cli(with_state(f, {"ls", "--json"})).out);
        for (const auto& s : list.as_array())
          if (s.at("sessionId").as_string() == "B" && s.as_object().contains("viewedFrom"))
            return s.at("viewedFrom").as_array().size() == 1 &&
                   s.at("viewedFrom").as_array()[0].as_string() == "A";
        return false;
      },
      30s));
  ASSERT_EQ(run_cli(with_state(f, {"send", "B", "--enter",
                                   cli + " attach A 2>/dev/null; echo nested-rc=$?"}))
                .code,
            0);
  r = run_cli(with_state(f, {"wait", "B", "--text", "^nested-rc=1$", "--timeout", "30"}));
  EXPECT_EQ(r.code, 0) << run_cli(with_state(f, {"snapshot", "B"})).out;
}

TEST(Lifecycle, NewRunsCommandLinesAndArgvWithTheCallersEnvironment) {
  HostFixture f;
  // One argument: a command line for the shell.
  auto r = run_cli(with_state(f, {"new", "--id", "line", "--", "echo a; echo b; sleep 1000"}));
  ASSERT_EQ(r.code, 0) << r.err;
  r = run_cli(with_state(f, {"wait", "line", "--text", "^a\nb$", "--timeout", "30"}));
  EXPECT_EQ(r.code, 0) << run_cli(with_state(f, {"snapshot", "line"})).out;
  // Several: a program and its arguments, shell syntax untouched.
  r = run_cli(with_state(f, {"new", "--id", "argv", "--", "printf", "%s|%s\\n", "a;b", "$HOME"}));
  ASSERT_EQ(r.code, 0) << r.err;
  r = run_cli(with_state(f, {"wait", "argv", "--exit", "--timeout", "30"}));
  EXPECT_EQ(r.out, "0\n");
  EXPECT_TRUE(contains(run_cli(with_state(f, {"snapshot", "argv"})).out, "a;b|$HOME"));
  // The caller's environment, with --env on top; not our token, but the
  // user's other tokens.
  const std::string token = f.token();
  r = run_cli(with_state(f, {"new", "--id", "env", "--env", "BAZ=qux", "--", "sh", "-c",
                             "echo $FOO-$BAZ-$GITHUB_TOKEN; sleep 1000"}),
              {{"FOO", "bar"},
               {"SUPERSET_TOKEN", token},
               {"GITHUB_TOKEN", "gh"},
               {"NOTIFY_SOCKET", "/nowhere"}});
  ASSERT_EQ(r.code, 0) << r.err;
  r = run_cli(with_state(f, {"wait", "env", "--text", "^bar-qux-gh$", "--timeout", "30"}));
  EXPECT_EQ(r.code, 0) << run_cli(with_state(f, {"snapshot", "env"})).out;
  const auto list = json::parse(run_cli(with_state(f, {"ls", "--json"})).out);
  for (const auto& s : list.as_array()) {
    const int pid = static_cast<int>(s.at("pid").as_int64());
    if (process_gone(pid)) continue;
    const std::string environ = read_file("/proc/" + std::to_string(pid) + "/environ");
    EXPECT_FALSE(contains(environ, token)) << s.at("sessionId").as_string();
    EXPECT_FALSE(contains(environ, "NOTIFY_SOCKET=")) << s.at("sessionId").as_string();
    EXPECT_TRUE(contains(environ, std::string("PTYCTL_STATE_DIR=") + f.dir.path() + '\0'));
  }
}
