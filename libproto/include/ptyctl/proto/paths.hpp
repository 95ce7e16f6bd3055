#pragma once
// The state directory and the names of the files in it, shared by every
// binary (DESIGN.md, "State directory").

#include <string>
#include <string_view>

namespace ptyctl::proto {

inline constexpr std::string_view kSupervisorSocket = "pty-supervisor.sock";
inline constexpr std::string_view kSupervisorPidFile = "pty-supervisor.pid";
inline constexpr std::string_view kSupervisorLog = "pty-supervisor.log";
inline constexpr std::string_view kSupervisorLock = "pty-supervisor.lock";
inline constexpr std::string_view kHostSocket = "terminal-host.sock";
inline constexpr std::string_view kHostPidFile = "terminal-host.pid";
inline constexpr std::string_view kHostToken = "terminal-host.token";
inline constexpr std::string_view kHostLog = "terminal-host.log";
inline constexpr std::string_view kHostLock = "terminal-host.lock";
// Held by ptyctl while it stops, restarts or autostarts terminal-host, so
// that an autostart never races a stop or restart in progress.
inline constexpr std::string_view kHostControlLock = "terminal-host.control.lock";

// The state directory: `explicit_dir` (--state-dir) if given, else
// $PTYCTL_STATE_DIR, else ~/.superset, or ~/.superset-<name> with
// SUPERSET_WORKSPACE_NAME=name (not "superset"): lower-cased, characters
// outside [a-z0-9-] turned into '-', at most 32.
std::string resolve_state_dir(std::string_view explicit_dir = {});

// `dir` made absolute and normalised lexically (not through symlinks), with
// no trailing '/': the form state dirs are compared and recorded in.
std::string normalise_dir(const std::string& dir);
// $HOME, else /tmp.
std::string home_dir();

}  // namespace ptyctl::proto
