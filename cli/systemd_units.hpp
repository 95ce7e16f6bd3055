#pragma once
// The text of the systemd user units `ptyctl generate systemd` prints. Pure
// functions of their inputs: the output is byte-identical run to run, with no
// timestamp and no literal home directory (paths under it become %h).

#include <string>
#include <vector>

namespace ptyctl::cli {

struct UnitInputs {
  std::string kind;       // "supervisor" or "terminal-host"
  std::string name;       // instance, "default"
  std::string binary;     // absolute path of pty-supervisor / terminal-host
  std::string state_dir;  // absolute
  std::string data_home;  // $XDG_DATA_HOME (absolute)
  std::string home;       // $HOME, replaced by %h
  bool socket_activation = false;
};

// "ptyctl-supervisor-default.service" and friends.
std::string service_unit_name(const std::string& kind, const std::string& name);
std::string socket_unit_name(const std::string& name);

std::string service_unit(const UnitInputs& in);
std::string socket_unit(const UnitInputs& in);  // terminal-host only
// The server's command line in the unit, before %h substitution.
std::vector<std::string> server_command(const UnitInputs& in);

}  // namespace ptyctl::cli
