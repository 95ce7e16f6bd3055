// ptyctl status [--json]: both processes of the state directory.

#include "host_link.hpp"
#include "options.hpp"
#include "process_util.hpp"

#include <ptyctl/common/process.hpp>
#include <ptyctl/proto/json_conv.hpp>
#include <ptyctl/proto/json_struct.hpp>
#include <ptyctl/proto/paths.hpp>

#include <boost/describe/class.hpp>

#include <boost/json.hpp>

#include <iostream>
#include <map>

namespace ptyctl::cli {

namespace json = boost::json;

// What `ptyctl status --json` prints of each process (libproto's mapper).
struct ServerStatus {
  std::string socket;
  bool running = false;
  std::optional<int> pid;  // when running and its pid file says
  std::optional<std::string> version, uptime, id;
};
PTYCTL_PROTO_JSON(ServerStatus);
BOOST_DESCRIBE_STRUCT(ServerStatus, (), (socket, running, pid, version, uptime, id))
PTYCTL_PROTO_JSON_DEFINE(ServerStatus)

int cmd_status(const Globals& globals, const std::vector<std::string>& args) {
  VerbOptions verb{po::options_description("Options"),
                   {},
                   {},
                   "ptyctl status [--json]",
                   "Says whether pty-supervisor and terminal-host serve the state directory: "
                   "pid, version, uptime, socket, number of sessions; or what is not running. "
                   "Exit 0 when both run, 1 otherwise. Starts nothing."};
  verb.options.add_options()("json", "print a JSON object");
  auto vm = parse(verb, args);
  if (!vm) return kOk;
  const std::vector<std::string> kinds{"supervisor", "terminal-host"};
  std::map<std::string, ServerStatus> status;
  bool all_up = true;
  for (const std::string& kind : kinds) {
    const std::string sock =
        globals.state_dir + "/" +
        std::string(kind == "supervisor" ? proto::kSupervisorSocket : proto::kHostSocket);
    const std::string pid_file =
        globals.state_dir + "/" +
        std::string(kind == "supervisor" ? proto::kSupervisorPidFile : proto::kHostPidFile);
    ServerStatus o{sock,         socket_answers(sock), std::nullopt,
                   std::nullopt, std::nullopt,         std::nullopt};
    if (o.running) {
      const std::string pid = read_pid_file(pid_file);
      if (pid != "unknown") o.pid = std::stoi(pid);
      for (const auto& e : list_processes()) {
        // Only this state dir's entries (the registry holds every state dir's).
        if (e.kind == kind && std::to_string(e.pid) == pid && process_running(e) &&
            same_state_dir(e.state_dir, globals.state_dir)) {
          o.version = e.version;
          o.uptime = uptime(e);
          o.id = e.id();
        }
      }
    }
    all_up = all_up && o.running;
    status[kind] = std::move(o);
  }
  std::optional<std::size_t> sessions;
  if (status["terminal-host"].running) {
    Globals quiet = globals;
    quiet.autostart = false;
    try {
      run_verb([&](asio::io_context& io) -> asio::awaitable<int> {
        HostLink link(io, quiet);
        co_await link.open();
        const auto request = proto::client::ListSessionsRequest{};
        const auto list = co_await link.call(request);
        sessions = list.sessions.size();
        co_return kOk;
      });
    } catch (const CliError&) {
    }
  }
  if (vm->count("json")) {
    // {"supervisor": {...}, "terminal-host": {...}, "sessions": N}
    json::object out;
    for (const auto& kind : kinds)
      out[kind] = json::value_from(status[kind]);
    if (sessions) out["sessions"] = *sessions;
    std::cout << json::serialize(out) << "\n";
  } else {
    for (const auto& kind : kinds) {
      const ServerStatus& o = status[kind];
      if (!o.running) {
        std::cout << kind << ": not running (" << o.socket << ")\n";
        continue;
      }
      std::cout << kind << ": running, pid " << (o.pid ? std::to_string(*o.pid) : "unknown");
      if (o.version) std::cout << ", version " << *o.version;
      if (o.uptime) std::cout << ", up " << *o.uptime;
      std::cout << ", " << o.socket << "\n";
    }
    if (sessions) std::cout << "sessions: " << *sessions << "\n";
  }
  return all_up ? kOk : kFailed;
}

}  // namespace ptyctl::cli
