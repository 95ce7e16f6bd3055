// ptyctl new [--id ID] [--cwd DIR] [--size COLSxROWS] [--env K=V]... [--json]
//            [-- CMD ARG...]: starts a session (detached) and prints its id.

#include "options.hpp"
#include "process_util.hpp"
#include "session_util.hpp"

#include <ptyctl/common/environment.hpp>
#include <ptyctl/proto/json_conv.hpp>
#include <ptyctl/proto/json_struct.hpp>

#include <boost/describe/class.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <random>

extern char** environ;

namespace ptyctl::cli {

namespace json = boost::json;

namespace {

// The caller's environment for the new session, as tmux's new sessions get
// theirs, minus what describes this process to systemd and any token.
std::map<std::string, std::string> caller_environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    const std::string_view kv(*e);
    const std::size_t eq = kv.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    const std::string name(kv.substr(0, eq));
    // PTYCTL_SESSION_ID is the supervisor's to set (ptyctl may run in a session).
    if (!passes_to_programs(name) || name == "PTYCTL_SESSION_ID") continue;
    env[name] = std::string(kv.substr(eq + 1));
  }
  return env;
}

std::string generated_id() {
  std::random_device rd;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id = "s-";
  for (int i = 0; i < 8; ++i)
    id += kHex[rd() % 16];
  return id;
}

}  // namespace

// What `ptyctl new --json` prints (libproto's mapper).
struct NewSession {
  std::string sessionId;
  std::int64_t pid = 0;
};
PTYCTL_PROTO_JSON(NewSession);
BOOST_DESCRIBE_STRUCT(NewSession, (), (sessionId, pid))
PTYCTL_PROTO_JSON_DEFINE(NewSession)

int cmd_new(const Globals& globals, const std::vector<std::string>& args) {
  VerbOptions verb{po::options_description("Options"),
                   {},
                   po::options_description(),
                   "ptyctl new [--id ID] [--cwd DIR] [--size COLSxROWS] [--env K=V]... [--json] "
                   "[-- CMD ARG...]",
                   "Starts a session running the shell, or CMD, and prints its id. One CMD "
                   "argument is a shell command line, run by $SHELL -c (ptyctl new -- 'make; "
                   "make test'); several are a program and its arguments, run as they are. "
                   "The session ends when CMD does. It gets this shell's environment (not "
                   "systemd's variables or any token), with --env added; with --host, that host's "
                   "environment, home directory and shell instead. It is not attached: "
                   "`ptyctl attach ID` shows it."};
  std::string id, cwd, size = "80x24";
  std::vector<std::string> env, command;
  verb.options.add_options()("id", po::value(&id), "session id (default: generated, s-xxxxxxxx)")(
      "cwd", po::value(&cwd), "working directory (default: the current one)")(
      "size", po::value(&size)->default_value("80x24"), "window size COLSxROWS")(
      "env", po::value(&env)->composing(), "K=V for the session's environment (repeatable)")(
      "json", "print {\"sessionId\", \"pid\"} as JSON");
  verb.hidden.add_options()("command", po::value(&command));
  verb.positional.add("command", -1);
  auto vm = parse(verb, args);
  if (!vm) return kOk;
  int cols = 80, rows = 24;
  if (!parse_size(size, cols, rows))
    throw CliError(kUsage, "--size must be COLSxROWS, e.g. 120x40");
  if (id.empty()) id = generated_id();
  check_session_id(id);
  // On another host (--host) this machine's environment, directory and shell
  // mean nothing: the session gets that host's (what terminal-host gives a
  // session of the app's), and --env, --cwd.
  const bool remote = globals.remote() != nullptr;
  std::map<std::string, std::string> environment;
  for (const auto& [k, v] : remote ? std::map<std::string, std::string>{} : caller_environment())
    environment[k] = v;
  for (const auto& kv : env) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) throw CliError(kUsage, "--env takes K=V, not " + kv);
    environment[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  if (cwd.empty() && !remote) {
    std::error_code ec;
    cwd = std::filesystem::current_path(ec).string();
  }
  const bool as_json = vm->count("json") > 0;
  return run_verb([&](asio::io_context& io) -> asio::awaitable<int> {
    HostLink link(io, globals);
    co_await link.open();
    const auto existing = co_await find_session(link, id);
    if (existing && existing->isAlive)
      throw CliError(kFailed, "session " + id + " already exists (ptyctl attach " + id + ")");
    auto p = attach_request(id, cols, rows);
    if (!cwd.empty()) p.cwd = cwd;
    if (!environment.empty()) p.env = environment;
    if (const char* shell = std::getenv("SHELL"); !remote && shell && *shell == '/')
      p.shell = shell;
    if (command.size() == 1) {
      p.command = command[0];  // a command line: the shell parses it
    } else if (!command.empty()) {
      // A program and its arguments: quoted, so the shell runs exactly them.
      std::string joined = "exec";
      for (const auto& a : command)
        joined += " " + shell_quote(a);
      p.command = joined;
    }
    const auto r = co_await link.call(p);
    const auto request = proto::client::DetachRequest{id};
    co_await link.call(request);
    const std::int64_t pid = r.pid;
    if (as_json)
      std::cout << json::serialize(json::value_from(NewSession{id, pid})) << "\n";
    else
      std::cout << id << "\n";
    co_return kOk;
  });
}

}  // namespace ptyctl::cli
