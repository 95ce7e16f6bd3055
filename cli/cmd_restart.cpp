// ptyctl restart terminal-host [--name NAME]: the operator's upgrade step.

#include "options.hpp"
#include "process_util.hpp"

#include <iostream>

namespace ptyctl::cli {

int cmd_restart(const Globals& globals, const std::vector<std::string>& args) {
  VerbOptions verb{po::options_description("Options"),
                   {},
                   po::options_description(),
                   "ptyctl restart terminal-host [--name NAME]",
                   "Stops terminal-host (SIGTERM) and starts it again in the background with "
                   "the same arguments, e.g. after installing a new binary. Sessions keep "
                   "running, and clients (the app, ptyctl attach) reconnect and resume where "
                   "they were. (The supervisor is not restarted this way: that would end its "
                   "shells.)"};
  std::string kind, name = "default";
  verb.options.add_options()("name", po::value(&name)->default_value("default"), "instance name");
  verb.hidden.add_options()("kind", po::value(&kind)->required());
  verb.positional.add("kind", 1);
  auto vm = parse(verb, args);
  if (!vm) return kOk;
  if (kind != "terminal-host")
    throw CliError(kUsage, "only terminal-host restarts without ending sessions");
  std::vector<std::string> server_args{"--state-dir", globals.state_dir, "--name", name};
  if (auto e = read_process(process_name(kind, name)); e && process_running(*e)) {
    // The same arguments as before, detached this time.
    server_args.assign(e->command.begin() + 1, e->command.end());
    if (!stop_process(*e, std::chrono::seconds(10)))
      throw CliError(kFailed, e->id() + " did not stop");
  }
  bool detached = false;
  for (const auto& a : server_args)
    detached = detached || a == "-d" || a == "--detach";
  if (!detached) server_args.push_back("--detach");
  const int status = start_detached(globals, kind, server_args);
  if (status != 0) throw CliError(kFailed, "terminal-host did not start again");
  if (auto e = read_process(process_name(kind, name)))
    std::cout << e->id() << " restarted, pid " << e->pid << "\n";
  return kOk;
}

}  // namespace ptyctl::cli
