// ptyctl ps [--json]: the process registry.

#include "options.hpp"
#include "process_util.hpp"

#include <boost/json.hpp>

#include <cstdio>
#include <iostream>

namespace ptyctl::cli {

namespace json = boost::json;

int cmd_ps(const Globals&, const std::vector<std::string>& args) {
  VerbOptions verb{po::options_description("Options"),
                   {},
                   {},
                   "ptyctl ps [--json]",
                   "Lists every pty-supervisor and terminal-host that registered (running or "
                   "exited): id, pid, state, uptime, state directory."};
  verb.options.add_options()("json", "a JSON array of the entries");
  auto vm = parse(verb, args);
  if (!vm) return kOk;
  const auto entries = list_processes();
  if (vm->count("json")) {
    json::array a;
    for (const auto& e : entries)
      a.push_back(describe_json(e));
    std::cout << json::serialize(a) << "\n";
    return kOk;
  }
  std::printf("%-36s %8s %-8s %-8s %s\n", "ID", "PID", "STATE", "UPTIME", "STATE DIR");
  for (const auto& e : entries) {
    const std::string state = process_state(e);
    std::printf("%-36s %8d %-8s %-8s %s\n", e.id().c_str(), e.pid, state.c_str(),
                state == "running" ? uptime(e).c_str() : "-", e.state_dir.c_str());
  }
  return kOk;
}

}  // namespace ptyctl::cli
