// ptyctl ps [--json]: the process registry.

#include "options.hpp"
#include "process_util.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cstdio>
#include <iostream>

namespace ptyctl::cli {

namespace json = boost::json;

int cmd_ps(const Globals& globals, const std::vector<std::string>& args) {
  VerbOptions verb{po::options_description("Options"),
                   {},
                   {},
                   "ptyctl ps [--all] [--json]",
                   "Lists the pty-supervisor and terminal-host processes that registered for "
                   "the current state directory (running or exited): id, pid, state, uptime, "
                   "state directory. --all lists those of every state directory, the current "
                   "one's marked with *. Other verbs act only on the current state directory's."};
  verb.options.add_options()("all,a", "every state directory's processes")(
      "json", "a JSON array of the entries (each with \"current\": true/false)");
  auto vm = parse(verb, args);
  if (!vm) return kOk;
  const bool all = vm->count("all") > 0;
  std::vector<ProcessEntry> entries;
  for (auto& e : list_processes())
    if (all || same_state_dir(e.state_dir, globals.state_dir)) entries.push_back(std::move(e));
  // The current state dir's first, then by id.
  std::stable_sort(entries.begin(), entries.end(),
                   [&](const ProcessEntry& a, const ProcessEntry& b) {
                     return same_state_dir(a.state_dir, globals.state_dir) &&
                            !same_state_dir(b.state_dir, globals.state_dir);
                   });
  if (vm->count("json")) {
    json::array a;
    for (const auto& e : entries) {
      json::object o = describe_json(e);
      o["current"] = same_state_dir(e.state_dir, globals.state_dir);
      a.push_back(std::move(o));
    }
    std::cout << json::serialize(a) << "\n";
    return kOk;
  }
  std::printf("%s%-36s %8s %-8s %-8s %s\n", all ? "  " : "", "ID", "PID", "STATE", "UPTIME",
              "STATE DIR");
  for (const auto& e : entries) {
    const std::string state = process_state(e);
    const char* mark = !all ? "" : same_state_dir(e.state_dir, globals.state_dir) ? "* " : "  ";
    std::printf("%s%-36s %8d %-8s %-8s %s\n", mark, e.id().c_str(), e.pid, state.c_str(),
                state == "running" ? uptime(e).c_str() : "-", e.state_dir.c_str());
  }
  return kOk;
}

}  // namespace ptyctl::cli
