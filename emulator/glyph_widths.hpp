#pragma once

// The width libvterm gives a character that starts a glyph of its own, for
// the fast path, which writes such characters without libvterm and must put
// them where libvterm would. The answers are libvterm's own: each block of
// code points is asked of a scratch libvterm the first time one of them is
// seen (libvterm 0.1.4 does not export its width function), so the two can
// never disagree.

#include <cstddef>
#include <cstdint>

namespace ptyctl::emu {

// How libvterm takes a character: a glyph of its own of one or two columns,
// a mark it joins to the glyph before it (a combining character), or
// anything else (zero-width characters it does not join, controls, ...).
enum class GlyphKind : std::uint8_t { kOther = 0, kOneColumn = 1, kTwoColumns = 2, kJoins = 3 };
GlyphKind glyph_kind(std::uint32_t cp);

// 1 or 2 for a glyph of its own of that many columns, else 0.
inline int simple_glyph_width(std::uint32_t cp) {
  const GlyphKind kind = glyph_kind(cp);
  return kind == GlyphKind::kJoins ? 0 : static_cast<int>(kind);
}

inline bool joins_previous_glyph(std::uint32_t cp) {
  return glyph_kind(cp) == GlyphKind::kJoins;
}

// The character libvterm draws for byte c (0x20-0x7e) with DEC Special
// Graphics in G0 and G0 in GL, if a glyph of one column; 0 otherwise.
std::uint32_t dec_graphics_glyph(unsigned char c);

// Decodes the well-formed UTF-8 character at p (n > 0 bytes available, the
// first >= 0x80); its length goes to *len. Returns 0 if it is cut short.
inline std::uint32_t decode_utf8(const char* p, std::size_t n, int* len) {
  const auto b0 = static_cast<unsigned char>(p[0]);
  const int need = b0 >= 0xf0 ? 4 : b0 >= 0xe0 ? 3 : 2;
  if (n < static_cast<std::size_t>(need)) {
    *len = 0;
    return 0;
  }
  std::uint32_t cp = b0 & (need == 2 ? 0x1f : need == 3 ? 0x0f : 0x07);
  for (int k = 1; k < need; ++k)
    cp = (cp << 6) | (static_cast<unsigned char>(p[k]) & 0x3f);
  *len = need;
  return cp;
}

// The kind of the UTF-8 character at p (as decode_utf8); kOther if cut short.
inline GlyphKind glyph_kind_at(const char* p, std::size_t n) {
  int len = 0;
  const std::uint32_t cp = decode_utf8(p, n, &len);
  return len == 0 ? GlyphKind::kOther : glyph_kind(cp);
}

}  // namespace ptyctl::emu
