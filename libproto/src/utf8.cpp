#include <ptyctl/proto/utf8.hpp>

#include <cstdint>
#include <cstring>

namespace ptyctl::proto {

namespace {

enum class Step { kValid, kInvalid, kIncomplete };

struct Decoded {
  Step step;
  std::size_t length;  // bytes the step covers (for kInvalid: the maximal subpart)
};

// Decodes the sequence starting at bytes[i] by the well-formed byte table of
// Unicode chapter 3 (table 3-7).
Decoded decode_one(std::string_view bytes, std::size_t i) noexcept {
  const auto b0 = static_cast<unsigned char>(bytes[i]);
  if (b0 < 0x80) return {Step::kValid, 1};
  std::size_t need;
  unsigned char lo = 0x80, hi = 0xbf;  // range of the second byte
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    need = 2;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    need = 3;
    if (b0 == 0xe0) lo = 0xa0;
    if (b0 == 0xed) hi = 0x9f;  // no surrogates
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    need = 4;
    if (b0 == 0xf0) lo = 0x90;  // no overlongs
    if (b0 == 0xf4) hi = 0x8f;  // nothing past U+10FFFF
  } else {
    return {Step::kInvalid, 1};
  }
  for (std::size_t k = 1; k < need; ++k) {
    if (i + k >= bytes.size()) return {Step::kIncomplete, k};
    const auto b = static_cast<unsigned char>(bytes[i + k]);
    const unsigned char l = k == 1 ? lo : 0x80;
    const unsigned char h = k == 1 ? hi : 0xbf;
    if (b < l || b > h) return {Step::kInvalid, k};
  }
  return {Step::kValid, need};
}

bool is_continuation(unsigned char b) noexcept {
  return (b & 0xc0) == 0x80;
}

}  // namespace

std::size_t utf8_complete_prefix(std::string_view bytes) noexcept {
  const std::size_t n = bytes.size();
  for (std::size_t back = 1; back <= 4 && back <= n; ++back) {
    const std::size_t p = n - back;
    if (is_continuation(static_cast<unsigned char>(bytes[p]))) continue;
    return decode_one(bytes, p).step == Step::kIncomplete ? p : n;
  }
  return n;
}

bool utf8_is_valid(std::string_view bytes) noexcept {
  for (std::size_t i = 0; i < bytes.size();) {
    // ASCII, most of what programs write, eight bytes at a time.
    while (i + 8 <= bytes.size()) {
      std::uint64_t w;
      std::memcpy(&w, bytes.data() + i, sizeof w);
      if ((w & 0x8080808080808080ull) != 0) break;
      i += 8;
    }
    if (i >= bytes.size()) break;
    if (static_cast<unsigned char>(bytes[i]) < 0x80) {
      ++i;
      continue;
    }
    const Decoded d = decode_one(bytes, i);
    if (d.step != Step::kValid) return false;
    i += d.length;
  }
  return true;
}

std::string utf8_sanitize(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (std::size_t i = 0; i < bytes.size();) {
    const Decoded d = decode_one(bytes, i);
    if (d.step == Step::kValid) {
      out.append(bytes.substr(i, d.length));
    } else {
      out += "\xef\xbf\xbd";  // U+FFFD for the maximal subpart
    }
    i += d.length;
  }
  return out;
}

}  // namespace ptyctl::proto
