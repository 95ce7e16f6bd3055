#include "screen_buffer.hpp"

#include <algorithm>
#include <cstring>
#include <numeric>

namespace ptyctl::emu {

ScreenBuffer::ScreenBuffer(int rows, int cols)
    : rows_(rows),
      cols_(cols),
      order_(rows),
      used_(rows, 0),
      wrapped_(rows, 0),
      start_(rows, static_cast<std::uint16_t>(cols)),
      cells_(static_cast<std::size_t>(rows) * cols) {
  std::iota(order_.begin(), order_.end(), 0u);
}

void ScreenBuffer::repair_before_put(Cell* line, int c, int width) {
  if (line[c].width() == 0 && c > 0 && line[c - 1].width() == 2) line[c - 1] = Cell{};
  if (line[c].width() == 2 && width == 1 && c + 1 < cols_ && line[c + 1].width() == 0)
    line[c + 1] = Cell{};
  if (width == 2 && c + 2 < cols_ && line[c + 1].width() == 2) line[c + 2] = Cell{};
}

// After cells in [c0, c1) changed: no wide character may be left in halves at
// either edge, nor a left half in the last column.
void ScreenBuffer::repair_edges(Cell* line, int c0, int c1) {
  auto fix_boundary = [&](int i) {  // between columns i - 1 and i
    if (i <= 0 || i >= cols_) return;
    const bool head = line[i - 1].width() == 2;
    const bool tail = line[i].width() == 0;
    if (head && !tail) line[i - 1] = Cell{};
    if (tail && !head) line[i] = Cell{};
  };
  fix_boundary(c0);
  fix_boundary(c1);
  if (line[0].width() == 0) line[0] = Cell{};
  if (line[cols_ - 1].width() == 2) line[cols_ - 1] = Cell{};
}

void ScreenBuffer::fill_row(int p, const Pen& pen) {
  Cell* line = cells_.data() + static_cast<std::size_t>(p) * cols_;
  std::fill(line, line + cols_, blank_cell(pen));
  used_[p] = static_cast<std::uint16_t>(cols_);
  start_[p] = 0;
}

bool ScreenBuffer::clip(int& r0, int& r1, int& c0, int& c1) {
  r0 = std::max(r0, 0);
  r1 = std::min(r1, rows_);
  c0 = std::max(c0, 0);
  work_ += static_cast<std::uint64_t>(std::max(r1 - r0, 0)) *
           static_cast<std::uint64_t>(std::max(std::min(c1, cols_) - c0, 0));
  c1 = std::min(c1, cols_);
  return r0 < r1 && c0 < c1;
}

void ScreenBuffer::erase(int r0, int r1, int c0, int c1, const Pen& pen) {
  if (!clip(r0, r1, c0, c1)) return;
  const bool default_bg = pen.bg.kind == Color::kDefault;
  for (int r = r0; r < r1; ++r) {
    if (c0 == 0 && c1 == cols_) {
      clear_row(r, pen);
      continue;
    }
    Cell* line = row(r);
    // Erasing half of a wide character erases all of it.
    if (c0 > 0 && line[c0].width() == 0) line[c0 - 1] = Cell{};
    if (c1 < cols_ && line[c1].width() == 0) line[c1] = Cell{};
    std::uint16_t& u = used_[physical(r)];
    if (default_bg) {
      // Cells at and past `used` are default blanks already.
      const int end = std::min<int>(c1, u);
      if (c0 < end) std::memset(static_cast<void*>(line + c0), 0, (end - c0) * sizeof(Cell));
      if (c1 >= u && c0 < u) u = static_cast<std::uint16_t>(c0);
    } else {
      std::fill(line + c0, line + c1, blank_cell(pen));
      if (c1 > u) u = static_cast<std::uint16_t>(c1);
      std::uint16_t& s = start_[physical(r)];
      if (c0 < s) s = static_cast<std::uint16_t>(c0);
    }
  }
}

void ScreenBuffer::linearize() {
  if (base_ == 0) return;
  std::rotate(order_.begin(), order_.begin() + base_, order_.end());
  base_ = 0;
}

void ScreenBuffer::scroll(int r0, int r1, int c0, int c1, int n, int m, const Pen& pen) {
  if (!clip(r0, r1, c0, c1)) return;
  const int height = r1 - r0;
  const int width = c1 - c0;

  if (m == 0 && c0 == 0 && c1 == cols_) {
    if (n >= height || -n >= height) {
      for (int r = r0; r < r1; ++r)
        clear_row(r, pen);
      return;
    }
    if (n == 0) return;
    if (r0 == 0 && r1 == rows_) {
      rotate_ring(n);  // the whole screen: touch no cell but the new rows
    } else {
      linearize();
      auto first = order_.begin() + r0;
      auto last = order_.begin() + r1;
      std::rotate(first, n > 0 ? first + n : last + n, last);
    }
    if (n > 0) {
      for (int r = r1 - n; r < r1; ++r)
        clear_row(r, pen);
    } else {
      for (int r = r0; r < r0 - n; ++r)
        clear_row(r, pen);
    }
    return;
  }

  // Cells move within rows from here on: where each row's start is is not
  // worked out.
  for (int r = r0; r < r1; ++r)
    start_[physical(r)] = 0;
  if (n != 0) {
    // A partial-width vertical scroll (left/right margins): copy cells.
    if (n >= height || -n >= height) {
      erase(r0, r1, c0, c1, pen);
    } else if (n > 0) {
      for (int r = r0; r + n < r1; ++r) {
        std::memcpy(static_cast<void*>(row(r) + c0), row(r + n) + c0, width * sizeof(Cell));
        used_[physical(r)] = std::max<std::uint16_t>(used_[physical(r)], c1);
      }
      erase(r1 - n, r1, c0, c1, pen);
    } else {
      for (int r = r1 - 1; r + n >= r0; --r) {
        std::memcpy(static_cast<void*>(row(r) + c0), row(r + n) + c0, width * sizeof(Cell));
        used_[physical(r)] = std::max<std::uint16_t>(used_[physical(r)], c1);
      }
      erase(r0, r0 - n, c0, c1, pen);
    }
    for (int r = r0; r < r1; ++r)
      repair_edges(row(r), c0, c1);
  }

  if (m != 0) {
    // Insert or delete characters: shift cells within each row.
    for (int r = r0; r < r1; ++r) {
      Cell* line = row(r);
      std::uint16_t& u = used_[physical(r)];
      if (u <= c0 && pen.bg.kind == Color::kDefault) continue;  // nothing to move
      if (m >= width || -m >= width) {
        std::fill(line + c0, line + c1, blank_cell(pen));
      } else if (m > 0) {
        std::memmove(static_cast<void*>(line + c0), line + c0 + m, (width - m) * sizeof(Cell));
        std::fill(line + c1 - m, line + c1, blank_cell(pen));
      } else {
        std::memmove(static_cast<void*>(line + c0 - m), line + c0, (width + m) * sizeof(Cell));
        std::fill(line + c0, line + c0 - m, blank_cell(pen));
      }
      u = std::max<std::uint16_t>(u, c1);
      repair_edges(line, c0, c1);
    }
  }
}

void ScreenBuffer::reset(int rows, int cols) {
  work_ += static_cast<std::uint64_t>(rows) * static_cast<std::uint64_t>(cols);
  rows_ = rows;
  cols_ = cols;
  base_ = 0;
  order_.resize(static_cast<std::size_t>(rows));
  std::iota(order_.begin(), order_.end(), 0u);
  used_.assign(static_cast<std::size_t>(rows), 0);
  start_.assign(static_cast<std::size_t>(rows), static_cast<std::uint16_t>(cols));
  wrapped_.assign(static_cast<std::size_t>(rows), 0);
  cells_.assign(static_cast<std::size_t>(rows) * cols, Cell{});
}

void ScreenBuffer::assign_row(int r, const Cell* cells, int count, bool wrapped) {
  Cell* line = row(r);
  const int n = std::clamp(count, 0, cols_);
  work_ += static_cast<std::uint64_t>(cols_);
  std::copy(cells, cells + n, line);
  std::fill(line + n, line + cols_, Cell{});
  if (line[cols_ - 1].width() == 2) line[cols_ - 1] = Cell{};  // a wide char cut at the margin
  if (line[0].width() == 0) line[0] = Cell{};
  used_[physical(r)] = static_cast<std::uint16_t>(n);
  start_[physical(r)] = 0;
  wrapped_[physical(r)] = wrapped ? 1 : 0;
}

}  // namespace ptyctl::emu
