// ptyctl generate systemd (written next)
#include "cli.hpp"
namespace ptyctl::cli {
int cmd_generate(const Globals&, const std::vector<std::string>&) {
  throw CliError(kFailed, "todo");
}
}  // namespace ptyctl::cli
