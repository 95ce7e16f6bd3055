#include <ptyctl/common/environment.hpp>

namespace ptyctl {

bool passes_to_programs(std::string_view name) {
  if (name == "NOTIFY_SOCKET" || name == "INVOCATION_ID" || name == "JOURNAL_STREAM" ||
      name == "MANAGERPID" || name == "SYSTEMD_EXEC_PID")
    return false;
  if (name.starts_with("LISTEN_") || name.starts_with("WATCHDOG_")) return false;
  if ((name.starts_with("PTYCTL_") || name.starts_with("SUPERSET_")) &&
      name.find("TOKEN") != std::string_view::npos)
    return false;
  return true;
}

}  // namespace ptyctl
