#include "session_env.hpp"

#include <array>

extern char** environ;

namespace ptyctl::host {

namespace {
constexpr std::array<std::string_view, 26> kAllowed = {
    "HOME",
    "USER",
    "LOGNAME",
    "SHELL",
    "PATH",
    "LANG",
    "LANGUAGE",
    "TZ",
    "TMPDIR",
    "DISPLAY",
    "WAYLAND_DISPLAY",
    "XAUTHORITY",
    "XDG_RUNTIME_DIR",
    "XDG_SESSION_TYPE",
    "XDG_CONFIG_HOME",
    "XDG_DATA_HOME",
    "XDG_CACHE_HOME",
    "XDG_STATE_HOME",
    "XDG_CONFIG_DIRS",
    "XDG_DATA_DIRS",
    "DBUS_SESSION_BUS_ADDRESS",
    "SSH_AUTH_SOCK",
    "EDITOR",
    "VISUAL",
    "PAGER",
    "HOSTNAME",
};
}  // namespace

bool allowed_from_host(std::string_view name) {
  if (name.rfind("LC_", 0) == 0) return true;  // every locale category
  for (std::string_view a : kAllowed)
    if (a == name) return true;
  return false;
}

std::map<std::string, std::string> session_environment(
    const std::map<std::string, std::string>& host_env,
    const std::optional<std::map<std::string, std::string>>& requested) {
  std::map<std::string, std::string> env;
  for (const auto& [k, v] : host_env)
    if (allowed_from_host(k)) env[k] = v;
  if (requested)
    for (const auto& [k, v] : *requested)
      if (!k.empty() && k.find('=') == std::string::npos) env[k] = v;
  env["TERM"] = "xterm-256color";
  if (!env.contains("COLORTERM")) env["COLORTERM"] = "truecolor";
  return env;
}

std::map<std::string, std::string> current_environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    const std::size_t eq = kv.find('=');
    if (eq != std::string_view::npos)
      env[std::string(kv.substr(0, eq))] = std::string(kv.substr(eq + 1));
  }
  return env;
}

}  // namespace ptyctl::host
