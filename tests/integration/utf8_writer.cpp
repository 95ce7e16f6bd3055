// Test program: writes random_utf8(COUNT, SEED) to stdout one byte per
// write(2), pausing now and then inside a character, so that a reader of the
// PTY sees characters split at every point (not only whole batches).

#include "utf8_sequence.hpp"

#include <unistd.h>

#include <cstdlib>

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  const std::string s =
      ptyctl::test::random_utf8(std::atoi(argv[1]), static_cast<std::uint32_t>(std::atol(argv[2])));
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (::write(1, &s[i], 1) != 1) return 1;
    if (i % 7 == 3) ::usleep(100);  // pacing, so reads end mid-character
  }
  return 0;
}
