// ptyctl --host: sessions on another host through a real sshd on a loopback
// port (ssh_harness.hpp). The "other host" is this one, with a state dir and
// a process registry of the test's own.

#include "cli_harness.hpp"
#include "ssh_harness.hpp"

#include <ptyctl/common/process.hpp>
#include <ptyctl/proto/paths.hpp>

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <regex>
#include <set>

using namespace ptyctl::test;
namespace json = boost::json;

namespace {

bool have_sshd() {
  struct stat st {};
  return ::stat(sshd_binary().c_str(), &st) == 0;
}

// The remote side: its state dir and registry in the test's temp dir.
struct RemoteFixture {
  TempDir dir;
  RegistryCleanup cleanup{dir};
  std::string remote_state = dir.path() + "/state";
  std::unique_ptr<SshServer> sshd;
  std::map<std::string, std::string> env;
  std::string host;

  RemoteFixture() {
    sshd = std::make_unique<SshServer>(
        dir, std::map<std::string, std::string>{{"XDG_DATA_HOME", dir.path() + "/data"},
                                                {"ASAN_OPTIONS", "detect_leaks=0"}});
    env = sshd->client_env(cli_binary());
    // The local side's own state dir and registry: nothing of it is used.
    env["XDG_DATA_HOME"] = dir.path() + "/local-data";
    env["PTYCTL_STATE_DIR"] = dir.path() + "/local-state";
    host = std::string(SshServer::kHost) + ":" + remote_state;
  }
  CliResult cli(std::vector<std::string> args) {
    args.insert(args.begin(), {"--host", host});
    return run_cli(args, env);
  }
};

// A file's bytes; "" when it cannot be read (a /proc entry of a process that
// has just exited).
std::string slurp(const std::string& path) {
  std::string out;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return out;
  char buf[4096];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;)
    out.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  return out;
}

// Every process's command line and environment that holds `secret`.
std::vector<std::string> processes_holding(const std::string& secret) {
  std::vector<std::string> found;
  DIR* proc = ::opendir("/proc");
  while (dirent* e = ::readdir(proc)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    for (const char* what : {"cmdline", "environ"}) {
      const std::string path = std::string("/proc/") + e->d_name + "/" + what;
      if (slurp(path).find(secret) != std::string::npos) found.push_back(path);
    }
  }
  ::closedir(proc);
  return found;
}

// The pids of `parent`'s children named ssh.
std::set<pid_t> ssh_children(pid_t parent) {
  std::set<pid_t> out;
  DIR* proc = ::opendir("/proc");
  while (dirent* e = ::readdir(proc)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    const std::string stat = slurp(std::string("/proc/") + e->d_name + "/stat");
    // pid (comm) state ppid ...
    const auto open = stat.find('('), close = stat.rfind(')');
    if (open == std::string::npos || close == std::string::npos) continue;
    if (stat.substr(open + 1, close - open - 1) != "ssh") continue;
    if (std::atoi(stat.c_str() + close + 4) == parent) out.insert(std::atoi(e->d_name));
  }
  ::closedir(proc);
  return out;
}

// The highest N of the "line-N" shown so far.
long highest_line(const std::string& screen) {
  long highest = -1;
  const std::regex line("line-([0-9]+)\r\n");
  for (auto it = std::sregex_iterator(screen.begin(), screen.end(), line);
       it != std::sregex_iterator(); ++it)
    highest = std::max(highest, std::stol((*it)[1]));
  return highest;
}

// Reads on until a line numbered higher than `highest` shows (output that
// is new, not what was read already); updates `highest`.
bool newer_line(AttachedTerminal& t, long& highest, std::chrono::milliseconds timeout) {
  const long before = highest;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (!t.read_until(std::regex("line-[0-9]+\r\n"), left)) return false;
    highest = highest_line(t.screen());
    if (highest > before) return true;
  }
  return false;
}

}  // namespace

TEST(Remote, SessionVerbsRoundTripThroughSsh) {
  if (!have_sshd()) GTEST_SKIP() << "no " << sshd_binary() << " (package openssh-server)";
  RemoteFixture f;
  // Nothing runs there yet: the bridge starts terminal-host as ptyctl does.
  auto r = f.cli({"ls", "--json"});
  ASSERT_EQ(r.code, 0) << r.err << f.sshd->log();
  EXPECT_EQ(r.out, "[]\n");
  EXPECT_TRUE(wait_until(
      [&] { return ptyctl::socket_answers(f.remote_state + "/terminal-host.sock"); }, 5s));
  r = f.cli({"new", "--id", "far", "--", "sh", "-c", "echo started-$((40+2)); exec cat"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "far\n");
  r = f.cli({"wait", "far", "--text", "started-42", "--timeout", "20"});
  EXPECT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(f.cli({"send", "far", "typed over ssh\n"}).code, 0);
  r = f.cli({"wait", "far", "--text", "typed over ssh", "--timeout", "20"});
  EXPECT_EQ(r.code, 0) << r.err;
  r = f.cli({"snapshot", "far"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("started-42"), std::string::npos) << r.out;
  // It is the remote terminal-host's session, seen without ssh too.
  {
    HostClient direct(f.remote_state + "/terminal-host.sock",
                      slurp(f.remote_state + "/terminal-host.token"));
    const auto sessions = direct.request("listSessions").at("payload").at("sessions").as_array();
    ASSERT_EQ(sessions.size(), 1u);
    EXPECT_EQ(sessions[0].at("sessionId").as_string(), "far");
  }
  r = f.cli({"ls"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("far"), std::string::npos) << r.out;
  // Two hosts: a HOST column; one that cannot be reached is said, the
  // other listed, exit 3.
  r = run_cli({"--host", f.host, "--host", "nowhere.invalid", "ls"}, f.env);
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_NE(r.out.find(f.host), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("far"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("nowhere.invalid"), std::string::npos) << r.err;
  r = run_cli({"--host", f.host, "--host", f.host, "ls", "--json"}, f.env);
  ASSERT_EQ(r.code, 0) << r.err;
  const json::array listings = json::parse(r.out).as_array();
  ASSERT_EQ(listings.size(), 2u);
  EXPECT_EQ(listings[1].at("host").as_string(), f.host);
  EXPECT_EQ(listings[1].at("sessions").as_array().at(0).at("sessionId").as_string(), "far");

  // attach through it, on a terminal of ours: typing and output.
  {
    auto env = f.env;
    AttachedTerminal t({"--host", f.host, "attach", "far"}, env);
    ASSERT_TRUE(t.read_until(std::regex("typed over ssh"), 30s)) << t.screen();
    t.type("echo-$((6*7)) back\r");
    ASSERT_TRUE(t.read_until(std::regex("echo-\\$\\(\\(6\\*7\\)\\) back"), 30s)) << t.screen();
    // The token is in no command line or environment on either side (the
    // bridge and ssh are running now).
    const std::string token = slurp(f.remote_state + "/terminal-host.token");
    ASSERT_EQ(token.size(), 64u);
    EXPECT_EQ(processes_holding(token), std::vector<std::string>{});
    t.type("\x1c");  // Ctrl-\ detaches
    EXPECT_TRUE(t.wait_exit(20s).has_value());
  }
  r = f.cli({"kill", "far"});
  EXPECT_EQ(r.code, 0) << r.err;
  r = f.cli({"ls", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const json::value after = json::parse(r.out);
  for (const auto& s : after.as_array())
    EXPECT_FALSE(s.at("isAlive").as_bool()) << r.out;
}

TEST(Remote, AnAttachSurvivesItsSshConnectionKilledTenTimes) {
  if (!have_sshd()) GTEST_SKIP() << "no " << sshd_binary() << " (package openssh-server)";
  RemoteFixture f;
  // Numbered lines, steadily, for as long as the test takes.
  auto r = f.cli({"new", "--id", "lines", "--", "sh", "-c",
                  "i=0; while [ $i -lt 1000000 ]; do i=$((i+1)); echo line-$i; sleep 0.005; "
                  "done"});
  ASSERT_EQ(r.code, 0) << r.err << f.sshd->log();
  AttachedTerminal t({"--host", f.host, "attach", "lines"}, f.env);
  long highest = -1;
  const auto diag = [&] {
    std::string logs;
    for (const char* n : {"/terminal-host.log", "/pty-supervisor.log"})
      logs += std::string(n) + ":\n" + slurp(f.remote_state + n);
    std::string tail = t.screen().substr(t.screen().size() > 1500 ? t.screen().size() - 1500 : 0);
    return "DBG highest " + std::to_string(highest) + "\n" + tail + "\n" + logs;
  };
  ASSERT_TRUE(newer_line(t, highest, 30s)) << t.screen();
  for (int kill = 0; kill < 10; ++kill) {
    std::set<pid_t> ssh;
    ASSERT_TRUE(wait_until([&] { return !(ssh = ssh_children(t.pid())).empty(); }, 30s))
        << "kill " << kill;
    // Output flows on this connection, then it is cut.
    ASSERT_TRUE(newer_line(t, highest, 30s)) << "kill " << kill << diag();
    for (pid_t p : ssh)
      ::kill(p, SIGKILL);
    // A new connection (not the one killed) and new output after it. The
    // terminal is read meanwhile: an attach blocked on its output would not
    // see its ssh go, and the killed one would stay unreaped.
    ASSERT_TRUE(wait_until(
        [&] {
          t.read_available();
          const auto now = ssh_children(t.pid());
          return !now.empty() && *now.begin() != *ssh.begin();
        },
        30s))
        << "kill " << kill;
    ASSERT_TRUE(newer_line(t, highest, 30s)) << "kill " << kill << "\n" << t.screen();
  }
  ASSERT_TRUE(newer_line(t, highest, 30s)) << diag();
  t.type("\x1c");
  EXPECT_TRUE(t.wait_exit(20s).has_value());
  // Every line once, in order: no gap, no repeat across the ten reconnects
  // (a repaint would show the screen's lines again; whatever separates them).
  const std::regex line("line-([0-9]+)");
  long expected = -1, count = 0;
  for (auto it = std::sregex_iterator(t.screen().begin(), t.screen().end(), line);
       it != std::sregex_iterator(); ++it) {
    const long n = std::stol((*it)[1]);
    if (expected >= 0) {
      ASSERT_EQ(n, expected) << "after " << count << " lines";
    }
    expected = n + 1;
    ++count;
  }
  EXPECT_GT(count, 20);
  EXPECT_GE(expected - 1, highest);
}

TEST(Remote, VersionSkewAndAFailedLoginAreOneLineEach) {
  if (!have_sshd()) GTEST_SKIP() << "no " << sshd_binary() << " (package openssh-server)";
  RemoteFixture f;
  // A later release's bridge at the other end (its greeting as it would be).
  const std::string later = f.dir.path() + "/later-ptyctl";
  std::ofstream(later) << "#!/bin/sh\n"
                          "printf '%s\\n' 'b{\"bridgeVersion\":99,\"ptyctlVersion\":\"9.9.9\"}'\n"
                          "exec cat > /dev/null\n";
  ::chmod(later.c_str(), 0700);
  auto env = f.env;
  env["PTYCTL_REMOTE_PTYCTL"] = later;
  auto r = run_cli({"--host", f.host, "ls"}, env);
  EXPECT_EQ(r.code, 3);
  EXPECT_EQ(lines_of(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("9.9.9"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("install the same release"), std::string::npos) << r.err;
  // A host that refuses us: ssh's own reason, in one line (-o on the
  // command line comes before the configuration's User).
  r = run_cli({"--ssh-option", "User=ptyctl-no-such-user", "--host", f.host, "ls"}, f.env);
  EXPECT_EQ(r.code, 3);
  EXPECT_EQ(lines_of(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("Permission denied"), std::string::npos) << r.err;
  // --host is for the session verbs only.
  r = run_cli({"--host", f.host, "ps"}, f.env);
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(lines_of(r.err), 1) << r.err;
}
