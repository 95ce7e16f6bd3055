#include "token.hpp"

#include <ptyctl/common/state_dir.hpp>

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <system_error>

namespace ptyctl::host {

bool is_well_formed_token(const std::string& token) {
  if (token.size() != 64) return false;
  for (char c : token)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

std::string load_or_create_token(const std::string& path) {
  try {
    // Never through a link, never a file someone else owns or can reach by
    // another name (open_private_file checks).
    // One byte over a token's length, so a longer file is not taken for one.
    const std::string token = read_private_file(path, 65);
    if (is_well_formed_token(token)) return token;
  } catch (const StateDirMissing&) {
    // None yet: made below.
  }
  std::array<unsigned char, 32> random{};
  std::size_t got = 0;
  while (got < random.size()) {
    const ssize_t n = ::getrandom(random.data() + got, random.size() - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::system_error(errno, std::generic_category(), "getrandom");
    got += static_cast<std::size_t>(n);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string token;
  for (unsigned char b : random) {
    token += kHex[b >> 4];
    token += kHex[b & 15];
  }
  // A temp file with a random name beside it, then renamed: a reader never
  // sees half a token, and a planted temp name is never written through.
  write_private_file(path, token);
  return token;
}

}  // namespace ptyctl::host
