// Test program: writes random_utf8(COUNT, SEED) to stdout one byte per
// write(2), so a reader of the PTY sees characters split at every point.

#include "utf8_sequence.hpp"

#include <unistd.h>

#include <cstdlib>

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  const std::string s =
      ptyctl::test::random_utf8(std::atoi(argv[1]), static_cast<std::uint32_t>(std::atol(argv[2])));
  for (char c : s)
    if (::write(1, &c, 1) != 1) return 1;
  return 0;
}
