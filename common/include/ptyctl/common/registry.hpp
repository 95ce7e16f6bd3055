#pragma once
// The process registry: every running pty-supervisor and terminal-host
// writes $XDG_DATA_HOME/ptyctl/processes/<process>.json (XDG_DATA_HOME
// defaults to ~/.local/share), where <process> is "supervisor-<name>" or
// "terminal-host-<name>" and its id "process/<process>". `ptyctl ps |
// describe | logs | stop` read it. An entry stays after its process ends;
// `ptyctl ps` shows it as exited.
//
// Names are per state directory: every entry records its state dir, and the
// instance name a server takes when not given --name is derived from its
// state dir (default_instance_name), so two state dirs never share an entry
// and no command acting on one state dir touches another's processes.

#include <ptyctl/proto/json_conv.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ptyctl {

struct ProcessEntry {
  std::string process;  // "supervisor-default"
  std::string kind;     // "supervisor" or "terminal-host"
  std::string name;     // "default"
  int pid = 0;
  std::vector<std::string> command;     // argv
  std::optional<std::string> log_file;  // only when it writes one itself
  std::string state_dir;
  std::string socket;
  std::string version;
  std::int64_t started_at_ms = 0;
  std::string started_at;  // ISO 8601 UTC
  std::string id() const { return "process/" + process; }
};
// Its registry file's JSON (libproto's mapper), with `id` added and a null
// `log_file` when it has none.
PTYCTL_PROTO_JSON(ProcessEntry);

// "supervisor" + "default" → "supervisor-default".
std::string process_name(const std::string& kind, const std::string& name);
// Instance names: 1 to 64 of [a-z0-9-], as they end up in unit names.
bool valid_instance_name(const std::string& name);
// The instance name of a state directory: "default" for ~/.superset (so
// existing unit names stay), the workspace name for ~/.superset-<workspace>,
// else the directory's base name (a-z, 0-9, -; at most 24) and 8 hex digits
// of a hash of its absolute path: /tmp/x/state → "state-1f0c93aa".
std::string default_instance_name(const std::string& state_dir);
// The same directory, compared as absolute, normalised paths.
bool same_state_dir(const std::string& a, const std::string& b);

std::string registry_dir();
std::string registry_path(const std::string& process);
// The sidecar a generated unit leaves beside the entry.
std::string sidecar_path(const std::string& process);

// Writes the entry for this process (atomically: temp file + rename).
void register_process(const ProcessEntry& entry);
std::optional<ProcessEntry> read_process(const std::string& process);
std::vector<ProcessEntry> list_processes();
// The pid still runs the program the entry names (not a reused pid).
bool process_running(const ProcessEntry& entry);

// ms since the epoch → "2026-11-22T03:04:05.678Z".
std::string iso8601_utc(std::int64_t ms);
std::int64_t now_ms();

}  // namespace ptyctl
