// ptyctl as a script and a person use it: the real binary against the real
// terminal-host and pty-supervisor, attach under a pseudo-terminal the test
// owns, the process registry, and the units it generates.

#include "cli_harness.hpp"

#include <ptyctl/common/registry.hpp>

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

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>

using namespace ptyctl::test;
namespace json = boost::json;

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

TEST(CliProcesses, StartPsDescribeLogsStop) {
  TempDir dir;
  RegistryCleanup cleanup{dir};
  const auto cli = private_cli(dir);
  const std::string sup_id = process_id(dir, "supervisor");
  const std::string host_id = process_id(dir, "terminal-host");
  auto r = cli({"start", "supervisor", "-d"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, sup_id)) << r.out;
  r = cli({"start", "terminal-host", "-d", "--", "--spawn-supervisor=never"});
  ASSERT_EQ(r.code, 0) << r.err;

  r = cli({"ps", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto sup = find_process(r.out, sup_id);
  auto host = find_process(r.out, host_id);
  ASSERT_FALSE(sup.empty()) << r.out;
  ASSERT_FALSE(host.empty()) << r.out;
  EXPECT_EQ(sup.at("state").as_string(), "running");
  EXPECT_EQ(host.at("state").as_string(), "running");
  r = cli({"ps"});
  EXPECT_TRUE(contains(r.out, host_id)) << r.out;

  r = cli({"describe", sup_id});
  ASSERT_EQ(r.code, 0) << r.err;
  const json::object d = json::parse(r.out).as_object();
  EXPECT_EQ(d.at("pid"), sup.at("pid"));
  EXPECT_EQ(d.at("state_dir").as_string(), dir.path() + "/state");
  EXPECT_EQ(d.at("log_file").as_string(), dir.path() + "/state/pty-supervisor.log");
  EXPECT_FALSE(d.at("command").as_array().empty());
  EXPECT_TRUE(d.contains("started_at"));

  r = cli({"logs", host_id, "-n", "5"});
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
  EXPECT_EQ(find_process(r.out, host_id).at("state").as_string(), "exited");
  r = cli({"status"});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.out, "terminal-host: not running")) << r.out;

  // Started again, then stopped the regular way.
  r = cli({"start", "terminal-host", "-d", "--", "--spawn-supervisor=never"});
  ASSERT_EQ(r.code, 0) << r.err;
  r = cli({"describe", host_id});
  ASSERT_EQ(r.code, 0) << r.err;
  const json::object d2 = json::parse(r.out).as_object();
  EXPECT_EQ(d2.at("state").as_string(), "running");
  EXPECT_EQ(d2.at("log_file").as_string(), dir.path() + "/state/terminal-host.log");
  r = cli({"logs", sup_id, "-n", "3"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "hello from pid")) << r.out;  // the new terminal-host's
  r = cli({"stop", host_id});
  ASSERT_EQ(r.code, 0) << r.err;
  r = cli({"ps", "--json"});
  EXPECT_EQ(find_process(r.out, host_id).at("state").as_string(), "exited");

  r = cli({"stop", sup_id});
  ASSERT_EQ(r.code, 0) << r.err;
  const int sup_pid = static_cast<int>(sup.at("pid").as_int64());
  EXPECT_TRUE(process_gone(sup_pid));
  r = cli({"ps", "--json"});
  EXPECT_EQ(find_process(r.out, sup_id).at("state").as_string(), "exited");

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
  auto r = run_cli({"--state-dir", dir.path() + "/state", "logs", "process/supervisor-fg"}, env);
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
  EXPECT_EQ(cli({"stop", process_id(dir, "terminal-host")}).code, 0);
  EXPECT_EQ(cli({"stop", process_id(dir, "supervisor")}).code, 0);
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
      {{"generate", "systemd", "process/terminal-host-default", "--socket-activation", "--unit",
        "service"},
       {"ptyctl-terminal-host-default.socket-activated.service"}},
      {{"generate", "systemd", "terminal-host", "--socket-activation", "--unit", "socket"},
       {"ptyctl-terminal-host-default.socket"}},
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
  // Printing writes nothing: no sidecar, no registry directory.
  EXPECT_FALSE(path_exists(home.path() + "/.local/share/ptyctl"));
  // Two units cannot go to one stdout: refused with a hint, nothing printed.
  const auto both = run_cli({"generate", "systemd", "terminal-host", "--socket-activation"}, env);
  EXPECT_EQ(both.code, 2);
  EXPECT_TRUE(both.out.empty()) << both.out;
  EXPECT_EQ(lines_of(both.err), 1) << both.err;
  EXPECT_TRUE(contains(both.err, "--output-dir")) << both.err;
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

// --- launchd property lists ------------------------------------------------------------

TEST(CliLaunchd, PlistsMatchTheGoldenFilesAndParseAsPropertyLists) {
  TempDir home;
  const std::map<std::string, std::string> env{{"HOME", home.path()},
                                               {"XDG_DATA_HOME", ""},
                                               {"PTYCTL_STATE_DIR", ""},
                                               {"SUPERSET_WORKSPACE_NAME", ""}};
  const auto placeholders = [&](std::string text) {
    text = with_placeholder(text);
    for (std::size_t at; (at = text.find(home.path())) != std::string::npos;)
      text.replace(at, home.path().size(), "@HOME@");
    return text;
  };
  struct Case {
    std::vector<std::string> args;
    std::string golden;
  };
  const std::vector<Case> cases = {
      {{"generate", "launchd", "process/supervisor-default"}, "io.ptyctl.supervisor-default.plist"},
      {{"generate", "launchd", "terminal-host"}, "io.ptyctl.terminal-host-default.plist"},
      {{"generate", "launchd", "process/terminal-host-default", "--socket-activation"},
       "io.ptyctl.terminal-host-default.socket-activated.plist"},
  };
  for (const auto& c : cases) {
    const auto first = run_cli(c.args, env);
    ASSERT_EQ(first.code, 0) << first.err;
    EXPECT_EQ(first.out, run_cli(c.args, env).out) << "two runs must print the same bytes";
    EXPECT_EQ(placeholders(first.out),
              read_file(std::string(PTYCTL_SOURCE_DIR) + "/tests/golden/" + c.golden));
    // What launchd reads, as Python's plistlib reads it.
    const std::string plist = home.path() + "/" + c.golden;
    { std::ofstream(plist) << first.out; }
    const std::string parsed = home.path() + "/parsed.json";
    const std::string cmd =
        "python3 -c 'import json, plistlib, sys; "
        "json.dump(plistlib.load(open(sys.argv[1], \"rb\")), "
        "open(sys.argv[2], \"w\"))' " +
        plist + " " + parsed + " 2> " + home.path() + "/parse.log";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << read_file(home.path() + "/parse.log");
    const json::object d = json::parse(read_file(parsed)).as_object();
    const bool host = c.golden.find("terminal-host") != std::string::npos;
    const std::string process = host ? "terminal-host-default" : "supervisor-default";
    EXPECT_EQ(d.at("Label").as_string(), "io.ptyctl." + process);
    const json::array& argv = d.at("ProgramArguments").as_array();
    EXPECT_EQ(argv.at(0).as_string(), bin_dir() + (host ? "/terminal-host" : "/pty-supervisor"));
    EXPECT_EQ(argv.at(1).as_string(), "--state-dir");
    EXPECT_EQ(argv.at(2).as_string(), home.path() + "/.superset");
    EXPECT_EQ(host, std::find(argv.begin(), argv.end(), json::value("--spawn-supervisor=never")) !=
                        argv.end());
    EXPECT_EQ(d.at("RunAtLoad"), json::value(true));
    // Restart policy as the systemd units': terminal-host always, the
    // supervisor on failure only.
    if (host)
      EXPECT_EQ(d.at("KeepAlive"), json::value(true));
    else
      EXPECT_EQ(d.at("KeepAlive"), json::parse(R"({"SuccessfulExit": false})"));
    const std::string log =
        home.path() + (host ? "/.superset/terminal-host.log" : "/.superset/pty-supervisor.log");
    EXPECT_EQ(d.at("StandardOutPath").as_string(), log);
    EXPECT_EQ(d.at("StandardErrorPath").as_string(), log);
    const json::object& environment = d.at("EnvironmentVariables").as_object();
    EXPECT_EQ(environment.at("XDG_DATA_HOME").as_string(), home.path() + "/.local/share");
    // No secret in it: the token is read from the state directory.
    for (const auto& [name, value] : environment)
      EXPECT_EQ(name.find("TOKEN"), std::string::npos) << name;
    if (c.args.back() == "--socket-activation") {
      const json::object& listener = d.at("Sockets").at("Listeners").as_object();
      EXPECT_EQ(listener.at("SockPathName").as_string(),
                home.path() + "/.superset/terminal-host.sock");
      EXPECT_EQ(listener.at("SockPathMode").as_int64(), 0600);
      EXPECT_EQ(listener.at("SockType").as_string(), "stream");
    } else {
      EXPECT_FALSE(d.contains("Sockets"));
    }
  }
  // Printing writes nothing: no sidecar, no registry directory.
  EXPECT_FALSE(path_exists(home.path() + "/.local/share/ptyctl"));
  // --output-dir writes <label>.plist, the same bytes.
  const std::string agents = home.path() + "/LaunchAgents";
  const auto written = run_cli({"generate", "launchd", "supervisor", "--output-dir", agents}, env);
  ASSERT_EQ(written.code, 0) << written.err;
  EXPECT_EQ(written.out, agents + "/io.ptyctl.supervisor-default.plist\n");
  EXPECT_EQ(placeholders(read_file(agents + "/io.ptyctl.supervisor-default.plist")),
            read_file(std::string(PTYCTL_SOURCE_DIR) +
                      "/tests/golden/io.ptyctl.supervisor-default.plist"));
  // systemd's --unit means nothing here: refused in one line.
  const auto unit = run_cli(
      {"generate", "launchd", "terminal-host", "--socket-activation", "--unit", "socket"}, env);
  EXPECT_EQ(unit.code, 2);
  EXPECT_EQ(lines_of(unit.err), 1) << unit.err;
  const auto other = run_cli({"generate", "upstart", "terminal-host"}, env);
  EXPECT_EQ(other.code, 2);
  EXPECT_TRUE(contains(other.err, "launchd")) << other.err;
}

TEST(CliLaunchd, LogsOfAProcessUnderLaunchdReadWhereThePlistSendsItsOutput) {
  TempDir dir;
  const std::string state = dir.path() + "/state";
  const std::map<std::string, std::string> env{{"XDG_DATA_HOME", dir.path() + "/data"}};
  Process sup(supervisor_binary(), {"--state-dir", state, "--name", "ld"}, env);
  ASSERT_TRUE(wait_until(
      [&] { return path_exists(dir.path() + "/data/ptyctl/processes/supervisor-ld.json"); }, 20s));
  ASSERT_EQ(
      run_cli({"--state-dir", state, "generate", "launchd", "process/supervisor-ld", "--sidecar"},
              env)
          .code,
      0);
  // launchd would have opened it as the server's stdout and stderr.
  { std::ofstream(state + "/pty-supervisor.log") << "first\nsecond\n"; }
  const auto r = run_cli({"--state-dir", state, "logs", "process/supervisor-ld", "-n", "1"}, env);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "second\n");
  const json::object described =
      json::parse(run_cli({"--state-dir", state, "describe", "process/supervisor-ld"}, env).out)
          .as_object();
  EXPECT_EQ(described.at("supervision").at("supervisor").as_string(), "launchd");
  EXPECT_EQ(described.at("supervision").at("unit").as_string(), "io.ptyctl.supervisor-ld");
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
