#pragma once
// A screen and the lines above it as the app's renderer (xterm.js 6) resizes
// them: rows added or taken away around the cursor, and on the primary
// screen wrapped lines rejoined and re-wrapped at the new width (reflow).
// The emulator copies its screen and scrollback into a ResizedBuffer, resizes
// it and copies it back; docs/emulator.md ("Resize") says what it does and
// where it follows xterm.js's quirks.

#include "cell.hpp"

#include <cstddef>
#include <vector>

namespace ptyctl::emu {

struct ResizedBuffer {
  struct Line {
    std::vector<Cell> cells;  // `cols` of them
    bool wrapped = false;     // continues the line above
  };
  std::vector<Line> lines;  // the scrollback's lines, then the screen's rows
  int cols = 0;
  int rows = 0;
  std::size_t scrollback = 0;  // how many lines above the screen it may keep
  bool reflow = false;         // the primary screen's: wrapped lines re-wrap
  std::size_t ybase = 0;       // lines[ybase] is the screen's first row
  int x = 0;                   // the cursor; x == cols is a pending wrap
  int y = 0;                   // from the screen's top
  long saved_y = 0;            // the saved cursor, from lines[0]
  int saved_x = 0;

  void resize(int new_cols, int new_rows);

 private:
  void reflow_larger(int old_cols, int new_cols, int new_rows);
  void reflow_smaller(int old_cols, int new_cols, int new_rows);
  std::size_t max_length_ = 0;
};

}  // namespace ptyctl::emu
