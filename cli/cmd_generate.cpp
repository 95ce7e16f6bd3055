// ptyctl generate systemd (process/KIND-NAME | KIND [--name NAME])
//                         [--socket-activation] [--output-dir DIR]

#include "options.hpp"
#include "process_util.hpp"
#include "systemd_units.hpp"

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>

namespace ptyctl::cli {

namespace json = boost::json;

int cmd_generate(const Globals& globals, const std::vector<std::string>& args) {
  VerbOptions verb{
      po::options_description("Options"),
      {},
      po::options_description(),
      "ptyctl generate systemd (process/supervisor-NAME | process/terminal-host-NAME | "
      "supervisor | terminal-host) [--name NAME] [--socket-activation] [--output-dir DIR]",
      "Prints a systemd user unit for the process (the same whether or not it runs), and "
      "writes the sidecar <process>.supervisor.json beside its registry entry. Nothing is "
      "installed or enabled: save it under ~/.config/systemd/user/, then systemctl --user "
      "daemon-reload and enable --now (docs/operations.md). --socket-activation also prints "
      "terminal-host's .socket unit."};
  std::string format, target, name = "default", output_dir;
  verb.options.add_options()("name", po::value(&name)->default_value("default"),
                             "instance name, with supervisor or terminal-host")(
      "socket-activation", "terminal-host: also a .socket unit (systemd holds the socket)")(
      "output-dir", po::value(&output_dir), "write the unit files there instead of printing");
  verb.hidden.add_options()("format", po::value(&format)->required())(
      "target", po::value(&target)->required());
  verb.positional.add("format", 1).add("target", 1);
  auto vm = parse(verb, args);
  if (!vm) return kOk;
  if (format != "systemd")
    throw CliError(kUsage, "only systemd units are generated (launchd: docs/operations.md)");
  std::string kind;
  if (target == "supervisor" || target == "terminal-host") {
    kind = target;
    if (!valid_instance_name(name)) throw CliError(kUsage, "--name must be 1 to 64 of a-z, 0-9, -");
  } else {
    const std::string process = parse_process_id(target);
    kind = process.rfind("supervisor-", 0) == 0 ? "supervisor" : "terminal-host";
    name = process.substr(kind.size() + 1);
  }
  const bool socket = vm->count("socket-activation") > 0;
  if (socket && kind != "terminal-host")
    throw CliError(kUsage, "--socket-activation is for terminal-host");

  UnitInputs in;
  in.kind = kind;
  in.name = name;
  in.binary = std::filesystem::absolute(sibling_binary(globals, binary_of_kind(kind))).string();
  in.state_dir = std::filesystem::absolute(globals.state_dir).string();
  const std::string reg = registry_dir();  // <data home>/ptyctl/processes
  in.data_home = std::filesystem::path(reg).parent_path().parent_path().string();
  const char* home = std::getenv("HOME");
  in.home = home ? home : "";
  in.socket_activation = socket;

  const std::string unit = service_unit_name(kind, name);
  const std::string service = service_unit(in);
  const std::string socket_text = socket ? socket_unit(in) : "";
  if (!output_dir.empty()) {
    std::filesystem::create_directories(output_dir);
    std::ofstream(output_dir + "/" + unit) << service;
    if (socket) std::ofstream(output_dir + "/" + socket_unit_name(name)) << socket_text;
    std::cout << output_dir << "/" << unit << "\n";
    if (socket) std::cout << output_dir << "/" << socket_unit_name(name) << "\n";
  } else {
    std::cout << service;
    if (socket) std::cout << "\n" << socket_text;
  }

  // The sidecar: how this process is supervised, for ptyctl describe/logs.
  const std::string process = process_name(kind, name);
  std::error_code ec;
  std::filesystem::create_directories(registry_dir(), ec);
  const json::object sidecar{{"id", "process/" + process},
                             {"supervisor", "systemd-user"},
                             {"unit", unit},
                             {"generated_at", iso8601_utc(now_ms())},
                             {"command", json::value_from(server_command(in))}};
  std::ofstream(sidecar_path(process)) << json::serialize(sidecar) << "\n";
  return kOk;
}

}  // namespace ptyctl::cli
