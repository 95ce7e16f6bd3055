#pragma once
// Escape sequences the emulator writes: into snapshots, and to libvterm when
// the fast path hands the state back.

#include "cell.hpp"

#include <string>

namespace ptyctl::emu {

// The SGRs that set exactly `pen` from any state ("CSI 0;...m", then the
// colours in a CSI of their own: none has more than 16 parameters), but its
// link, which is not an SGR's (Emulator::append_pen writes it).
void append_sgr(std::string& out, const Pen& pen);
// CUP to a 0-based row and column.
void append_cup(std::string& out, int row, int col);

}  // namespace ptyctl::emu
