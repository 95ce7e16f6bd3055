#pragma once
// One cell of the screen: a character, its width and its pen. 24 bytes, so an
// 80x24 screen is 45 KiB.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace ptyctl::emu {

struct Color {
  // kIndexed is a colour of the 16 set by SGR 30-37, 40-47, 90-97, 100-107
  // (earlier releases kept 38;5;N there too: an index past 15 reads as
  // kIndexed256); kIndexed256 is one set by 38;5;N, which the app's renderer
  // draws differently (bold does not brighten it).
  enum Kind : std::uint8_t { kDefault = 0, kIndexed = 1, kRgb = 2, kIndexed256 = 3 };
  std::uint8_t kind = kDefault;
  std::uint8_t r = 0;  // the palette index when kIndexed or kIndexed256
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
// The underline's style in three bits: bits 7 and 8 (as earlier releases
// kept styles 0-3) and bit 10 (dotted and dashed came later).
inline constexpr int kUnderlineShift = 7;
inline constexpr std::uint16_t kUnderlineLow = 3u << kUnderlineShift;
inline constexpr std::uint16_t kOverline = 1u << 9;  // SGR 53 (libvterm 0.1.4 has none: ours)
inline constexpr std::uint16_t kUnderlineHigh = 1u << 10;
inline constexpr std::uint16_t kUnderlineMask = kUnderlineLow | kUnderlineHigh;
}  // namespace attr

// Underline styles, as SGR 4:N numbers them (xterm.js's too).
namespace underline {
inline constexpr int kNone = 0, kSingle = 1, kDouble = 2, kCurly = 3, kDotted = 4, kDashed = 5;
}

struct Pen {
  Color fg;
  Color bg;
  Color underline_color;  // SGR 58; kDefault: the foreground's
  std::uint16_t attrs = 0;
  // An OSC 8 hyperlink: an index into the emulator's LinkTable, 0 for none.
  // Not an SGR attribute: SGR 0 leaves it (as xterm.js does).
  std::uint16_t link = 0;
  int underline() const {
    return ((attrs & attr::kUnderlineLow) >> attr::kUnderlineShift) |
           ((attrs & attr::kUnderlineHigh) ? 4 : 0);
  }
  void set(std::uint16_t bit, bool on) {
    attrs = on ? static_cast<std::uint16_t>(attrs | bit) : static_cast<std::uint16_t>(attrs & ~bit);
  }
  void set_underline(int style) {  // underline::k*
    attrs = static_cast<std::uint16_t>((attrs & ~attr::kUnderlineMask) |
                                       ((style & 3) << attr::kUnderlineShift) |
                                       ((style & 4) ? attr::kUnderlineHigh : 0));
  }
  bool operator==(const Pen& o) const {
    // Two loads and compares instead of a dozen (hot in scrolling).
    std::uint64_t a[2], b[2];
    std::memcpy(a, this, sizeof a);
    std::memcpy(b, &o, sizeof b);
    return a[0] == b[0] && a[1] == b[1];
  }
};
static_assert(sizeof(Color) == 4 && offsetof(Pen, attrs) == 12 && sizeof(Pen) == 16,
              "Pen layout: fg, bg, underline colour, attrs, link; no padding");

// ch: 0 for a blank (erased) cell, else a code point, or kCombined | index into
// the emulator's table of multi-code-point characters (base + combining marks).
// A default Cell is all zero bytes, so rows are cleared with memset.
struct Cell {
  static constexpr std::uint32_t kCombined = 0x80000000u;
  std::uint32_t ch = 0;
  Pen pen;
  std::uint8_t wide = 0;  // 0: one column; 1: left half of a wide character; 2: its right half
  // No padding: a default blank is all zero bytes, which runs of them are
  // found by (Scrollback::push).
  std::uint8_t reserved[3] = {};
  int width() const { return wide == 0 ? 1 : wide == 1 ? 2 : 0; }
  void set_width(int w) { wide = w == 2 ? 1 : w == 0 ? 2 : 0; }
  bool operator==(const Cell&) const = default;
};

static_assert(sizeof(Cell) == 24, "Cell is kept at 24 bytes");
static_assert(std::has_unique_object_representations_v<Cell>, "Cell has no padding");

// An erased cell: blank, with only the background of the pen that erased it
// (background colour erase, as xterm does; no link, no underline colour).
inline Cell blank_cell(const Pen& pen) {
  Cell c;
  c.pen.bg = pen.bg;
  return c;
}

}  // namespace ptyctl::emu
