#include <ptyctl/common/state_dir.hpp>

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace ptyctl {

namespace {

std::string octal(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

[[noreturn]] void fail_errno(const std::string& what, int err) {
  throw StateDirError(what + ": " + std::strerror(err));
}

// The checks every state dir passes, on what stat() found there.
void check_dir_stat(const std::string& dir, const struct stat& st, bool via_link) {
  const std::string name = via_link ? dir + " (a symlink to it)" : dir;
  if (!S_ISDIR(st.st_mode)) throw StateDirError(name + " is not a directory");
  if (st.st_uid != ::geteuid())
    throw StateDirError(name + " is owned by uid " + std::to_string(st.st_uid) +
                        ", not by you (uid " + std::to_string(::geteuid()) +
                        "): refusing to use it");
  if (st.st_mode & (S_IWGRP | S_IWOTH))
    throw StateDirError(name + " is writable by group or others (mode " + octal(st.st_mode) +
                        "): refusing to use it (chmod 700 it, or choose another)");
}

void make_parents(const std::string& dir) {
  for (std::size_t i = 1; i <= dir.size(); ++i) {
    if (i != dir.size() && dir[i] != '/') continue;
    const std::string partial = dir.substr(0, i);
    if (::mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST)
      fail_errno("mkdir " + partial, errno);
  }
}

// Returns true when `dir` is a symlink (whose target passed).
bool check(const std::string& dir) {
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) fail_errno("cannot use state directory " + dir, errno);
  if (!S_ISLNK(st.st_mode)) {
    check_dir_stat(dir, st, false);
    return false;
  }
  if (::stat(dir.c_str(), &st) != 0) fail_errno("cannot use state directory " + dir, errno);
  check_dir_stat(dir, st, true);
  return true;
}

}  // namespace

void prepare_state_dir(const std::string& dir) {
  if (dir.empty()) throw StateDirError("the state directory is empty");
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) {
    if (errno != ENOENT) fail_errno("cannot use state directory " + dir, errno);
    make_parents(dir);
  }
  if (check(dir)) return;  // a symlink: its target passed, and is not ours to chmod
  if (::chmod(dir.c_str(), 0700) != 0) fail_errno("chmod " + dir, errno);
}

void check_state_dir(const std::string& dir) {
  check(dir);
}

void check_socket_path(const std::string& path) {
  if (path.size() >= sizeof(sockaddr_un::sun_path))
    throw StateDirError("socket path too long (" + std::to_string(path.size()) +
                        " bytes; Unix sockets allow at most " +
                        std::to_string(sizeof(sockaddr_un::sun_path) - 1) + "): " + path +
                        " (choose a shorter --state-dir)");
}

int open_private_file(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == ELOOP) throw StateDirError(path + " is a symlink: refusing to follow it");
    if (errno == ENOENT) throw StateDirMissing(path + " does not exist");
    fail_errno("cannot open " + path, errno);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    fail_errno("cannot open " + path, err);
  }
  std::string why;
  if (!S_ISREG(st.st_mode))
    why = "is not a regular file";
  else if (st.st_uid != ::geteuid())
    why = "is owned by uid " + std::to_string(st.st_uid) + ", not by you";
  else if (st.st_nlink != 1)
    why = "has " + std::to_string(st.st_nlink) + " hard links (someone else may read it)";
  if (!why.empty()) {
    ::close(fd);
    throw StateDirError(path + " " + why + ": refusing to use it");
  }
  ::fchmod(fd, 0600);
  return fd;
}

std::string read_private_file(const std::string& path, std::size_t max) {
  const int fd = open_private_file(path, O_RDONLY);
  std::string bytes(max, '\0');
  std::size_t got = 0;
  while (got < max) {
    const ssize_t n = ::read(fd, bytes.data() + got, max - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      throw StateDirError(path + ": " + std::strerror(err));
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  bytes.resize(got);
  return bytes;
}

void write_private_file(const std::string& path, const std::string& bytes) {
  unsigned char random[8];
  if (::getrandom(random, sizeof random, 0) != static_cast<ssize_t>(sizeof random))
    fail_errno("getrandom", errno);
  std::string tmp = path + ".tmp.";
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned char b : random) {
    tmp += kHex[b >> 4];
    tmp += kHex[b & 15];
  }
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) fail_errno("cannot create " + tmp, errno);
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      fail_errno("cannot write " + tmp, err);
    }
    done += static_cast<std::size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced || ::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    fail_errno("cannot write " + path, err);
  }
}

}  // namespace ptyctl
