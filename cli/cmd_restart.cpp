// ptyctl restart terminal-host [--name NAME]: the operator's upgrade step.

#include "options.hpp"
#include "process_util.hpp"

#include <iostream>

namespace ptyctl::cli {

int cmd_restart(const Globals& globals, const std::vector<std::string>& args) {
  VerbOptions verb{po::options_description("Options"),
                   {},
                   po::options_description(),
                   "ptyctl restart terminal-host [--name NAME] | process/terminal-host-NAME",
                   "Stops terminal-host (SIGTERM) and starts it again in the background with "
                   "the same arguments, e.g. after installing a new binary. Sessions keep "
                   "running, and clients (the app, ptyctl attach) reconnect and resume where "
                   "they were. (The supervisor is not restarted this way: that would end its "
                   "shells.)"};
  std::string kind, name = globals.instance;
  verb.options.add_options()("name", po::value(&name)->default_value(globals.instance),
                             "instance name (default: the state directory's)");
  verb.hidden.add_options()("kind", po::value(&kind)->required());
  verb.positional.add("kind", 1);
  auto vm = parse(verb, args);
  if (!vm) return kOk;
  if (kind != "terminal-host") {
    // process/terminal-host-NAME names it too.
    const std::string process = kind.find("supervisor") == std::string::npos
                                    ? parse_process_id(globals, kind)
                                    : std::string("supervisor");
    if (process.rfind("terminal-host-", 0) != 0)
      throw CliError(kUsage, "only terminal-host restarts without ending sessions");
    kind = "terminal-host";
    name = process.substr(kind.size() + 1);
  }
  // Held until the new one listens: an autostart waits instead of racing us.
  ControlLock lock(globals, std::chrono::seconds(30));
  std::vector<std::string> server_args{"--state-dir", globals.state_dir, "--name", name};
  if (auto e = read_process(process_name(kind, name)); e && process_running(*e)) {
    if (!same_state_dir(e->state_dir, globals.state_dir))
      throw CliError(kNoSuchProcess, e->id() + " belongs to the state directory " + e->state_dir +
                                         ", not " + globals.state_dir);
    // The same arguments as before, detached this time.
    server_args.assign(e->command.begin() + 1, e->command.end());
    // Gone (not just signalled) before the new one starts.
    if (!stop_process(*e, std::chrono::seconds(10)))
      throw CliError(kFailed, e->id() + " did not stop");
  }
  bool detached = false;
  for (const auto& a : server_args)
    detached = detached || a == "-d" || a == "--detach";
  if (!detached) server_args.push_back("--detach");
  const int status = start_detached(globals, kind, server_args);
  if (status != 0) throw CliError(kFailed, "terminal-host did not start again");
  if (auto e = own_process(globals, process_name(kind, name)))
    std::cout << e->id() << " restarted, pid " << e->pid << "\n";
  return kOk;
}

}  // namespace ptyctl::cli
