#include <ptyctl/common/launch.hpp>
#include <ptyctl/common/process.hpp>

#include <unistd.h>

namespace ptyctl {

pid_t launch_detached(const std::vector<std::string>& argv_in) {
  // Built before fork: after it, only async-signal-safe calls.
  std::vector<std::string> strings = argv_in;
  std::vector<char*> argv = c_strings(strings);
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  ::setsid();
  ::close_range(3, ~0U, 0);
  ::execvp(argv[0], argv.data());
  ::_exit(127);
}

}  // namespace ptyctl
