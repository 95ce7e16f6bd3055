#include "sgr.hpp"

#include <algorithm>
#include <array>

namespace ptyctl::emu {

namespace {

// A parameter and its sub-parameters (4:3, 38:2::R:G:B).
struct Param {
  int value = 0;
  const int* subs = nullptr;
  int sub_count = 0;
};

std::uint8_t byte_of(int v) {
  return static_cast<std::uint8_t>(v & 0xff);  // as xterm.js keeps colour values
}

// An extended colour (38, 48, 58) starting at params[at]: what it sets, and
// how many further parameters it took. xterm.js's reading, which accepts the
// ';' forms (5;N and 2;R;G;B) and the ':' forms (5:N and 2:CS:R:G:B, where a
// missing colour space is empty), and with too few values takes 0 for those
// missing. Other colour modes take their values and set nothing.
int extended_color(const Param* params, int count, int at, Color& target) {
  // [target, mode, colour space, c1, c2, c3]
  std::array<int, 6> v = {0, 0, -1, 0, 0, 0};
  int space = 0;  // 1 once the mode is known to be ';' style: no colour space slot
  int advance = 0;
  for (;;) {
    const Param& p = params[at + advance];
    v[static_cast<std::size_t>(advance + space)] = p.value;
    if (p.sub_count > 0) {
      for (int i = 0; i < p.sub_count && i + advance + 1 + space < 6; ++i) {
        if (v[1] == 5) space = 1;  // 5:N has no colour space either
        v[static_cast<std::size_t>(advance + i + 1 + space)] = p.subs[i];
      }
      break;
    }
    if ((v[1] == 5 && advance + space >= 2) || (v[1] == 2 && advance + space >= 5)) break;
    if (v[1] != 0) space = 1;
    ++advance;
    if (at + advance >= count || advance + space >= 6) break;
  }
  for (std::size_t i = 2; i < v.size(); ++i)
    if (v[i] == -1) v[i] = 0;
  if (v[1] == 2)
    target = Color{Color::kRgb, byte_of(v[3]), byte_of(v[4]), byte_of(v[5])};
  else if (v[1] == 5)
    target = Color{Color::kIndexed256, byte_of(v[3]), 0, 0};
  return advance;
}

}  // namespace

void apply_sgr(Pen& pen, const int* values, int count, std::uint32_t sub_mask) {
  // Grouped into parameters with their sub-parameters; an empty parameter is
  // 0 (an empty sub-parameter stays -1: "38:2::R:G:B").
  Param params[32];
  int n = 0;
  for (int i = 0; i < count && i < 32; ++i) {
    if ((sub_mask >> i) & 1u) {
      if (n > 0 && params[n - 1].sub_count == 0) params[n - 1].subs = values + i;
      if (n > 0) ++params[n - 1].sub_count;
      continue;
    }
    params[n++] = Param{std::max(values[i], 0), nullptr, 0};
  }
  if (n == 0) params[n++] = Param{};  // CSI m
  for (int i = 0; i < n; ++i) {
    const int v = params[i].value;
    if (v >= 30 && v <= 37) {
      pen.fg = Color{Color::kIndexed, static_cast<std::uint8_t>(v - 30), 0, 0};
    } else if (v >= 40 && v <= 47) {
      pen.bg = Color{Color::kIndexed, static_cast<std::uint8_t>(v - 40), 0, 0};
    } else if (v >= 90 && v <= 97) {
      pen.fg = Color{Color::kIndexed, static_cast<std::uint8_t>(v - 90 + 8), 0, 0};
    } else if (v >= 100 && v <= 107) {
      pen.bg = Color{Color::kIndexed, static_cast<std::uint8_t>(v - 100 + 8), 0, 0};
    } else {
      switch (v) {
        case 0: {
          const std::uint16_t link = pen.link;  // not an SGR attribute
          pen = Pen{};
          pen.link = link;
          break;
        }
        case 1:
          pen.set(attr::kBold, true);
          break;
        case 2:
          pen.set(attr::kFaint, true);
          break;
        case 3:
          pen.set(attr::kItalic, true);
          break;
        case 4: {
          // 4:0 is none; an empty or unknown style is single.
          int style = params[i].sub_count > 0 ? params[i].subs[0] : underline::kSingle;
          if (style < 0 || style > underline::kDashed) style = underline::kSingle;
          pen.set_underline(style);
          break;
        }
        case 5:
          pen.set(attr::kBlink, true);
          break;
        case 7:
          pen.set(attr::kReverse, true);
          break;
        case 8:
          pen.set(attr::kConceal, true);
          break;
        case 9:
          pen.set(attr::kStrike, true);
          break;
        case 21:
          pen.set_underline(underline::kDouble);
          break;
        case 22:
          pen.set(attr::kBold, false);
          pen.set(attr::kFaint, false);
          break;
        case 23:
          pen.set(attr::kItalic, false);
          break;
        case 24:
          pen.set_underline(underline::kNone);
          break;
        case 25:
          pen.set(attr::kBlink, false);
          break;
        case 27:
          pen.set(attr::kReverse, false);
          break;
        case 28:
          pen.set(attr::kConceal, false);
          break;
        case 29:
          pen.set(attr::kStrike, false);
          break;
        case 39:
          pen.fg = Color{};
          break;
        case 49:
          pen.bg = Color{};
          break;
        case 53:
          pen.set(attr::kOverline, true);
          break;
        case 55:
          pen.set(attr::kOverline, false);
          break;
        case 59:
          // xterm.js 6 stores "no underline colour" as all ones in its
          // colour bits, which it then reads as RGB white: what the app
          // shows, so what is kept.
          pen.underline_color = Color{Color::kRgb, 255, 255, 255};
          break;
        case 38:
        case 48:
        case 58: {
          Color& target = v == 38 ? pen.fg : v == 48 ? pen.bg : pen.underline_color;
          i += extended_color(params, n, i, target);
          break;
        }
        default:
          break;  // fonts, rapid blink, ...: ignored, as xterm.js ignores them
      }
    }
  }
}

}  // namespace ptyctl::emu
