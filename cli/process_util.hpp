#pragma once
// Helpers of the process verbs (start, ps, describe, logs, stop, restart,
// generate, status): names, the registry, signals with deadlines.

#include "cli.hpp"

#include <ptyctl/common/registry.hpp>
#include <ptyctl/proto/json_conv.hpp>

#include <boost/json.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace ptyctl::cli {

// "supervisor" / "terminal-host" and their binaries.
std::string binary_of_kind(const std::string& kind);
void check_kind(const std::string& kind);
// "process/supervisor-default" or "supervisor-default" → the entry's process
// name; the bare kind ("supervisor", "terminal-host") names the current state
// dir's instance. CliError(kUsage) when it is not one.
std::string parse_process_id(const Globals& globals, const std::string& id);
// The entry, or CliError(kNoSuchProcess); an entry of another state dir is
// refused the same way (no verb acts on another state dir's processes).
ProcessEntry require_process(const Globals& globals, const std::string& process);
// The entry of kind-name if it belongs to the current state dir.
std::optional<ProcessEntry> own_process(const Globals& globals, const std::string& process);

// ptyctl's lock for stopping, restarting or autostarting terminal-host
// (<state-dir>/terminal-host.control.lock): held for the life of the object,
// so an autostart waits for a restart in progress instead of racing it.
class ControlLock {
 public:
  // Waits up to `timeout`; CliError(kFailed) when it is held that long.
  ControlLock(const Globals& globals, std::chrono::milliseconds timeout);
  ~ControlLock();
  ControlLock(const ControlLock&) = delete;
  ControlLock& operator=(const ControlLock&) = delete;

 private:
  int fd_ = -1;
};
// "running" or "exited".
std::string process_state(const ProcessEntry& e);
// Seconds since it started, as "3h04m", "12m30s", "45s".
std::string uptime(const ProcessEntry& e);
// The entry as `ps --json` and `describe` print it (with its state).
boost::json::object describe_json(const ProcessEntry& e);
// How a process is supervised: <process>.supervisor.json beside its
// registry entry, written by `ptyctl generate systemd` (libproto's mapper).
struct Sidecar {
  std::string id;          // process/NAME
  std::string supervisor;  // "systemd-user" or "launchd"
  std::string unit;
  std::string generated_at;  // ISO 8601 UTC
  std::vector<std::string> command;
};
PTYCTL_PROTO_JSON(Sidecar);
// The sidecar a generated unit left beside the entry, if any.
std::optional<Sidecar> read_sidecar(const std::string& process);
// SIGTERM, then SIGKILL after `grace`; true once it is gone.
bool stop_process(const ProcessEntry& e, std::chrono::milliseconds grace);
// execvp of argv[0] with argv; returns only when it fails.
void exec_command(const std::vector<std::string>& argv);
// One word for a POSIX shell, single-quoted: `new -- PROG ARGS` and the
// command ssh hands the remote shell (--host).
std::string shell_quote(const std::string& word);
// Starts kind's binary with args, detached (-d); waits until it listens.
// Returns the launcher's exit status.
int start_detached(const Globals& globals, const std::string& kind,
                   const std::vector<std::string>& args);

}  // namespace ptyctl::cli
