#pragma once
// What every ptyctl verb shares: global options, errors with their exit
// codes, and the table of verbs (one file per verb, cmd_*.cpp).

#include <stdexcept>
#include <string>
#include <vector>

namespace ptyctl::cli {

// Exit codes (documented in `ptyctl --help` and docs/operations.md).
enum ExitCode : int {
  kOk = 0,
  kFailed = 1,         // the operation failed, or `wait` timed out
  kUsage = 2,          // unknown verb or option, bad arguments
  kUnreachable = 3,    // terminal-host is not running and could not be started
  kNoSuchSession = 4,  // the session id names no session
  kNoSuchProcess = 5,  // process/... names nothing in the registry
};

// An error to print as one line ("ptyctl: <message>") and exit with.
struct CliError : std::runtime_error {
  CliError(int code, const std::string& message) : std::runtime_error(message), exit_code(code) {}
  int exit_code;
};

// A host reached over ssh (--host [user@]HOST[:STATE_DIR]): its ptyctl's
// bridge carries wire 2 to its terminal-host (docs/operations.md, "Sessions on
// other hosts").
struct RemoteHost {
  std::string spec;         // as given: "[user@]HOST[:STATE_DIR]"
  std::string destination;  // "[user@]HOST", for ssh
  std::string state_dir;    // on that host; empty: its default
};

struct Globals {
  std::string state_dir;                 // resolved, absolute
  std::string instance;                  // the state dir's instance name (default_instance_name)
  bool autostart = true;                 // start terminal-host when none answers
  std::string binary_dir;                // where ptyctl is: its sibling binaries are found there
  std::vector<RemoteHost> hosts;         // --host (only ls takes more than one)
  std::vector<std::string> ssh_command;  // $PTYCTL_SSH split at spaces, else {"ssh"}
  std::vector<std::string> ssh_options;  // --ssh-option, each passed as -o OPTION
  std::string remote_ptyctl = "ptyctl";  // $PTYCTL_REMOTE_PTYCTL: the remote ptyctl
  // The host the session verbs talk to; nullptr: this machine's terminal-host.
  const RemoteHost* remote() const { return hosts.empty() ? nullptr : &hosts.front(); }
};

// "[user@]HOST[:STATE_DIR]" ("[::1]:DIR" for an IPv6 address); CliError
// (kUsage) when it names no host.
RemoteHost parse_remote_host(const std::string& spec);

struct Verb {
  const char* name;
  const char* summary;
  int (*run)(const Globals& globals, const std::vector<std::string>& args);
};

const std::vector<Verb>& verbs();

// A sibling binary (pty-supervisor, terminal-host) by absolute path, else
// the bare name (found through $PATH).
std::string sibling_binary(const Globals& globals, const std::string& name);

// Verbs.
int cmd_ls(const Globals&, const std::vector<std::string>&);
int cmd_new(const Globals&, const std::vector<std::string>&);
int cmd_attach(const Globals&, const std::vector<std::string>&);
int cmd_send(const Globals&, const std::vector<std::string>&);
int cmd_snapshot(const Globals&, const std::vector<std::string>&);
int cmd_wait(const Globals&, const std::vector<std::string>&);
int cmd_kill(const Globals&, const std::vector<std::string>&);
int cmd_restore(const Globals&, const std::vector<std::string>&);
int cmd_status(const Globals&, const std::vector<std::string>&);
int cmd_start(const Globals&, const std::vector<std::string>&);
int cmd_ps(const Globals&, const std::vector<std::string>&);
int cmd_describe(const Globals&, const std::vector<std::string>&);
int cmd_logs(const Globals&, const std::vector<std::string>&);
int cmd_stop(const Globals&, const std::vector<std::string>&);
int cmd_restart(const Globals&, const std::vector<std::string>&);
int cmd_upgrade(const Globals&, const std::vector<std::string>&);
int cmd_generate(const Globals&, const std::vector<std::string>&);
int cmd_bridge(const Globals&, const std::vector<std::string>&);

}  // namespace ptyctl::cli
