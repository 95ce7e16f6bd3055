#pragma once
// What a session was made from, resolved (defaults filled in): the one shape
// the supervisor's Session keeps, an upgrade hands over and a record holds.
// The requests that create a session (wire 1's createSession, wire 2's
// createOrAttach) carry the unresolved form; the supervisor resolves it once.
//
// It is written inline, its fields beside the state's (kInlineJson): the
// handover's and the records' JSON stays flat, as earlier releases wrote it.

#include <boost/describe/class.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ptyctl::proto {

struct SessionSpec {
  static constexpr bool kInlineJson = true;
  std::string sessionId;
  int cols = 80;
  int rows = 24;
  std::string cwd;
  std::string shell;
  std::vector<std::string> args;
  std::optional<std::string> command;  // run as `shell -c command` instead of the shell
  std::string workspaceId;
  std::string paneId;
  // The program's environment beside the supervisor's own (inheritEnv, the
  // default) or alone (false: terminal-host filters its own). Optional:
  // states and records of earlier releases do not have them.
  std::optional<std::map<std::string, std::string>> env;
  std::optional<bool> inheritEnv;
  bool inherits_env() const { return inheritEnv.value_or(true); }
  bool operator==(const SessionSpec&) const = default;
};
BOOST_DESCRIBE_STRUCT(SessionSpec, (),
                      (sessionId, cols, rows, cwd, shell, args, command, workspaceId, paneId, env,
                       inheritEnv))

}  // namespace ptyctl::proto
