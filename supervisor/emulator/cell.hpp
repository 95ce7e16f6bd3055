#pragma once
// One cell of the screen: a character, its width and its pen. 16 bytes, so an
// 80x24 screen is 30 KiB.

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace ptyctl::emu {

struct Color {
  enum Kind : std::uint8_t { kDefault = 0, kIndexed = 1, kRgb = 2 };
  std::uint8_t kind = kDefault;
  std::uint8_t r = 0;  // the palette index when kIndexed
  std::uint8_t g = 0;
  std::uint8_t b = 0;
  bool operator==(const Color&) const = default;
};

namespace attr {
inline constexpr std::uint16_t kBold = 1u << 0;
inline constexpr std::uint16_t kFaint = 1u << 1;
inline constexpr std::uint16_t kItalic = 1u << 2;
inline constexpr std::uint16_t kBlink = 1u << 3;
inline constexpr std::uint16_t kReverse = 1u << 4;
inline constexpr std::uint16_t kConceal = 1u << 5;
inline constexpr std::uint16_t kStrike = 1u << 6;
inline constexpr int kUnderlineShift = 7;  // 2 bits: 0 none, 1 single, 2 double, 3 curly
inline constexpr std::uint16_t kUnderlineMask = 3u << kUnderlineShift;
inline constexpr std::uint16_t kOverline = 1u << 9;  // SGR 53 (libvterm 0.1.4 has none: ours)
}  // namespace attr

struct Pen {
  Color fg;
  Color bg;
  std::uint16_t attrs = 0;
  int underline() const { return (attrs & attr::kUnderlineMask) >> attr::kUnderlineShift; }
  void set(std::uint16_t bit, bool on) {
    attrs = on ? static_cast<std::uint16_t>(attrs | bit) : static_cast<std::uint16_t>(attrs & ~bit);
  }
  void set_underline(int kind) {  // 0 none, 1 single, 2 double, 3 curly
    attrs = static_cast<std::uint16_t>((attrs & ~attr::kUnderlineMask) |
                                       (kind << attr::kUnderlineShift));
  }
  bool operator==(const Pen& o) const {
    // Two loads and compares instead of nine (hot in scrolling).
    std::uint64_t a, b;
    std::memcpy(&a, this, sizeof a);
    std::memcpy(&b, &o, sizeof b);
    return a == b && attrs == o.attrs;
  }
};
static_assert(sizeof(Color) == 4 && offsetof(Pen, attrs) == 8, "Pen layout: fg, bg, attrs");

// ch: 0 for a blank (erased) cell, else a code point, or kCombined | index into
// the emulator's table of multi-code-point characters (base + combining marks).
// A default Cell is all zero bytes, so rows are cleared with memset.
struct Cell {
  static constexpr std::uint32_t kCombined = 0x80000000u;
  std::uint32_t ch = 0;
  Pen pen;
  std::uint8_t wide = 0;  // 0: one column; 1: left half of a wide character; 2: its right half
  int width() const { return wide == 0 ? 1 : wide == 1 ? 2 : 0; }
  void set_width(int w) { wide = w == 2 ? 1 : w == 0 ? 2 : 0; }
  bool operator==(const Cell&) const = default;
};

static_assert(sizeof(Cell) == 16, "Cell is kept at 16 bytes");

// An erased cell: blank, with only the background of the pen that erased it
// (background colour erase, as xterm does).
inline Cell blank_cell(const Pen& pen) {
  Cell c;
  c.pen.bg = pen.bg;
  return c;
}

}  // namespace ptyctl::emu
