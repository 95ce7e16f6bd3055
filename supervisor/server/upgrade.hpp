#pragma once
// In-place upgrade (docs/upgrade.md): the state handed from one image of
// pty-supervisor to the next through a sealed memfd, checked by the new
// binary first, then execve in the same process.

#include <ptyctl/proto/handover.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ptyctl::sup {

// A sealed memfd holding `pieces` one after the other (close-on-exec),
// written as they are. Throws std::system_error.
int sealed_memfd(const std::vector<std::string_view>& pieces);
// All of a memfd, from its start.
std::string read_memfd(int fd);
// A state memfd mapped (read-only, private): read without a copy.
class MappedState {
 public:
  explicit MappedState(int fd);  // throws std::system_error
  ~MappedState();
  MappedState(const MappedState&) = delete;
  MappedState& operator=(const MappedState&) = delete;
  std::string_view bytes() const { return {static_cast<const char*>(data_), size_}; }

 private:
  void* data_ = nullptr;
  std::size_t size_ = 0;
};

// `binary --check-upgrade FD` running on a state (its output goes to a
// memfd, so it can never block on us).
struct CheckRun {
  int pid = -1;
  int pidfd = -1;   // readable once it has ended
  int output = -1;  // memfd with what it printed
};
// Starts it (with `args` after it, the options the exec will pass, so that
// a binary that would refuse those refuses now); or why it could not start.
std::variant<CheckRun, std::string> start_check(const std::string& binary, int state_fd,
                                                const std::vector<std::string>& args);
// Reaps it (SIGKILL first if `timed_out`): nothing when it accepted the
// state, else why not.
std::optional<std::string> finish_check(CheckRun run, bool timed_out, int timeout_ms);

// Execs `argv` (argv[0] the binary, or `exe_fd` >= 0 through execveat) with
// close-on-exec cleared on `keep` and, when `close_others`, set on every
// other fd from 3 on. Returns only when the exec fails: why (close-on-exec is
// set again on `keep`).
std::string exec_keeping(int exe_fd, const std::vector<std::string>& argv,
                         const std::vector<int>& keep, bool close_others = true);
// The fds a state names (what a rollback must keep), and the state's own.
std::vector<int> fds_of(const proto::handover::State& state, int state_fd);

}  // namespace ptyctl::sup
