// ptyctl logs process/... [-f] [-n N]

#include "options.hpp"
#include "process_util.hpp"

#include <ptyctl/proto/paths.hpp>

#include <boost/json.hpp>

#include <deque>
#include <fstream>
#include <iostream>
#include <optional>
#include <thread>

namespace ptyctl::cli {

namespace json = boost::json;

int cmd_logs(const Globals& globals, const std::vector<std::string>& args) {
  VerbOptions verb{po::options_description("Options"),
                   {},
                   po::options_description(),
                   "ptyctl logs process/... [-f] [-n N]",
                   "Prints the last N lines of the process's log file (only for a process "
                   "that writes its own: started with -d, or by terminal-host); -f keeps "
                   "printing what is appended. For one without, says where its logs are."};
  std::string id;
  int lines = 50;
  verb.options.add_options()("follow,f", "keep printing new lines (Ctrl-C stops)")(
      "lines,n", po::value(&lines)->default_value(50), "how many of the last lines");
  verb.hidden.add_options()("id", po::value(&id)->required());
  verb.positional.add("id", 1);
  auto vm = parse(verb, args);
  if (!vm) return kOk;
  const ProcessEntry e = require_process(globals, parse_process_id(globals, id));
  const auto sidecar = read_sidecar(e.process);
  std::optional<std::string> log_file = e.log_file;
  // Under launchd its standard output and error go to the log's usual place
  // in the state directory (the generated plist says so).
  if (!log_file && sidecar && sidecar->supervisor == "launchd")
    log_file = e.state_dir + "/" +
               std::string(e.kind == "terminal-host" ? proto::kHostLog : proto::kSupervisorLog);
  if (!log_file) {
    std::string unit;
    if (sidecar) unit = sidecar->unit;
    if (!unit.empty())
      std::cout << e.id() << " has no log file of its own; under systemd: journalctl --user-unit "
                << unit << "\n";
    else
      std::cout << e.id()
                << " has no log file of its own: it logs to the standard error of whatever "
                   "started it (a terminal, or journalctl --user-unit ptyctl-"
                << e.process << ".service under systemd)\n";
    return kOk;
  }
  std::ifstream in(*log_file);
  if (!in) throw CliError(kFailed, "cannot read " + *log_file);
  std::deque<std::string> tail;
  std::string line;
  while (std::getline(in, line)) {
    tail.push_back(line);
    if (static_cast<int>(tail.size()) > lines) tail.pop_front();
  }
  for (const auto& l : tail)
    std::cout << l << "\n";
  std::cout.flush();
  if (!vm->count("follow")) return kOk;
  in.clear();
  for (;;) {
    while (std::getline(in, line))
      std::cout << line << "\n" << std::flush;
    in.clear();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // like tail -f
  }
}

}  // namespace ptyctl::cli
