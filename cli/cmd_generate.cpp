// ptyctl generate systemd|launchd (process/KIND-NAME | KIND [--name NAME])
//                                 [--socket-activation] [--output-dir DIR]

#include "launchd_plist.hpp"
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
      "ptyctl generate systemd|launchd (process/supervisor-NAME | process/terminal-host-NAME | "
      "supervisor | terminal-host) [--name NAME] [--socket-activation [--unit service|socket]] "
      "[--output-dir DIR] [--sidecar]",
      "Prints one systemd user unit, or one launchd property list (macOS), for the process "
      "(the same whether or not it runs). Nothing is installed or enabled: save a unit under "
      "~/.config/systemd/user/, then systemctl --user daemon-reload and enable --now; a plist "
      "under ~/Library/LaunchAgents/, then launchctl bootstrap gui/$(id -u) PLIST "
      "(docs/operations.md). --socket-activation: systemd or launchd holds terminal-host's "
      "socket; for systemd that is two units (.service and .socket): write both with "
      "--output-dir, or print one with --unit. Printing writes no file; --output-dir (or "
      "--sidecar) also writes the sidecar <process>.supervisor.json beside the registry "
      "entry, which ptyctl describe and logs read."};
  std::string format, target, name = globals.instance, output_dir, which;
  verb.options.add_options()("name", po::value(&name)->default_value(globals.instance),
                             "instance name, with supervisor or terminal-host (default: the "
                             "state directory's)")(
      "socket-activation", "terminal-host: also a .socket unit (systemd holds the socket)")(
      "unit", po::value(&which),
      "with --socket-activation and no --output-dir: print the "
      "service or the socket unit")("output-dir", po::value(&output_dir),
                                    "write the unit files there instead of printing")(
      "sidecar", "write the sidecar even when only printing");
  verb.hidden.add_options()("format", po::value(&format)->required())(
      "target", po::value(&target)->required());
  verb.positional.add("format", 1).add("target", 1);
  auto vm = parse(verb, args);
  if (!vm) return kOk;
  if (format != "systemd" && format != "launchd")
    throw CliError(
        kUsage, "generate makes systemd units or launchd property lists, not \"" + format + "\"");
  const bool launchd = format == "launchd";
  std::string kind;
  if (target == "supervisor" || target == "terminal-host") {
    kind = target;
    if (!valid_instance_name(name)) throw CliError(kUsage, "--name must be 1 to 64 of a-z, 0-9, -");
  } else {
    const std::string process = parse_process_id(globals, target);
    kind = process.rfind("supervisor-", 0) == 0 ? "supervisor" : "terminal-host";
    name = process.substr(kind.size() + 1);
  }
  const bool socket = vm->count("socket-activation") > 0;
  if (socket && kind != "terminal-host")
    throw CliError(kUsage, "--socket-activation is for terminal-host");
  if (launchd && !which.empty())
    throw CliError(kUsage, "--unit is for systemd: launchd's socket is in the one plist");
  if (!which.empty() && (!socket || (which != "service" && which != "socket")))
    throw CliError(kUsage, "--unit is service or socket, with --socket-activation");
  if (!launchd && socket && output_dir.empty() && which.empty())
    throw CliError(kUsage,
                   "--socket-activation makes two units: write both with --output-dir "
                   "~/.config/systemd/user, or print one with --unit service or --unit socket");

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

  const std::string unit = launchd ? launchd_label(kind, name) : service_unit_name(kind, name);
  if (launchd && !output_dir.empty()) {
    std::filesystem::create_directories(output_dir);
    std::ofstream(output_dir + "/" + unit + ".plist") << launchd_plist(in);
    std::cout << output_dir << "/" << unit << ".plist\n";
  } else if (launchd) {
    std::cout << launchd_plist(in);
  } else if (!output_dir.empty()) {
    std::filesystem::create_directories(output_dir);
    std::ofstream(output_dir + "/" + unit) << service_unit(in);
    if (socket) std::ofstream(output_dir + "/" + socket_unit_name(name)) << socket_unit(in);
    std::cout << output_dir << "/" << unit << "\n";
    if (socket) std::cout << output_dir << "/" << socket_unit_name(name) << "\n";
  } else {
    std::cout << (which == "socket" ? socket_unit(in) : service_unit(in));
  }
  if (output_dir.empty() && !vm->count("sidecar")) return kOk;

  // The sidecar: how this process is supervised, for ptyctl describe/logs.
  const std::string process = process_name(kind, name);
  std::error_code ec;
  std::filesystem::create_directories(registry_dir(), ec);
  const Sidecar sidecar{"process/" + process, launchd ? "launchd" : "systemd-user", unit,
                        iso8601_utc(now_ms()), server_command(in)};
  std::ofstream(sidecar_path(process)) << json::serialize(json::value_from(sidecar)) << "\n";
  return kOk;
}

}  // namespace ptyctl::cli
