#pragma once
// The launchd property lists `ptyctl generate launchd` prints (macOS user
// agents). Pure functions of their inputs, byte-identical run to run. launchd
// expands no ~ or %h: paths are written as they are.

#include "systemd_units.hpp"

#include <string>

namespace ptyctl::cli {

// "io.ptyctl.supervisor-default" and friends.
std::string launchd_label(const std::string& kind, const std::string& name);

// The whole plist; with in.socket_activation (terminal-host only) a Sockets
// entry "Listeners" for terminal-host.sock that launchd holds.
std::string launchd_plist(const UnitInputs& in);

}  // namespace ptyctl::cli
