#pragma once
// The one SGR parser (CSI Pm m), for the fast path and libvterm's path alike.
// Its rules are the desktop app's renderer's (xterm.js 6): a snapshot replayed
// there must show what the program's own SGRs did. libvterm 0.1.4's SGRs are
// not used (it reads 58;5;N as blink, 58;2;... as faint, and has no overline,
// dotted or dashed underline).

#include "cell.hpp"

#include <cstdint>

namespace ptyctl::emu {

// `values[0..count)` as the parser collected them, -1 for an empty one; bit i
// of `sub_mask` says values[i] followed a ':' (a sub-parameter of the
// parameter before it).
void apply_sgr(Pen& pen, const int* values, int count, std::uint32_t sub_mask);

}  // namespace ptyctl::emu
