#include "reflow.hpp"

#include <algorithm>

namespace ptyctl::emu {

namespace {

using Line = ResizedBuffer::Line;

Line blank_line(int cols) {
  Line l;
  l.cells.resize(static_cast<std::size_t>(cols));
  return l;
}

// How far the line holds anything: past its last character (a wide one
// counts both columns). Erased cells are nothing, whatever their colour; a
// space written is something.
int trimmed_length(const Line& line) {
  for (int i = static_cast<int>(line.cells.size()) - 1; i >= 0; --i) {
    const Cell& c = line.cells[static_cast<std::size_t>(i)];
    if (c.ch != 0 && c.width() > 0) return i + c.width();
  }
  return 0;
}

// The cells row i of a wrapped line adds to it: all of them but on its last
// row (where what is trimmed), and but the blank last column a wide
// character that did not fit left.
int wrapped_row_length(const std::vector<Line*>& group, std::size_t i, int old_cols) {
  if (i + 1 == group.size()) return trimmed_length(*group[i]);
  const Cell& last = group[i]->cells[static_cast<std::size_t>(old_cols - 1)];
  if (last.ch == 0 && last.width() == 1 && group[i + 1]->cells[0].width() == 2) return old_cols - 1;
  return old_cols;
}

// The line's cells, its rows' own lengths end to end.
std::vector<Cell> logical_cells(const std::vector<Line*>& group, int old_cols) {
  std::vector<Cell> cells;
  for (std::size_t i = 0; i < group.size(); ++i) {
    const int n = wrapped_row_length(group, i, old_cols);
    cells.insert(cells.end(), group[i]->cells.begin(), group[i]->cells.begin() + n);
  }
  return cells;
}

}  // namespace

void ResizedBuffer::resize(int new_cols, int new_rows) {
  const int old_cols = cols, old_rows = rows;
  if (max_length_ == 0) max_length_ = static_cast<std::size_t>(old_rows) + scrollback;
  const std::size_t new_max = static_cast<std::size_t>(new_rows) + scrollback;
  if (new_max > max_length_) max_length_ = new_max;
  // A pending wrap is the cursor past the last column.
  if (!lines.empty()) {
    if (old_cols < new_cols)
      for (Line& l : lines)
        l.cells.resize(static_cast<std::size_t>(new_cols));
    // Rows: taller takes lines back from above the screen while the cursor
    // is on the last line, else adds blank ones; shorter drops lines below
    // the cursor (whatever they hold), then moves the top rows up.
    int add_to_y = 0;
    for (int i = old_rows; i < new_rows; ++i) {
      if (lines.size() >= static_cast<std::size_t>(new_rows) + ybase) continue;
      if (ybase > 0 && lines.size() <= ybase + static_cast<std::size_t>(y + add_to_y) + 1) {
        --ybase;
        ++add_to_y;
      } else {
        lines.push_back(blank_line(std::max(old_cols, new_cols)));
      }
    }
    for (int i = new_rows; i < old_rows; ++i) {
      if (lines.size() <= static_cast<std::size_t>(new_rows) + ybase) continue;
      if (lines.size() > ybase + static_cast<std::size_t>(y) + 1)
        lines.pop_back();
      else
        ++ybase;
    }
    if (new_max < max_length_) {
      if (lines.size() > new_max) {
        const std::size_t trim = lines.size() - new_max;
        lines.erase(lines.begin(), lines.begin() + static_cast<std::ptrdiff_t>(trim));
        ybase = ybase > trim ? ybase - trim : 0;
        saved_y = std::max<long>(saved_y - static_cast<long>(trim), 0);
      }
      max_length_ = new_max;
    }
    x = std::min(x, new_cols - 1);
    y = std::min(y, new_rows - 1) + add_to_y;
    saved_x = std::min(saved_x, new_cols - 1);
  }
  if (reflow && new_cols > old_cols) reflow_larger(old_cols, new_cols, new_rows);
  if (reflow && new_cols < old_cols) reflow_smaller(old_cols, new_cols, new_rows);
  if (new_cols < old_cols)
    for (Line& l : lines) {
      l.cells.resize(static_cast<std::size_t>(new_cols));
      // A wide character cut at the margin is not shown whole: a blank.
      if (l.cells.back().width() == 2) l.cells.back() = Cell{};
    }
  cols = new_cols;
  rows = new_rows;
}

void ResizedBuffer::reflow_larger(int old_cols, int new_cols, int new_rows) {
  // Each wrapped line but the cursor's is joined up to the new width and
  // the rows it no longer needs go.
  const std::size_t cursor = ybase + static_cast<std::size_t>(y);
  std::vector<std::pair<std::size_t, std::size_t>> to_remove;  // first, count
  std::size_t r = 0;
  while (r + 1 < lines.size()) {
    if (!lines[r + 1].wrapped) {
      ++r;
      continue;
    }
    std::size_t end = r + 1;
    while (end < lines.size() && lines[end].wrapped)
      ++end;
    if (r <= cursor && cursor < end) {  // the cursor's own line is not rejoined
      r = end;
      continue;
    }
    std::vector<Line*> group;
    for (std::size_t i = r; i < end; ++i)
      group.push_back(&lines[i]);
    std::size_t dest = 0;
    int dest_col = wrapped_row_length(group, 0, old_cols);
    // Row by row from the second, each row's cells appended where the
    // rows before end (never ahead of what is still to be read).
    std::vector<int> lengths(group.size());
    for (std::size_t i = 0; i < group.size(); ++i)
      lengths[i] = wrapped_row_length(group, i, old_cols);
    for (std::size_t src = 1; src < group.size(); ++src) {
      for (int c = 0; c < lengths[src]; ++c) {
        const Cell cell = group[src]->cells[static_cast<std::size_t>(c)];
        group[dest]->cells[static_cast<std::size_t>(dest_col++)] = cell;
        if (dest_col == new_cols) {
          ++dest;
          dest_col = 0;
          // A wide character's left half in the last column moves down.
          Cell& last = group[dest - 1]->cells[static_cast<std::size_t>(new_cols - 1)];
          if (last.width() == 2) {
            group[dest]->cells[0] = last;
            last = Cell{};
            dest_col = 1;
          }
        }
      }
    }
    std::fill(group[dest]->cells.begin() + dest_col, group[dest]->cells.end(), Cell{});
    std::size_t k = 0;
    for (std::size_t i = group.size() - 1; i >= 1; --i) {
      if (i > dest || trimmed_length(*group[i]) == 0)
        ++k;
      else
        break;
    }
    if (k > 0) to_remove.emplace_back(end - k, k);
    r = end;
  }
  std::size_t removed = 0;
  for (auto it = to_remove.rbegin(); it != to_remove.rend(); ++it) {
    lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(it->first),
                lines.begin() + static_cast<std::ptrdiff_t>(it->first + it->second));
    removed += it->second;
  }
  for (std::size_t i = 0; i < removed; ++i) {
    if (ybase == 0) {
      if (y > 0) --y;
      if (lines.size() < static_cast<std::size_t>(new_rows)) lines.push_back(blank_line(new_cols));
    } else {
      --ybase;
    }
  }
  saved_y = std::max<long>(saved_y - static_cast<long>(removed), 0);
}

void ResizedBuffer::reflow_smaller(int old_cols, int new_cols, int new_rows) {
  // From the bottom up, each line longer than the new width but the
  // cursor's is cut into rows of it; a wide character that would straddle
  // the edge goes to the next row whole. The rows added are inserted at the
  // end, all at once.
  std::vector<std::pair<std::size_t, std::vector<Line>>> to_insert;  // before index, rows
  std::size_t count_to_insert = 0;
  for (std::size_t next = lines.size(); next > 0;) {
    std::size_t r = next - 1;
    if (r >= lines.size()) {  // a line taken off the bottom below
      next = r;
      continue;
    }
    if (!lines[r].wrapped && trimmed_length(lines[r]) <= new_cols) {
      next = r;
      continue;
    }
    std::size_t end = r + 1;
    while (lines[r].wrapped && r > 0)
      --r;
    next = r;
    const std::size_t cursor = ybase + static_cast<std::size_t>(y);
    if (r <= cursor && cursor < end) continue;
    std::vector<Line*> group;
    for (std::size_t i = r; i < end; ++i)
      group.push_back(&lines[i]);
    const std::vector<Cell> cells = logical_cells(group, old_cols);
    std::vector<int> lengths;
    for (std::size_t pos = 0; pos < cells.size();) {
      int n = new_cols;
      if (cells.size() - pos < static_cast<std::size_t>(new_cols))
        n = static_cast<int>(cells.size() - pos);
      else if (cells[pos + static_cast<std::size_t>(new_cols) - 1].width() == 2)
        n = new_cols - 1;
      lengths.push_back(n);
      pos += static_cast<std::size_t>(n);
    }
    if (lengths.empty()) lengths.push_back(0);
    const long add = static_cast<long>(lengths.size()) - static_cast<long>(group.size());
    long trimmed;
    if (ybase == 0 && static_cast<std::size_t>(y) != lines.size() - 1)
      trimmed = std::max<long>(0, y - static_cast<long>(max_length_) + add);
    else
      trimmed =
          std::max<long>(0, static_cast<long>(lines.size()) - static_cast<long>(max_length_) + add);
    std::vector<Line> added;
    for (long i = 0; i < add; ++i) {
      Line l = blank_line(new_cols);
      l.wrapped = true;
      added.push_back(std::move(l));
    }
    // The cells laid out again: row i takes lengths[i] of them.
    std::size_t pos = 0;
    for (std::size_t i = 0; i < lengths.size(); ++i) {
      Line& l = i < group.size() ? *group[i] : added[i - group.size()];
      const auto n = static_cast<std::size_t>(lengths[i]);
      std::copy(cells.begin() + static_cast<std::ptrdiff_t>(pos),
                cells.begin() + static_cast<std::ptrdiff_t>(pos + n), l.cells.begin());
      std::fill(l.cells.begin() + static_cast<std::ptrdiff_t>(n), l.cells.end(), Cell{});
      pos += n;
    }
    // Rows the line no longer fills (it was shorter at the old width than
    // its rows: a wide character at the edge) are blank.
    for (std::size_t i = lengths.size(); i < group.size(); ++i)
      std::fill(group[i]->cells.begin(), group[i]->cells.end(), Cell{});
    if (add > 0) {
      to_insert.emplace_back(end, std::move(added));
      count_to_insert += static_cast<std::size_t>(add);
    }
    for (long i = 0; i < add - trimmed; ++i) {
      if (ybase == 0) {
        if (y < new_rows - 1) {
          ++y;
          lines.pop_back();
        } else {
          ++ybase;
        }
      } else if (ybase + static_cast<std::size_t>(new_rows) <
                 std::min(max_length_, lines.size() + count_to_insert)) {
        ++ybase;
      }
    }
    saved_y = std::min<long>(saved_y + add, static_cast<long>(ybase) + new_rows - 1);
  }
  if (to_insert.empty()) return;
  // Inserted at once: the positions are the lines' before any insertion.
  std::vector<Line> result;
  result.reserve(lines.size() + count_to_insert);
  std::sort(to_insert.begin(), to_insert.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::size_t k = 0;
  for (std::size_t i = 0; i <= lines.size(); ++i) {
    while (k < to_insert.size() && (to_insert[k].first == i || i == lines.size())) {
      for (Line& l : to_insert[k].second)
        result.push_back(std::move(l));
      ++k;
    }
    if (i < lines.size()) result.push_back(std::move(lines[i]));
  }
  lines = std::move(result);
  if (lines.size() > max_length_) {
    const std::size_t drop = lines.size() - max_length_;
    lines.erase(lines.begin(), lines.begin() + static_cast<std::ptrdiff_t>(drop));
  }
}

}  // namespace ptyctl::emu
