#include "ansi.hpp"

#include <charconv>
#include <string>

namespace ptyctl::emu {

namespace {

void append_number(std::string& out, int v) {
  char buf[12];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

// `base` is 38 (foreground), 48 (background) or 58 (underline).
void append_color(std::string& out, const Color& c, int base) {
  if (c.kind == Color::kDefault) return;
  if (c.kind == Color::kIndexed && c.r < 16 && base != 58) {
    out += ';';
    append_number(out, (c.r < 8 ? base - 8 : base + 52) + c.r % 8);  // 30, 90, 40, 100
    return;
  }
  out += ';';
  append_number(out, base);
  if (c.kind != Color::kRgb) {
    out += ";5;";
    append_number(out, c.r);
    return;
  }
  out += ";2;";
  append_number(out, c.r);
  out += ';';
  append_number(out, c.g);
  out += ';';
  append_number(out, c.b);
}

}  // namespace

void append_sgr(std::string& out, const Pen& pen) {
  out += "\x1b[0";
  if (pen.attrs & attr::kBold) out += ";1";
  if (pen.attrs & attr::kFaint) out += ";2";
  if (pen.attrs & attr::kItalic) out += ";3";
  switch (pen.underline()) {
    case underline::kNone:
      break;
    case underline::kSingle:
      out += ";4";
      break;
    case underline::kDouble:
      out += ";21";
      break;
    default:
      out += ";4:";
      append_number(out, pen.underline());
      break;
  }
  if (pen.attrs & attr::kBlink) out += ";5";
  if (pen.attrs & attr::kReverse) out += ";7";
  if (pen.attrs & attr::kConceal) out += ";8";
  if (pen.attrs & attr::kStrike) out += ";9";
  if (pen.attrs & attr::kOverline) out += ";53";
  out += 'm';
  // The colours in an SGR of their own: with every attribute and three RGB
  // colours one SGR has 25 parameters, past the 16 libvterm 0.1.4 takes
  // (it writes past its array; the tracker keeps such a CSI from it).
  std::string colours;
  append_color(colours, pen.fg, 38);
  append_color(colours, pen.bg, 48);
  append_color(colours, pen.underline_color, 58);
  if (!colours.empty()) {
    out += "\x1b[";
    out.append(colours, 1);  // without its leading ';'
    out += 'm';
  }
}

void append_cup(std::string& out, int row, int col) {
  out += "\x1b[";
  append_number(out, row + 1);
  out += ';';
  append_number(out, col + 1);
  out += 'H';
}

}  // namespace ptyctl::emu
