// ptyctl describe process/...

#include "options.hpp"
#include "process_util.hpp"

#include <boost/json.hpp>

#include <iostream>

namespace ptyctl::cli {

namespace json = boost::json;

int cmd_describe(const Globals& globals, const std::vector<std::string>& args) {
  VerbOptions verb{po::options_description("Options"),
                   {},
                   po::options_description(),
                   "ptyctl describe process/supervisor-NAME|process/terminal-host-NAME",
                   "Prints the registry's entry (pid, state, command, log file, state "
                   "directory, socket, version, start time) as JSON, with the sidecar of a "
                   "generated unit when there is one."};
  std::string id;
  verb.hidden.add_options()("id", po::value(&id)->required());
  verb.positional.add("id", 1);
  auto vm = parse(verb, args);
  if (!vm) return kOk;
  const ProcessEntry e = require_process(globals, parse_process_id(globals, id));
  json::object o = describe_json(e);
  if (auto sidecar = read_sidecar(e.process)) o["supervision"] = json::value_from(*sidecar);
  std::cout << json::serialize(o) << "\n";
  return kOk;
}

}  // namespace ptyctl::cli
