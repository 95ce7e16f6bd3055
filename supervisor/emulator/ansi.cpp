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

void append_color(std::string& out, const Color& c, bool foreground) {
  if (c.kind == Color::kDefault) return;
  if (c.kind == Color::kIndexed) {
    if (c.r < 8) {
      out += ';';
      append_number(out, (foreground ? 30 : 40) + c.r);
    } else if (c.r < 16) {
      out += ';';
      append_number(out, (foreground ? 90 : 100) + c.r - 8);
    } else {
      out += foreground ? ";38;5;" : ";48;5;";
      append_number(out, c.r);
    }
    return;
  }
  out += foreground ? ";38;2;" : ";48;2;";
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
    case 1:
      out += ";4";
      break;
    case 2:
      out += ";21";
      break;
    case 3:
      out += ";4:3";
      break;
    default:
      break;
  }
  if (pen.attrs & attr::kBlink) out += ";5";
  if (pen.attrs & attr::kReverse) out += ";7";
  if (pen.attrs & attr::kConceal) out += ";8";
  if (pen.attrs & attr::kStrike) out += ";9";
  if (pen.attrs & attr::kOverline) out += ";53";
  out += 'm';
  // The colours in an SGR of their own: with every attribute and two RGB
  // colours one SGR has 20 parameters, and libvterm 0.1.4 writes past its
  // array of 16 (the fast path hands libvterm the pen this way; found by the
  // fuzzer), while the tracker drops such a CSI from a replayed snapshot.
  std::string colours;
  append_color(colours, pen.fg, true);
  append_color(colours, pen.bg, false);
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
