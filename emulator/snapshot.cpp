// Emulator::snapshot and the text rendering: the bytes that repaint this
// emulator's scrollback and screen into a fresh terminal of the same size.

#include "ansi.hpp"
#include "emulator.hpp"

#include <ptyctl/proto/utf8.hpp>

#include <algorithm>
#include <cctype>

namespace ptyctl::emu {

namespace {

bool is_default_blank(const Cell& c) {
  return c == Cell{};
}

// The row's first cell holds a character: written first, it takes the wrap
// the row before left pending (a blank there would be skipped or erased,
// which cancels the wrap instead).
bool cells_start_with_character(const Cell* cells, int count) {
  return count > 0 && cells[0].ch != 0 && cells[0].width() != 0;
}

// The row's last cell holds a character (or the right half of one): writing
// it left a wrap pending, which the next row's first character takes.
bool cells_end_at_margin(const Cell* cells, int count, int cols) {
  if (count < cols) return false;
  const Cell& last = cells[cols - 1];
  if (last.width() == 1) return last.ch != 0;
  return last.width() == 0 && cols >= 2 && cells[cols - 2].width() == 2 && cells[cols - 2].ch != 0;
}

// The line's cell in the last column (a default blank past what it holds).
Cell last_cell(const Cell* cells, int count, int cols) {
  return count >= cols ? cells[cols - 1] : Cell{};
}

// How a snapshot writes a line that continues the one above (wrapped), so
// that the renderer marks it wrapped too (it reflows and copies the two as
// one): kAtMargin, the line above ends in a character in its last column,
// whose pending wrap this line's first character takes; kWide, this line
// starts with a wide character that did not fit in the last column above,
// which the renderer blanked with the character's pen, and is written there
// again; kForced, anything else (the line above was cut by a resize, or its
// end erased): a placeholder in the last column above makes the wrap
// pending, and is erased once the line's first cell took it. That needs a
// row above the cursor: not on a screen of one row.
enum class Continuation { kNone, kAtMargin, kWide, kForced };

Continuation continuation(bool wrapped, const Cell* above, int above_count, const Cell* cells,
                          int count, int cols, int rows) {
  if (!wrapped) return Continuation::kNone;
  // A blank first cell is written as a space and erased: only a blank an
  // erase makes (the background alone) comes out the same.
  const Cell first = count > 0 ? cells[0] : Cell{};
  const bool starts_with_character = cells_start_with_character(cells, count);
  if (!starts_with_character && !(first == blank_cell(first.pen))) return Continuation::kNone;
  if (cells_end_at_margin(above, above_count, cols)) return Continuation::kAtMargin;
  const Cell last = last_cell(above, above_count, cols);
  if (starts_with_character && first.width() == 2 && last.ch == 0 && last.width() == 1 &&
      last.pen == first.pen)
    return Continuation::kWide;
  // The placeholder is erased: so must the cell there have been.
  if (rows < 2 || !(last == blank_cell(last.pen))) return Continuation::kNone;
  return Continuation::kForced;
}

}  // namespace

void Emulator::append_pen(std::string& out, Pen& current, const Pen& wanted) const {
  if (current == wanted) return;
  Pen without_link = current;
  without_link.link = wanted.link;
  if (!(without_link == wanted)) append_sgr(out, wanted);
  if (current.link != wanted.link) {
    // OSC 8, which SGRs leave alone: the link's own text, or none.
    out += "\x1b]8;";
    out += wanted.link != 0 ? links_.text(wanted.link) : std::string_view(";");
    out += "\x1b\\";
  }
  current = wanted;
}

// Writes `count` cells of a row from column 0, cursor assumed at column 0 of
// a blank row. Blank runs are skipped (default) or erased with ECH (coloured).
void Emulator::append_row_ansi(std::string& out, const Cell* cells, int count, Pen& cur) const {
  // Trailing default blanks need nothing.
  while (count > 0 && is_default_blank(cells[count - 1]))
    --count;
  std::u32string chars;
  std::string utf8;
  int skip = 0;  // columns to move right before the next write
  for (int c = 0; c < count;) {
    const Cell& cell = cells[c];
    if (cell.ch == 0 || cell.width() == 0) {
      // A run of blanks with the same pen (an orphan right half counts as blank).
      int end = c + 1;
      while (end < count && (cells[end].ch == 0 || cells[end].width() == 0) &&
             cells[end].pen.bg == cell.pen.bg)
        ++end;
      const int n = end - c;
      if (cell.pen.bg.kind == Color::kDefault) {
        skip += n;
      } else {
        if (skip > 0) {
          out += "\x1b[" + std::to_string(skip) + "C";
          skip = 0;
        }
        append_pen(out, cur, blank_cell(cell.pen).pen);
        out += "\x1b[" + std::to_string(n) + "X";  // erase, background colour kept
        skip = n;
      }
      c = end;
      continue;
    }
    if (skip > 0) {
      out += "\x1b[" + std::to_string(skip) + "C";
      skip = 0;
    }
    append_pen(out, cur, cell.pen);
    combining_.expand(cell.ch, chars);
    utf8.clear();
    for (char32_t cp : chars)
      append_utf8(utf8, cp);
    out += utf8;
    c += cell.width() == 2 ? 2 : 1;
  }
}

std::string Emulator::snapshot_ansi(bool with_scrollback) const {
  std::string ansi;
  const std::size_t lines = with_scrollback ? scrollback_.size() : 0;
  ansi.reserve(static_cast<std::size_t>(rows_) * cols_ + lines * 32 + 256);
  if (!title_.empty()) {
    ansi += "\x1b]2;";
    ansi += title_;  // without control characters
    ansi += '\x07';
  }

  // Scrollback, then the primary screen, line after line: the oldest lines
  // scroll off into the fresh terminal's scrollback. The pen is reset before
  // every line break so that the lines scrolled in are default blanks.
  //
  // A line that continues the one before it (wrapped) gets no line break:
  // that one's last character left a wrap pending, which this line's first
  // character takes, so the renderer marks it wrapped too and reflows and
  // copies the two as one. That needs the line before to end in a character
  // at the margin, and autowrap, which is on while the lines are written
  // (the modes are set before snapshotAnsi: a program's ?7l comes back after
  // them); otherwise it is a line break as any other.
  //
  // A line that starts with a wide character that did not fit in the last
  // column above (kWide) is written after the line above without its last
  // column and the cursor put there: the character wraps again.
  Pen cur;
  if (!modes_.autoWrap) ansi += "\x1b[?7h";
  // Without scrollback to push out, blank rows at the bottom need no bytes.
  int primary_rows = rows_;
  // (Blank by content: `used` is a bound, an erased cell counts in it.)
  // A row that writes nothing: every cell blank on the default background
  // (append_row_ansi skips those whatever their other attributes). Judged by
  // what is written, not by the cells: a blank with a colour of its own and a
  // default blank must count the same, or a snapshot and the one after its
  // replay differ by a row's CUP (fuzzer finding, alternate screen).
  const auto blank_row_of = [](const ScreenBuffer& screen, int r) {
    const Cell* cells = screen.row(r);
    return std::all_of(cells, cells + screen.used(r), [](const Cell& c) {
      return (c.ch == 0 || c.width() == 0) && c.pen.bg.kind == Color::kDefault;
    });
  };
  // (But for one marked wrapped: a blank row can continue the one above.)
  if (lines == 0)
    while (primary_rows > 0 && blank_row_of(primary_, primary_rows - 1) &&
           !primary_.wrapped(primary_rows - 1))
      --primary_rows;
  // The scrollback's lines then the primary screen's rows, k = 0 first.
  struct LineRef {
    const Cell* cells = nullptr;
    int count = 0;
    bool wrapped = false;
  };
  std::vector<Cell> decoded[3];  // the lines above, being written and next
  const auto line_at = [&](std::size_t k) {
    if (k < lines) {
      std::vector<Cell>& cells = decoded[k % 3];
      scrollback_.line(k, cells, combining_, links_);
      const int count = std::min<int>(static_cast<int>(cells.size()), cols_);
      if (count > 0 && count < static_cast<int>(cells.size()) && cells[count - 1].width() == 2)
        cells[count - 1] = Cell{};  // a wide character cut at the right margin
      return LineRef{cells.data(), count, scrollback_.wrapped(k)};
    }
    const int r = static_cast<int>(k - lines);
    // The first row continues the newest scrollback line only when that is
    // written too (an upgrade's screen says it with kFirstRowWrappedOsc).
    return LineRef{primary_.row(r), primary_.used(r), (r > 0 || lines > 0) && primary_.wrapped(r)};
  };
  const std::size_t total = lines + static_cast<std::size_t>(primary_rows);
  LineRef above;
  LineRef line = total > 0 ? line_at(0) : LineRef{};
  static const Cell kBlank{};
  // How this line continues the one above: worked out with the line before.
  Continuation how = Continuation::kNone;
  for (std::size_t k = 0; k < total; ++k) {
    if (k > 0 && how == Continuation::kNone) {
      append_pen(ansi, cur, Pen{});
      ansi += "\r\n";
    }
    const Cell* cells = line.count > 0 ? line.cells : &kBlank;
    int written = 0;  // columns of the line written to take the wrap
    const bool starts_with_character = cells_start_with_character(cells, line.count);
    if (how != Continuation::kNone) {
      if (starts_with_character) {
        written = cells[0].width();
        append_row_ansi(ansi, cells, written, cur);
      } else {
        // A blank first cell: a space takes the wrap and is erased again.
        append_pen(ansi, cur, blank_cell(cells[0].pen).pen);
        ansi += " \x1b[D\x1b[X\x1b[C";
        written = 1;
      }
      if (how == Continuation::kForced) {
        // The placeholder above erased as the cell there was; then back
        // after the first cell: a character is written again (the cursor
        // may have to be past the last column, a pending wrap).
        append_pen(ansi, cur, blank_cell(last_cell(above.cells, above.count, cols_).pen).pen);
        ansi += "\x1b[A\x1b[" + std::to_string(cols_) + "G\x1b[X\x1b[B";
        if (starts_with_character) {
          ansi += '\r';
          append_row_ansi(ansi, cells, written, cur);
        } else {
          ansi += "\x1b[2G";
        }
      }
    }
    const LineRef next = k + 1 < total ? line_at(k + 1) : LineRef{};
    const Continuation next_how = k + 1 < total ? continuation(next.wrapped, line.cells, line.count,
                                                               next.cells, next.count, cols_, rows_)
                                                : Continuation::kNone;
    const int rest = std::max(line.count - written, 0);
    if (next_how == Continuation::kWide) {
      append_row_ansi(ansi, cells + written, std::max(std::min(line.count, cols_ - 1) - written, 0),
                      cur);
      ansi += "\x1b[" + std::to_string(cols_) + "G";
    } else {
      append_row_ansi(ansi, cells + written, rest, cur);
      if (next_how == Continuation::kForced) {
        // A placeholder in the last column makes the wrap pending.
        append_pen(ansi, cur, blank_cell(last_cell(line.cells, line.count, cols_).pen).pen);
        ansi += "\x1b[" + std::to_string(cols_) + "G ";
      }
    }
    above = line;
    line = next;
    how = next_how;
  }
  if (!modes_.autoWrap) ansi += "\x1b[?7l";

  // The saved cursors (DECSC), one per screen: a program's ESC 8 or leaving
  // the alternate screen goes back to them. Saved at the place a restore
  // would put them now, with their pens.
  const auto save = [&](int screen, std::string_view how) {
    append_pen(ansi, cur, saved_[screen].pen);
    append_cup(ansi, saved_row(screen), std::clamp(saved_[screen].col, 0, cols_ - 1));
    ansi += how;
  };
  const bool saved_alternate = saved_[1].saved;
  if (on_alternate_screen()) {
    // 1049 saves the primary screen's as it enters the alternate one.
    save(0, "\x1b[?1049h");
    // Entering it erased it with that pen's background: the default's again.
    append_pen(ansi, cur, Pen{});
    ansi += "\x1b[2J";
    for (int r = 0; r < rows_; ++r) {
      if (blank_row_of(*alternate_, r)) continue;
      append_cup(ansi, r, 0);
      append_row_ansi(ansi, alternate_->row(r), alternate_->used(r), cur);
    }
    if (saved_alternate)
      save(1,
           "\x1b"
           "7");
  } else {
    if (saved_[0].saved)
      save(0,
           "\x1b"
           "7");
    // The alternate screen keeps its own while it is not shown (1047
    // enters and leaves it without saving or restoring).
    if (saved_alternate) {
      ansi += "\x1b[?1047h";
      save(1,
           "\x1b"
           "7");
      ansi += "\x1b[?1047l";
    }
  }

  // The state a program's next bytes rely on: tab stops, scroll region,
  // insert and newline modes, character sets, pen, cursor.
  bool default_tabs = true;
  for (int c = 0; c < cols_; ++c)
    default_tabs = default_tabs && tab_stops_[static_cast<std::size_t>(c)] == (c % 8 == 0);
  if (!default_tabs) {
    append_pen(ansi, cur, Pen{});
    ansi += "\x1b[3g";  // TBC: all cleared, then HTS at each
    for (int c = 0; c < cols_; ++c) {
      if (!tab_stops_[static_cast<std::size_t>(c)]) continue;
      append_cup(ansi, 0, c);
      ansi += "\x1bH";
    }
  }
  const bool partial_margins = !(margin_top_ == 0 && margin_bottom_ == rows_);
  if (partial_margins)
    ansi += "\x1b[" + std::to_string(margin_top_ + 1) + ";" + std::to_string(margin_bottom_) + "r";
  // With origin mode on, CUP counts from the top margin.
  const auto origin_row = [&](int row) {
    return modes_.originMode && partial_margins ? row - margin_top_ : row;
  };
  const bool phantom = phantom_ && phantom_row_ >= 0 && phantom_row_ < rows_;
  if (phantom) {
    // A wrap pending after the last column's character: that character is
    // written there once more (before insert mode and the character sets
    // could change how), which leaves the wrap pending here too; the cursor
    // stays there.
    int col = std::clamp(phantom_col_, 0, cols_ - 1);
    const Cell* row = active_->row(phantom_row_);
    // REP leaves the wrap pending past a wide character: it is the one to
    // write again, from its left half.
    if (row[col].width() == 0 && col > 0 && row[col - 1].width() == 2) --col;
    append_cup(ansi, origin_row(phantom_row_), col);
    const Cell& cell = row[col];
    if (cell.ch == 0 || cell.width() == 0) {
      append_pen(ansi, cur, blank_cell(cell.pen).pen);
      ansi += " \x1b[X";  // and erased again, as it was
    } else {
      append_row_ansi(ansi, &cell, 1, cur);
    }
  }
  if (insert_mode_) ansi += "\x1b[4h";
  if (tracker_.keypad_application()) ansi += "\x1b=";
  if (tracker_.cursor_style() != 0)
    ansi += "\x1b[" + std::to_string(tracker_.cursor_style()) + " q";
  if (newline_mode_) ansi += "\x1b[20h";
  for (int set = 0; set < 4; ++set)
    if (tracker_.g(set) != 'B') {
      ansi += "\x1b";
      ansi += static_cast<char>('(' + set);
      ansi += tracker_.g(set);
    }
  static constexpr const char* kLockingShift[] = {"", "\x0e", "\x1bn", "\x1bo"};
  ansi += kLockingShift[tracker_.gl()];
  append_pen(ansi, cur, pen_);
  if (!phantom) append_cup(ansi, origin_row(cursor_row_), cursor_col_);

  return ansi;
}

bool Emulator::row_wrapped(int r) const {
  // The alternate screen's rows are written each at its own place.
  if (active_ != &primary_ || !active_->wrapped(r)) return false;
  if (r > 0)
    return continuation(true, active_->row(r - 1), active_->used(r - 1), active_->row(r),
                        active_->used(r), cols_, rows_) != Continuation::kNone;
  if (scrollback_.size() == 0) return false;
  // The first row continues the scrollback's newest line.
  std::vector<Cell> above;
  scrollback_.line(scrollback_.size() - 1, above, combining_, links_);
  return continuation(true, above.data(), static_cast<int>(above.size()), active_->row(r),
                      active_->used(r), cols_, rows_) != Continuation::kNone;
}

bool Emulator::scrollback_wrapped(std::size_t i) const {
  if (i == 0 || !scrollback_.wrapped(i)) return false;
  std::vector<Cell> above, cells;
  scrollback_.line(i - 1, above, combining_, links_);
  scrollback_.line(i, cells, combining_, links_);
  return continuation(true, above.data(), static_cast<int>(above.size()), cells.data(),
                      static_cast<int>(cells.size()), cols_, rows_) != Continuation::kNone;
}

proto::Snapshot Emulator::snapshot() const {
  proto::Snapshot s;
  s.snapshotAnsi = snapshot_ansi(true);
  // An escape sequence or string in progress ends the snapshot as far as it
  // has come, so the bytes after the snapshot's offset finish it in the
  // renderer as they finished it here (docs/emulator.md, "Snapshot"). A
  // character cut by the end of the last feed is not in it: the offset goes
  // back to its first byte instead (unfinished_bytes()).
  const std::string partial = tracker_.partial();
  s.snapshotAnsi += proto::utf8_sanitize(
      std::string_view(partial).substr(0, proto::utf8_complete_prefix(partial)));
  s.rehydrateSequences = proto::rehydrate_sequences(modes_);
  s.cwd = cwd_;
  s.modes = modes_;
  s.cols = cols_;
  s.rows = rows_;
  s.scrollbackLines = static_cast<int>(scrollback_.size());
  if (!title_.empty()) s.title = title_;
  s.cursorX = cursor_col_;
  s.cursorY = cursor_row_;
  s.text = text(false);
  return s;
}

Emulator::Handover Emulator::handover() const {
  Handover h;
  h.rehydrate = proto::rehydrate_sequences(modes_);
  // The screens and the state as a snapshot writes them; the scrollback as
  // it is held (written out and read back, 5000 lines cost the most).
  h.screen = snapshot_ansi(false);
  if (cwd_) {
    // The working directory (a snapshot has it beside its bytes): OSC 7, a
    // '%' that a decoder would take for an escape escaped itself.
    h.screen += "\x1b]7;file://";
    const std::string& d = *cwd_;
    for (std::size_t i = 0; i < d.size(); ++i) {
      const bool hex_follows = i + 2 < d.size() &&
                               std::isxdigit(static_cast<unsigned char>(d[i + 1])) &&
                               std::isxdigit(static_cast<unsigned char>(d[i + 2]));
      if (d[i] == '%' && hex_follows)
        h.screen += "%25";
      else
        h.screen += d[i];
    }
    h.screen += '\x07';
  }
  // Written without the scrollback, the screen cannot say that its first row
  // continues the scrollback's newest line: an OSC of ours does.
  if (primary_.wrapped(0)) {
    h.screen += "\x1b]";
    h.screen += kFirstRowWrappedOsc;
    h.screen += '\x07';
  }
  h.scrollback = scrollback_.encode();
  // The escape sequence in progress, then a character cut at the end of the
  // last feed (which nothing has seen yet).
  h.pending = tracker_.partial() + utf8_tail_;
  return h;
}

bool Emulator::restore(const HandoverView& h) {
  feed(h.rehydrate);
  feed(h.screen);
  if (!scrollback_.decode(h.scrollback)) return false;
  // The screen's ESC 7 counted its row from the top of a scrollback that
  // was not there yet.
  if (saved_[0].saved) saved_[0].row += static_cast<long>(scrollback_.size());
  feed(h.pending);
  return true;
}

std::string Emulator::row_text(const Cell* cells, int count) const {
  std::string out;
  std::u32string chars;
  for (int c = 0; c < count; ++c) {
    // A right half is part of the wide character before it; one without it
    // is a blank, as the snapshot writes it (fuzzer finding).
    const bool orphan = cells[c].width() == 0 && (c == 0 || cells[c - 1].width() != 2);
    if (cells[c].width() == 0 && !orphan) continue;
    if (cells[c].ch == 0 || orphan) {
      out += ' ';
      continue;
    }
    combining_.expand(cells[c].ch, chars);
    for (char32_t cp : chars)
      append_utf8(out, cp);
  }
  while (!out.empty() && out.back() == ' ')
    out.pop_back();
  return out;
}

std::string Emulator::text(bool with_scrollback) const {
  std::vector<std::string> lines;
  if (with_scrollback) {
    std::vector<Cell> cells;
    for (std::size_t i = 0; i < scrollback_.size(); ++i) {
      scrollback_.line(i, cells, combining_, links_);
      lines.push_back(row_text(cells.data(), static_cast<int>(cells.size())));
    }
  }
  for (int r = 0; r < rows_; ++r)
    lines.push_back(row_text(active_->row(r), active_->used(r)));
  while (!lines.empty() && lines.back().empty())
    lines.pop_back();
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) out += '\n';
    out += lines[i];
  }
  return out;
}

}  // namespace ptyctl::emu
