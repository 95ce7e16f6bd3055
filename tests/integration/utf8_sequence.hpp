#pragma once
// A reproducible string of random 2-, 3- and 4-byte UTF-8 characters (the
// same for a seed on every platform: raw mt19937 output, no distributions).

#include <cstdint>
#include <random>
#include <string>

namespace ptyctl::test {

inline std::string random_utf8(int count, std::uint32_t seed) {
  std::mt19937 gen(seed);
  std::string out;
  auto put = [&](std::uint32_t cp) {
    if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  };
  for (int i = 0; i < count; ++i) {
    switch (gen() % 3) {
      case 0:
        put(0xA1 + gen() % (0x7FF - 0xA1));  // Latin-1 supplement .. Arabic (no C1 controls)
        break;
      case 1:
        put(0x4E00 + gen() % (0x9FFF - 0x4E00));  // CJK ideographs
        break;
      default:
        put(0x1F300 + gen() % (0x1F5FF - 0x1F300));  // pictographs
        break;
    }
  }
  return out;
}

}  // namespace ptyctl::test
