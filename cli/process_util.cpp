#include "process_util.hpp"

#include <ptyctl/common/launch.hpp>
#include <ptyctl/common/state_dir.hpp>
#include <ptyctl/proto/json_struct.hpp>
#include <ptyctl/proto/paths.hpp>

#include <boost/describe/class.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <thread>

namespace ptyctl::cli {

namespace json = boost::json;

std::string binary_of_kind(const std::string& kind) {
  return kind == "supervisor" ? "pty-supervisor" : "terminal-host";
}

void check_kind(const std::string& kind) {
  if (kind != "supervisor" && kind != "terminal-host")
    throw CliError(kUsage, "the process is supervisor or terminal-host, not \"" + kind + "\"");
}

std::string parse_process_id(const Globals& globals, const std::string& id) {
  if (id == "supervisor" || id == "terminal-host") return process_name(id, globals.instance);
  std::string p = id;
  if (p.rfind("process/", 0) == 0) p = p.substr(8);
  for (const std::string kind : {"supervisor-", "terminal-host-"})
    if (p.rfind(kind, 0) == 0 && valid_instance_name(p.substr(kind.size()))) return p;
  throw CliError(kUsage, "\"" + id +
                             "\" is not a process id (process/supervisor-NAME or "
                             "process/terminal-host-NAME; ptyctl ps lists them)");
}

ProcessEntry require_process(const Globals& globals, const std::string& process) {
  auto e = read_process(process);
  if (!e)
    throw CliError(kNoSuchProcess, "no process/" + process + " in the registry (" + registry_dir() +
                                       "; ptyctl ps lists them)");
  if (!same_state_dir(e->state_dir, globals.state_dir))
    throw CliError(kNoSuchProcess, e->id() + " belongs to the state directory " + e->state_dir +
                                       ", not " + globals.state_dir + " (use --state-dir " +
                                       e->state_dir + ")");
  return *e;
}

std::optional<ProcessEntry> own_process(const Globals& globals, const std::string& process) {
  auto e = read_process(process);
  if (!e || !same_state_dir(e->state_dir, globals.state_dir)) return std::nullopt;
  return e;
}

ControlLock::ControlLock(const Globals& globals, std::chrono::milliseconds timeout) {
  const std::string path = globals.state_dir + "/" + std::string(proto::kHostControlLock);
  try {
    prepare_state_dir(globals.state_dir);
    fd_ = open_private_file(path, O_RDWR | O_CREAT);
  } catch (const StateDirError& e) {
    throw CliError(kFailed, e.what());
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    if (std::chrono::steady_clock::now() >= deadline) {
      ::close(fd_);
      throw CliError(kFailed, "another ptyctl is stopping or starting terminal-host (" + path +
                                  " is held); try again");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // polling a deadline
  }
}

ControlLock::~ControlLock() {
  if (fd_ >= 0) ::close(fd_);
}

std::string process_state(const ProcessEntry& e) {
  return process_running(e) ? "running" : "exited";
}

std::string uptime(const ProcessEntry& e) {
  const std::int64_t s = (now_ms() - e.started_at_ms) / 1000;
  if (s >= 3600) return std::to_string(s / 3600) + "h" + std::to_string(s % 3600 / 60) + "m";
  if (s >= 60) return std::to_string(s / 60) + "m" + std::to_string(s % 60) + "s";
  return std::to_string(s) + "s";
}

json::object describe_json(const ProcessEntry& e) {
  // The registry's entry, and its state as of now.
  json::object o = json::value_from(e).as_object();
  o.erase("started_at_ms");
  o["state"] = process_state(e);
  return o;
}

BOOST_DESCRIBE_STRUCT(Sidecar, (), (id, supervisor, unit, generated_at, command))
PTYCTL_PROTO_JSON_DEFINE(Sidecar)

std::optional<Sidecar> read_sidecar(const std::string& process) {
  std::ifstream in(sidecar_path(process));
  if (!in) return std::nullopt;
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  boost::system::error_code ec;
  const json::value v = json::parse(text, ec);
  if (ec) return std::nullopt;
  try {
    return json::value_to<Sidecar>(v);
  } catch (const std::exception&) {
    return std::nullopt;  // not one of ours
  }
}

bool stop_process(const ProcessEntry& e, std::chrono::milliseconds grace) {
  if (!process_running(e)) return true;
  ::kill(e.pid, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!process_running(e)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling a deadline
  }
  ::kill(e.pid, SIGKILL);
  const auto hard = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < hard) {
    if (!process_running(e)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

void exec_command(const std::vector<std::string>& argv_strings) {
  std::vector<std::string> copy = argv_strings;
  std::vector<char*> argv;
  for (auto& a : copy)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  ::execvp(argv[0], argv.data());
}

int start_detached(const Globals& globals, const std::string& kind,
                   const std::vector<std::string>& args) {
  const std::string bin = sibling_binary(globals, binary_of_kind(kind));
  std::vector<std::string> argv{bin};
  argv.insert(argv.end(), args.begin(), args.end());
  const pid_t pid = launch_detached(argv);
  if (pid < 0) throw CliError(kFailed, "fork failed");
  int status = 0;
  ::waitpid(pid, &status, 0);  // with -d it returns once the server listens
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
  if (code != 0) return code;
  // The detached server registers itself just after: wait for its entry.
  std::string name = globals.instance;
  for (std::size_t i = 0; i + 1 < args.size(); ++i)
    if (args[i] == "--name") name = args[i + 1];
  const std::string process = process_name(kind, name);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (auto e = read_process(process); e && e->pid != pid && process_running(*e)) return 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // polling a deadline
  }
  return 0;
}

std::string shell_quote(const std::string& word) {
  std::string out = "'";
  for (char c : word) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

}  // namespace ptyctl::cli
