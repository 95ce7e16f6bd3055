#pragma once
// The environment a new session gets from terminal-host: the variables of
// our own environment named by the allow-list below, then the request's own
// variables (which win), then TERM=xterm-256color and COLORTERM=truecolor.
// Nothing else of terminal-host's environment reaches a shell (documented in
// docs/operations.md).

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace ptyctl::host {

// Names copied from terminal-host's environment: identity, locale, paths,
// the desktop session (display, D-Bus, ssh-agent), and editor preferences.
bool allowed_from_host(std::string_view name);

// `host_env` is our own environment (normally from environ).
std::map<std::string, std::string> session_environment(
    const std::map<std::string, std::string>& host_env,
    const std::optional<std::map<std::string, std::string>>& requested);

// Our process environment as a map.
std::map<std::string, std::string> current_environment();

}  // namespace ptyctl::host
