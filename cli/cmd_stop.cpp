// ptyctl stop process/... [--timeout SECONDS]

#include "options.hpp"
#include "process_util.hpp"

#include <iostream>

namespace ptyctl::cli {

int cmd_stop(const Globals&, const std::vector<std::string>& args) {
  VerbOptions verb{po::options_description("Options"),
                   {},
                   po::options_description(),
                   "ptyctl stop process/... [--timeout SECONDS]",
                   "Sends SIGTERM, then SIGKILL if it is still running after the timeout. "
                   "Stopping terminal-host leaves every session running; stopping the "
                   "supervisor ends its shells."};
  std::string id;
  double timeout = 10;
  verb.options.add_options()("timeout", po::value(&timeout)->default_value(10),
                             "seconds before SIGKILL");
  verb.hidden.add_options()("id", po::value(&id)->required());
  verb.positional.add("id", 1);
  auto vm = parse(verb, args);
  if (!vm) return kOk;
  const ProcessEntry e = require_process(parse_process_id(id));
  if (!process_running(e)) {
    std::cout << e.id() << " is not running\n";
    return kOk;
  }
  if (!stop_process(e, std::chrono::milliseconds(static_cast<long>(timeout * 1000))))
    throw CliError(kFailed, e.id() + " (pid " + std::to_string(e.pid) + ") did not stop");
  std::cout << e.id() << " stopped\n";
  return kOk;
}

}  // namespace ptyctl::cli
