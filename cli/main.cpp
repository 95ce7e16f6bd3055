// ptyctl: sessions from a shell and from scripts, the two processes in the
// foreground or background, systemd units. A thin client: sessions go through
// terminal-host (the app's protocol), processes through the registry.
// One file per verb (cmd_*.cpp) behind the table below.

#include "cli.hpp"

#include <ptyctl/common/registry.hpp>
#include <ptyctl/proto/paths.hpp>
#include <ptyctl/proto/version.hpp>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>

namespace ptyctl::cli {

const std::vector<Verb>& verbs() {
  static const std::vector<Verb> table = {
      {"ls", "list sessions", cmd_ls},
      {"new", "start a session and print its id", cmd_new},
      {"attach", "attach this terminal to a session (detach: Ctrl-\\)", cmd_attach},
      {"send", "type text or raw bytes into a session", cmd_send},
      {"snapshot", "print a session's screen (text, ansi or json)", cmd_snapshot},
      {"wait", "wait for text on a session's screen, or for its exit", cmd_wait},
      {"kill", "end a session, or all of them", cmd_kill},
      {"restore", "bring back a session the last pty-supervisor did not outlive", cmd_restore},
      {"status", "whether pty-supervisor and terminal-host run", cmd_status},
      {"start", "run pty-supervisor or terminal-host (foreground, or -d)", cmd_start},
      {"ps", "list the processes in the registry", cmd_ps},
      {"describe", "everything the registry knows of a process", cmd_describe},
      {"logs", "print (or follow) a process's log file", cmd_logs},
      {"stop", "stop a process (SIGTERM, then SIGKILL)", cmd_stop},
      {"restart", "restart terminal-host; sessions and attached clients go on", cmd_restart},
      {"upgrade", "have pty-supervisor exec a new binary in place; every shell goes on",
       cmd_upgrade},
      {"generate", "print a systemd user unit or a launchd plist for a process", cmd_generate},
      {"bridge", "carry wire 2 over stdin/stdout (what ptyctl --host runs over ssh)", cmd_bridge},
  };
  return table;
}

std::string sibling_binary(const Globals& globals, const std::string& name) {
  std::error_code ec;
  const auto beside = std::filesystem::path(globals.binary_dir) / name;
  if (!globals.binary_dir.empty() && std::filesystem::exists(beside, ec)) return beside.string();
  return name;
}

RemoteHost parse_remote_host(const std::string& spec) {
  RemoteHost h;
  h.spec = spec;
  // [user@]HOST[:STATE_DIR]; an IPv6 address in brackets.
  const std::size_t at = spec.find('@');
  const std::size_t host_start = at == std::string::npos ? 0 : at + 1;
  std::size_t colon = std::string::npos;
  if (host_start < spec.size() && spec[host_start] == '[') {
    const std::size_t close = spec.find(']', host_start);
    if (close == std::string::npos) throw CliError(kUsage, "--host " + spec + ": no ] after [");
    h.destination =
        spec.substr(0, host_start) + spec.substr(host_start + 1, close - host_start - 1);
    colon = close + 1 < spec.size() && spec[close + 1] == ':' ? close + 1 : std::string::npos;
    if (close + 1 < spec.size() && colon == std::string::npos)
      throw CliError(kUsage, "--host " + spec + ": only :STATE_DIR may follow ]");
  } else {
    colon = spec.find(':', host_start);
    h.destination = spec.substr(0, colon);
  }
  if (colon != std::string::npos) h.state_dir = spec.substr(colon + 1);
  if (h.destination.size() <= host_start || h.destination.front() == '-')
    throw CliError(kUsage, "--host wants [user@]HOST[:STATE_DIR], not \"" + spec + "\"");
  return h;
}

namespace {

// The verbs that reach sessions, and so may go to another host.
bool takes_host(const std::string& verb) {
  for (const char* v : {"ls", "new", "attach", "send", "snapshot", "wait", "kill", "restore"})
    if (verb == v) return true;
  return false;
}

std::vector<std::string> split_words(const std::string& s) {
  std::vector<std::string> words;
  std::string word;
  for (char c : s) {
    if (c == ' ' || c == '\t') {
      if (!word.empty()) words.push_back(std::move(word));
      word.clear();
    } else {
      word += c;
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

void usage(std::ostream& out) {
  out << "Usage: ptyctl [--state-dir DIR] [--no-start] [--host [USER@]HOST[:STATE_DIR]]\n"
         "              [--ssh-option OPTION]... VERB [ARGS...]\n\n"
         "Terminal sessions that outlive the programs that show them.\n\n"
         "Verbs:\n";
  for (const auto& v : verbs()) {
    std::string name = v.name;
    name.resize(10, ' ');
    out << "  " << name << v.summary << "\n";
  }
  out << "\nGlobal options:\n"
         "  --state-dir DIR  state directory (default: $PTYCTL_STATE_DIR, else ~/.superset)\n"
         "  --no-start       do not start terminal-host when none answers\n"
         "  --host HOST      the session verbs (ls, new, attach, send, snapshot, wait, kill,\n"
         "                   restore) go to HOST's terminal-host over ssh (default:\n"
         "                   $PTYCTL_HOST); ls takes it more than once\n"
         "  --ssh-option OPT passed to ssh as -o OPT (also $PTYCTL_SSH: the ssh command\n"
         "                   and its options, default \"ssh\"); $PTYCTL_REMOTE_PTYCTL names\n"
         "                   ptyctl on the other host (default: ptyctl on its PATH)\n"
         "  --version        print the version\n"
         "  -h, --help       this help; `ptyctl VERB --help` for a verb's options\n\n"
         "Exit codes: 0 ok; 1 failed (or `wait` timed out); 2 usage error; 3 terminal-host\n"
         "not reachable; 4 no such session; 5 no such process in the registry.\n";
}

}  // namespace
}  // namespace ptyctl::cli

int main(int argc, char** argv) {
  using namespace ptyctl::cli;
  std::signal(SIGPIPE, SIG_IGN);
  Globals globals;
  std::string state_dir;
  std::vector<std::string> hosts;
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) globals.binary_dir = self.parent_path().string();
  int i = 1;
  for (; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--state-dir" && i + 1 < argc) {
      state_dir = argv[++i];
    } else if (a.rfind("--state-dir=", 0) == 0) {
      state_dir = a.substr(12);
    } else if (a == "--no-start") {
      globals.autostart = false;
    } else if ((a == "--host" || a == "--ssh-option") && i + 1 < argc) {
      (a == "--host" ? hosts : globals.ssh_options).push_back(argv[++i]);
    } else if (a.rfind("--host=", 0) == 0) {
      hosts.push_back(a.substr(7));
    } else if (a.rfind("--ssh-option=", 0) == 0) {
      globals.ssh_options.push_back(a.substr(13));
    } else if (a == "--version") {
      std::cout << "ptyctl " << ptyctl::proto::kPtyctlVersion << "\n";
      return 0;
    } else if (a == "-h" || a == "--help" || a == "help") {
      usage(std::cout);
      return 0;
    } else if (!a.empty() && a[0] == '-') {
      std::cerr << "ptyctl: unknown option " << a << " (ptyctl --help lists them)\n";
      return kUsage;
    } else {
      break;
    }
  }
  if (i >= argc) {
    usage(std::cerr);
    return kUsage;
  }
  globals.state_dir = ptyctl::proto::resolve_state_dir(state_dir);
  globals.instance = ptyctl::default_instance_name(globals.state_dir);
  const std::string verb = argv[i];
  std::vector<std::string> args(argv + i + 1, argv + argc);
  for (const auto& v : verbs()) {
    if (verb != v.name) continue;
    try {
      if (hosts.empty())
        if (const char* h = std::getenv("PTYCTL_HOST"); h && *h && takes_host(verb))
          hosts.emplace_back(h);
      if (!hosts.empty() && !takes_host(verb))
        throw CliError(kUsage,
                       "--host is for the session verbs (ls, new, attach, send, "
                       "snapshot, wait, kill, restore): run " +
                           verb + " on that host");
      if (hosts.size() > 1 && verb != "ls")
        throw CliError(kUsage, "only ls takes --host more than once");
      for (const auto& h : hosts)
        globals.hosts.push_back(parse_remote_host(h));
      const char* ssh = std::getenv("PTYCTL_SSH");
      globals.ssh_command = split_words(ssh ? ssh : "");
      if (globals.ssh_command.empty()) globals.ssh_command = {"ssh"};
      if (const char* r = std::getenv("PTYCTL_REMOTE_PTYCTL"); r && *r) globals.remote_ptyctl = r;
      return v.run(globals, args);
    } catch (const CliError& e) {
      std::cerr << "ptyctl " << verb << ": " << e.what() << "\n";
      return e.exit_code;
    } catch (const std::exception& e) {
      std::cerr << "ptyctl " << verb << ": " << e.what() << "\n";
      return kFailed;
    }
  }
  std::cerr << "ptyctl: unknown verb \"" << verb << "\" (ptyctl --help lists them)\n";
  return kUsage;
}
