#pragma once
// The cells of one screen (primary or alternate). Rows live in a ring, so a
// full-screen scroll moves the ring's start instead of any cell; a scroll of a
// region rotates row indices. Each row remembers how far it holds anything but
// default blanks, so clearing and copying a mostly empty row is cheap.

#include "cell.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

namespace ptyctl::emu {

class ScreenBuffer {
 public:
  ScreenBuffer(int rows, int cols);

  int rows() const { return rows_; }
  int cols() const { return cols_; }
  // Cells written, erased or moved so far: what the emulator's input cost
  // (Emulator::feed_some bounds it per call).
  std::uint64_t work() const { return work_; }

  Cell* row(int r) { return cells_.data() + static_cast<std::size_t>(physical(r)) * cols_; }
  const Cell* row(int r) const {
    return cells_.data() + static_cast<std::size_t>(physical(r)) * cols_;
  }
  // Columns [0, used) may hold something other than default blanks; those
  // before start(r) do not (a raw-mode staircase's leading blanks).
  int used(int r) const { return used_[physical(r)]; }
  int start(int r) const { return start_[physical(r)]; }
  // The row continues the one above it: the text wrapped there (xterm.js's
  // isWrapped). A row erased whole, scrolled in or resized to another width
  // is not.
  bool wrapped(int r) const { return wrapped_[physical(r)] != 0; }
  void set_wrapped(int r, bool on) { wrapped_[physical(r)] = on ? 1 : 0; }

  // Writes a character of `width` (1 or 2) at (r, c), repairing any wide
  // character it cuts in half.
  void put(int r, int c, std::uint32_t ch, int width, const Pen& pen) {
    Cell* line = row(r);
    ++work_;
    if (line[c].width() != 1 || width != 1) repair_before_put(line, c, width);
    Cell& cell = line[c];
    cell.ch = ch;
    cell.pen = pen;
    cell.set_width(width);
    if (width == 2 && c + 1 < cols_) {
      Cell& right = line[c + 1];
      right.ch = 0;
      right.pen = pen;
      right.set_width(0);
    }
    std::uint16_t& u = used_[physical(r)];
    const int end = c + width > cols_ ? cols_ : c + width;
    if (end > u) u = static_cast<std::uint16_t>(end);
    std::uint16_t& s = start_[physical(r)];
    if (c < s) s = static_cast<std::uint16_t>(c);
  }

  // Writes ASCII characters s[0, len) from (r, c) on; they must fit in the row.
  void put_ascii(int r, int c, const char* s, int len, const Pen& pen) {
    const int p = physical(r);
    Cell* line = cells_.data() + static_cast<std::size_t>(p) * cols_ + c;
    // The pen as two words, copied once (the cells could alias `pen`).
    std::uint64_t pen_words[2];
    std::memcpy(pen_words, &pen, sizeof pen_words);
    work_ += static_cast<std::uint64_t>(len);
    for (int k = 0; k < len; ++k) {
      Cell& cell = line[k];
      if (cell.wide != 0) {
        Pen written;
        std::memcpy(&written, pen_words, sizeof pen_words);
        put(r, c + k, static_cast<unsigned char>(s[k]), 1, written);  // repairs a wide char
        continue;
      }
      cell.ch = static_cast<unsigned char>(s[k]);
      std::memcpy(&cell.pen, pen_words, sizeof pen_words);
    }
    std::uint16_t& u = used_[p];
    if (c + len > u) u = static_cast<std::uint16_t>(c + len);
    std::uint16_t& first = start_[p];
    if (c < first) first = static_cast<std::uint16_t>(c);
  }

  // Erases [c0, c1) of rows [r0, r1) with `pen`'s background.
  void erase(int r0, int r1, int c0, int c1, const Pen& pen);
  // Moves the rectangle's content up by n (down when n < 0) and left by m
  // (right when m < 0); vacated cells are erased with `pen`'s background.
  // Full-width vertical scrolls move rows, not cells.
  void scroll(int r0, int r1, int c0, int c1, int n, int m, const Pen& pen);
  // Rows scrolled off the top are handed out before they are reused.
  template <class OnRowLeaving>
  void scroll_up_full_width(int r0, int r1, int n, const Pen& pen, OnRowLeaving&& leaving) {
    for (int i = 0; i < n && i < r1 - r0; ++i)
      leaving(row(r0 + i), used(r0 + i), wrapped(r0 + i), start(r0 + i));
    if (n == 1 && r0 == 0 && r1 == rows_ && rows_ > 1) {
      // The line feed at the bottom of the screen, once per line of output:
      // the ring's start moves, the new last row is cleared.
      work_ += static_cast<std::uint64_t>(rows_) * static_cast<std::uint64_t>(cols_);
      rotate_ring(1);
      clear_row(rows_ - 1, pen);
      return;
    }
    scroll(r0, r1, 0, cols_, n, 0, pen);
  }

  // A new size, every row blank (a resize writes the rows back itself:
  // reflow.hpp). The work done so far is kept.
  void reset(int rows, int cols);
  // Row r's cells: `count` of them from column 0, the rest default blanks.
  void assign_row(int r, const Cell* cells, int count, bool wrapped);
  // A row exactly as it is, to be put back as it was.
  struct RowCopy {
    std::vector<Cell> cells;
    std::uint16_t used = 0, start = 0;
    std::uint8_t wrapped = 0;
  };
  void copy_row(int r, RowCopy& out) const {
    const Cell* line = row(r);
    out.cells.assign(line, line + cols_);
    out.used = used_[physical(r)];
    out.start = start_[physical(r)];
    out.wrapped = wrapped_[physical(r)];
  }
  void restore_row(int r, const RowCopy& in) {
    std::copy(in.cells.begin(), in.cells.end(), row(r));
    used_[physical(r)] = in.used;
    start_[physical(r)] = in.start;
    wrapped_[physical(r)] = in.wrapped;
  }

  std::size_t memory_bytes() const {
    return cells_.capacity() * sizeof(Cell) + order_.capacity() * sizeof(std::uint32_t) +
           used_.capacity() * sizeof(std::uint16_t) + wrapped_.capacity();
  }

  // Visits every cell (for the combining table's garbage collection).
  template <class F>
  void for_each_cell(F&& f) {
    for (auto& c : cells_)
      f(c);
  }

 private:
  int physical(int r) const {
    int i = base_ + r;
    if (i >= rows_) i -= rows_;
    return static_cast<int>(order_[i]);
  }
  void repair_before_put(Cell* line, int c, int width);
  void repair_edges(Cell* line, int c0, int c1);
  void clear_row(int r, const Pen& pen) {
    const int p = physical(r);
    wrapped_[p] = 0;
    if (pen.bg.kind != Color::kDefault) {
      fill_row(p, pen);
      return;
    }
    // Cell{} is all zero, and the cells before start_ and from used_ on
    // already are.
    Cell* line = cells_.data() + static_cast<std::size_t>(p) * cols_;
    const int from = std::min<int>(start_[p], used_[p]);
    std::memset(static_cast<void*>(line + from), 0,
                static_cast<std::size_t>(used_[p] - from) * sizeof(Cell));
    used_[p] = 0;
    start_[p] = static_cast<std::uint16_t>(cols_);
  }
  void fill_row(int physical_row, const Pen& pen);  // with pen's background
  // The whole screen scrolled by n (|n| < rows_) rows: the ring's start moves.
  void rotate_ring(int n) {
    base_ += n;
    if (base_ >= rows_) base_ -= rows_;
    if (base_ < 0) base_ += rows_;
  }
  // Clips a rectangle to the screen and counts its cells as work; false when
  // nothing of it is left.
  bool clip(int& r0, int& r1, int& c0, int& c1);
  void linearize();

  int rows_;
  int cols_;
  std::uint64_t work_ = 0;
  int base_ = 0;                       // ring start: logical row 0 is order_[base_]
  std::vector<std::uint32_t> order_;   // logical (ring) position -> physical row
  std::vector<std::uint16_t> used_;    // per physical row
  std::vector<std::uint8_t> wrapped_;  // per physical row
  std::vector<std::uint16_t> start_;   // per physical row
  std::vector<Cell> cells_;
};

}  // namespace ptyctl::emu
