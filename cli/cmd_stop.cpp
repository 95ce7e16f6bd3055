// ptyctl stop process/... [--timeout SECONDS]

#include "options.hpp"
#include "process_util.hpp"

#include <iostream>

namespace ptyctl::cli {

int cmd_stop(const Globals& globals, const std::vector<std::string>& args) {
  VerbOptions verb{po::options_description("Options"),
                   {},
                   po::options_description(),
                   "ptyctl stop process/...|supervisor|terminal-host [--timeout SECONDS]",
                   "Sends SIGTERM, then SIGKILL if it is still running after the timeout, and "
                   "returns once it is gone. Only processes of the current state directory. "
                   "Stopping terminal-host leaves every session running (an attached ptyctl "
                   "attach waits for one to come back; nothing starts one behind your back); "
                   "stopping the supervisor ends its shells."};
  std::string id;
  double timeout = 10;
  verb.options.add_options()("timeout", po::value(&timeout)->default_value(10),
                             "seconds before SIGKILL");
  verb.hidden.add_options()("id", po::value(&id)->required());
  verb.positional.add("id", 1);
  auto vm = parse(verb, args);
  if (!vm) return kOk;
  const ProcessEntry e = require_process(globals, parse_process_id(globals, id));
  if (!process_running(e)) {
    std::cout << e.id() << " is not running\n";
    return kOk;
  }
  // No autostart (a new `ptyctl ls`, say) slips in while it is stopping.
  std::optional<ControlLock> lock;
  if (e.kind == "terminal-host") lock.emplace(globals, std::chrono::seconds(30));
  if (!stop_process(e, std::chrono::milliseconds(static_cast<long>(timeout * 1000))))
    throw CliError(kFailed, e.id() + " (pid " + std::to_string(e.pid) + ") did not stop");
  std::cout << e.id() << " stopped\n";
  return kOk;
}

}  // namespace ptyctl::cli
