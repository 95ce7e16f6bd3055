#pragma once
// The state directory's safety rules (docs/operations.md, "The state
// directory"): it belongs to us and nobody else can write in it, and nothing
// we create in it follows a link someone planted. tmux and OpenSSH refuse a
// socket directory on the same terms.

#include <stdexcept>
#include <string>

namespace ptyctl {

// A state dir (or a file in it) we refuse; what() is one line naming it.
struct StateDirError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct StateDirMissing : StateDirError {
  using StateDirError::StateDirError;
};

// Creates the directory (parents too, 0700) when it is missing; then checks
// it: a directory (a symlink to one is accepted only when its target passes
// the same checks, and the target is never chmod-ed), owned by the effective
// uid, not writable by group or others. Its own mode becomes 0700. Throws
// StateDirError.
void prepare_state_dir(const std::string& dir);

// The same checks without creating or changing anything (clients, before
// they trust a socket or read the token there). Throws StateDirError.
void check_state_dir(const std::string& dir);

// Unix socket paths are limited (sun_path, 108 bytes with its NUL): throws
// StateDirError naming the limit when `path` does not fit.
void check_socket_path(const std::string& path);

// Opens a file of ours in the state dir without following a link
// (O_NOFOLLOW), created 0600 with O_CREAT in `flags`; it must be a regular
// file owned by us with one link (a hard link to it elsewhere would let
// someone else read it). Throws StateDirMissing when it does not exist (and
// O_CREAT was not given), StateDirError otherwise.
int open_private_file(const std::string& path, int flags);

// The first `max` bytes (at most) of a file open_private_file accepts. Throws
// as it does, and StateDirError when reading fails.
std::string read_private_file(const std::string& path, std::size_t max);

// Writes `bytes` to `path` atomically: a temp file with a random name
// (O_EXCL, 0600) beside it, fsync, rename. Throws StateDirError.
void write_private_file(const std::string& path, const std::string& bytes);

}  // namespace ptyctl
