#pragma once
// In-place upgrade (docs/upgrade.md): the state handed from one image of
// pty-supervisor to the next through a sealed memfd, checked by the new
// binary first, then execve in the same process.

#include <ptyctl/proto/handover.hpp>

#include <optional>
#include <string>
#include <vector>

namespace ptyctl::sup {

// A sealed memfd holding `bytes` (close-on-exec). Throws std::system_error.
int sealed_memfd(const std::string& bytes);
// All of a state memfd, from its start.
std::string read_memfd(int fd);

// Runs `binary --check-upgrade FD` on the state and waits (at most
// `timeout_ms`): nothing when it accepts the state, else why not.
std::optional<std::string> check_with(const std::string& binary, int state_fd, int timeout_ms);

// Clears close-on-exec on `keep` and execs `argv` (argv[0] the binary, or
// `exe_fd` >= 0 through execveat). Returns only when the exec fails: why, with
// close-on-exec set again on `keep`.
std::string exec_keeping(int exe_fd, const std::vector<std::string>& argv,
                         const std::vector<int>& keep);

}  // namespace ptyctl::sup
