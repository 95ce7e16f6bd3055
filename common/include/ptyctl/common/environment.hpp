#pragma once

#include <string_view>

namespace ptyctl {

// False for a variable a service manager sets for the process it starts
// (NOTIFY_SOCKET, LISTEN_*, WATCHDOG_*, INVOCATION_ID, JOURNAL_STREAM,
// MANAGERPID, SYSTEMD_EXEC_PID) and for our own tokens (PTYCTL_*TOKEN*,
// SUPERSET_*TOKEN*): a session's program must get neither from the server or
// the ptyctl that made it. Anything else may pass.
bool passes_to_programs(std::string_view name);

}  // namespace ptyctl
