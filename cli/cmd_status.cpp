// ptyctl status [--json]: both processes of the state directory.

#include "host_link.hpp"
#include "options.hpp"
#include "process_util.hpp"

#include <ptyctl/common/process.hpp>
#include <ptyctl/proto/paths.hpp>

#include <boost/json.hpp>

#include <iostream>

namespace ptyctl::cli {

namespace json = boost::json;

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
  json::object out;
  bool all_up = true;
  for (const std::string kind : {"supervisor", "terminal-host"}) {
    const std::string sock =
        globals.state_dir + "/" +
        std::string(kind == "supervisor" ? proto::kSupervisorSocket : proto::kHostSocket);
    const std::string pid_file =
        globals.state_dir + "/" +
        std::string(kind == "supervisor" ? proto::kSupervisorPidFile : proto::kHostPidFile);
    json::object o{{"socket", sock}, {"running", socket_answers(sock)}};
    if (o["running"].as_bool()) {
      const std::string pid = read_pid_file(pid_file);
      o["pid"] = pid == "unknown" ? json::value(nullptr) : json::value(std::stoll(pid));
      for (const auto& e : list_processes()) {
        // Only this state dir's entries (the registry holds every state dir's).
        if (e.kind == kind && std::to_string(e.pid) == pid && process_running(e) &&
            same_state_dir(e.state_dir, globals.state_dir)) {
          o["version"] = e.version;
          o["uptime"] = uptime(e);
          o["id"] = e.id();
        }
      }
    }
    all_up = all_up && o["running"].as_bool();
    out[kind] = std::move(o);
  }
  if (out["terminal-host"].at("running").as_bool()) {
    Globals quiet = globals;
    quiet.autostart = false;
    try {
      run_verb([&](asio::io_context& io) -> asio::awaitable<int> {
        HostLink link(io, quiet);
        co_await link.open();
        const auto request = proto::client::ListSessionsRequest{};
        const auto list = co_await link.call(request);
        out["sessions"] = list.sessions.size();
        co_return kOk;
      });
    } catch (const CliError&) {
    }
  }
  if (vm->count("json")) {
    std::cout << json::serialize(out) << "\n";
  } else {
    for (const std::string kind : {"supervisor", "terminal-host"}) {
      const json::object& o = out[kind].as_object();
      if (!o.at("running").as_bool()) {
        std::cout << kind << ": not running (" << o.at("socket").as_string() << ")\n";
        continue;
      }
      std::cout << kind << ": running, pid " << json::serialize(o.at("pid"));
      if (o.contains("version")) std::cout << ", version " << o.at("version").as_string().c_str();
      if (o.contains("uptime")) std::cout << ", up " << o.at("uptime").as_string().c_str();
      std::cout << ", " << o.at("socket").as_string().c_str() << "\n";
    }
    if (out.contains("sessions"))
      std::cout << "sessions: " << json::serialize(out["sessions"]) << "\n";
  }
  return all_up ? kOk : kFailed;
}

}  // namespace ptyctl::cli
