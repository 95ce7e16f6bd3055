// The emulator's fast path: the common part of what programs write (text
// of characters libvterm draws on their own, also in DEC Special Graphics,
// CR, LF, TAB, SGR, cursor positioning, erase in line and display, erase
// characters, setting and clearing tab stops, IND, NEL, RI, OSC strings such as links)
// applied straight to the screen, without libvterm, which then gets the
// resulting state in a few bytes (tab stops, cursor, and the last character
// written again so that its memory of the previous glyph is current).
// Anything else, or any parameter it does not know, ends the run and goes
// through libvterm.
//
// It runs only where nothing else can change the meaning of these bytes: the
// parser between sequences, ASCII or DEC Special Graphics in G0, no insert or newline mode, a
// scroll region only outside origin mode, no left/right margins or double-width lines, and a wrap
// pending only in the last column. Its rules are libvterm 0.1.4's (checked by the tests feeding the
// same streams in one piece and one byte at a time, and by the fuzzer).

#include "ansi.hpp"
#include "emulator.hpp"
#include "glyph_widths.hpp"
#include "sgr.hpp"

#include <vterm.h>

#include <algorithm>
#include <cstring>

namespace ptyctl::emu {

namespace {

struct Csi {
  int params[16];
  int count = 0;    // parameters seen; a missing one is -1
  char leader = 0;  // '?' or none
  char final = 0;
  std::size_t length = 0;  // bytes from ESC to the final byte
};

// Parses "ESC [ digits;digits... final" with nothing else (no leader,
// intermediate or sub-parameter). Returns false for anything else, or when
// the sequence is not complete within n bytes.
bool parse_simple_csi(const char* p, std::size_t n, Csi& csi) {
  if (n < 3 || p[1] != '[') return false;
  csi.count = 0;
  csi.leader = p[2] == '?' ? '?' : 0;
  int current = -1;
  for (std::size_t i = csi.leader ? 3 : 2; i < n; ++i) {
    const char c = p[i];
    if (c >= '0' && c <= '9') {
      current = current < 0 ? c - '0' : std::min(current * 10 + (c - '0'), 99999);
    } else if (c == ';') {
      if (csi.count == 16) return false;
      csi.params[csi.count++] = current;
      current = -1;
    } else if (c >= 0x40 && c < 0x7f) {
      if (csi.count == 16) return false;
      if (current >= 0 || csi.count > 0) csi.params[csi.count++] = current;
      csi.final = c;
      csi.length = i + 1;
      return true;
    } else {
      return false;
    }
  }
  return false;
}

// A character that is not ASCII at some position: its code point, length
// and width for the fast path (simple_glyph_width, 0 if it may not write
// it). The lookahead's answer is kept for when the run gets there.
struct Decoded {
  std::size_t at = static_cast<std::size_t>(-1);
  std::uint32_t cp = 0;
  int len = 0;
  int width = 0;
};

const Decoded& decode_at(const char* p, std::size_t n, std::size_t at, Decoded& cache) {
  if (cache.at != at) {
    cache.at = at;
    cache.cp = decode_utf8(p + at, n - at, &cache.len);
    cache.width = cache.len == 0 ? 0 : simple_glyph_width(cache.cp);
  }
  return cache;
}

int count_arg(const Csi& csi, int i) {  // libvterm's CSI_ARG_COUNT: missing or 0 is 1
  return i < csi.count && csi.params[i] > 0 ? csi.params[i] : 1;
}

}  // namespace

std::size_t Emulator::run_fast_path(const char* p, std::size_t n) {
  ScreenBuffer& screen = *active_;
  const int rows = rows_, cols = cols_;
  int row = cursor_row_, col = cursor_col_;
  if (row < 0 || row >= rows || col < 0 || col >= cols) return 0;
  const bool autowrap = modes_.autoWrap;
  // G0: ASCII or DEC Special Graphics (fast_path_ready); the run may switch
  // between the two.
  char g0 = tracker_.g(0);
  bool dec_graphics = g0 == '0';
  bool switched = false;
  Pen pen = pen_;
  // A pending wrap it starts with (fast_path_ready allows one in the last
  // column) is the run's own.
  bool phantom = phantom_;
  // The last character written, to be written once more through libvterm.
  int last_row = -1, last_col = 0;
  const char* last_char = nullptr;
  int last_length = 0;
  Pen last_pen;
  char last_g0 = g0;
  // An erase after it: its cell is as the erase left it, which writing it
  // again through libvterm must not undo.
  bool erased_after_last = false;
  // The scroll region (fast_path_ready: not in origin mode if it is not the
  // whole screen): a line feed on its bottom row scrolls it, one below it
  // moves down to the screen's last row and stays there.
  const int top = margin_top_, bottom = margin_bottom_;
  const bool whole_screen = top == 0 && bottom == rows;
  bool scrolled_after_glyph = false;  // for scrolled_, as libvterm's callbacks set it
  auto line_feed = [&] {
    if (row == bottom - 1) {
      scroll_up(top, bottom, 1, pen);
      scrolled_after_glyph = true;
      // The last character written moved up with the region, or off it.
      if (last_row >= top && last_row < bottom && --last_row < top) last_char = nullptr;
    } else if (row < rows - 1) {
      ++row;
    }
  };
  // RI: the other way; on the region's top row it scrolls the region down.
  auto reverse_line_feed = [&] {
    if (row == top) {
      screen.scroll(top, bottom, 0, cols, -1, 0, pen);
      scrolled_after_glyph = true;
      if (last_row >= top && last_row < bottom && ++last_row >= bottom) last_char = nullptr;
    } else if (row > 0) {
      --row;
    }
  };

  // Where the next glyph starts from (cursor_before_), as libvterm's
  // callbacks would leave it: after a glyph, the column past it (also at
  // the margin, where the cursor stays); after a move, where it went; a
  // scroll or a move to where the cursor is reports nothing.
  auto before = cursor_before_;
  int seen_row = row, seen_col = col;
  auto note_move = [&] {
    if (row == seen_row && col == seen_col) return;
    before = {row, col};
    seen_row = row;
    seen_col = col;
  };
  // The pending wrap happens before a glyph.
  auto wrap_pending = [&] {
    line_feed();
    col = 0;
    phantom = false;
    screen.set_wrapped(row, true);
  };
  // A glyph of `width` columns written at at_col from `bytes`: kept for the
  // hand-back; the cursor goes past it, or stays on it with a wrap pending.
  auto wrote_glyph = [&](int at_col, const char* bytes, int length, int width) {
    last_row = row;
    last_col = at_col;
    last_char = bytes;
    last_length = length;
    last_pen = pen;
    last_g0 = g0;
    erased_after_last = false;
    if (at_col + width < cols) {
      col = at_col + width;
    } else {
      col = at_col;
      phantom = autowrap;
    }
    before = {row, at_col + width};
    scrolled_after_glyph = false;
    seen_row = row;
    seen_col = col;
  };

  std::size_t i = 0;
  Csi csi;
  Decoded decoded;
  std::string deferred;  // sequences for libvterm as the state is handed back
  while (i < n) {
    note_move();
    const auto c = static_cast<unsigned char>(p[i]);
    if (c >= 0x20 && c < 0x7f) {
      if (phantom) wrap_pending();
      // The run of printable characters that fits before the last column,
      // then the one that lands there.
      if (dec_graphics && dec_graphics_glyph(c) == 0) break;
      std::size_t j = i + 1;
      const std::size_t limit = std::min(n, i + static_cast<std::size_t>(cols - 1 - col));
      while (j < limit && static_cast<unsigned char>(p[j] - 0x20) < 0x5f &&
             (!dec_graphics || dec_graphics_glyph(static_cast<unsigned char>(p[j])) != 0))
        ++j;
      // A character that is not ASCII may follow: if it has no width it goes
      // into this run's last cell, which libvterm does only within one
      // write. That one is left to libvterm (a snapshot's "<" and U+200B in
      // the last column wrapped when replayed: fuzzer finding).
      if (j < n && static_cast<unsigned char>(p[j]) >= 0x80 &&
          decode_at(p, n, j, decoded).width == 0 && --j == i)
        break;
      const int len = static_cast<int>(j - i);
      if (dec_graphics) {
        for (int k = 0; k < len; ++k)
          screen.put(row, col + k, dec_graphics_glyph(static_cast<unsigned char>(p[i + k])), 1,
                     pen);
      } else {
        screen.put_ascii(row, col, p + i, len, pen);
      }
      wrote_glyph(col + len - 1, p + j - 1, 1, 1);
      i = j;
      continue;
    }
    if (c >= 0x80) {
      // A character of one or two columns that starts a glyph of its own,
      // not followed by one that would join it (which libvterm must see in
      // the same write), and that fits where it goes.
      const Decoded here = decode_at(p, n, i, decoded);
      const int width = here.width, len = here.len;
      if (width == 0) break;
      const std::size_t next = i + static_cast<std::size_t>(len);
      if (next < n && static_cast<unsigned char>(p[next]) >= 0x80 &&
          decode_at(p, n, next, decoded).width == 0)
        break;
      if ((phantom ? 0 : col) + width > cols) break;  // libvterm wraps it
      if (phantom) wrap_pending();
      screen.put(row, col, here.cp, width, pen);
      const bool at_margin = col + width == cols;
      wrote_glyph(col, p + i, len, width);
      i = next;
      // After a wide one, libvterm's cursor stays on its left half: the run
      // ends there (fast_path_ready wants a pending wrap in the last column).
      if (at_margin && width == 2) break;
      continue;
    }
    // A pending wrap meets CR or LF as in xterm.js (and libvterm, with
    // end_line_control's help): it is gone, LF keeps the last column; an
    // SGR leaves it; anything else is libvterm's to decide.
    if (c == '\r') {
      col = 0;
      // A pending wrap cancelled where the cursor is (one column): see
      // Emulator::end_line_control.
      if (phantom) before = {row, col};
      phantom = false;
    } else if (c == '\n') {
      if (phantom) before = {row, col};
      phantom = false;
      // Moved down (not scrolled), it lands on a line of its own (see
      // Emulator::cleared_by_line_feed).
      const bool moves = row != bottom - 1 && row != rows - 1;
      line_feed();
      if (moves) screen.set_wrapped(row, false);
    } else if (c == '\b') {
      // BS: one column left, which cancels a pending wrap; none at the first.
      if (col > 0) {
        --col;
        phantom = false;
      }
    } else if (c == '\t') {
      if (phantom) break;  // libvterm decides
      // The next tab stop (ours are libvterm's), else the last column.
      int next = col + 1;
      while (next < cols - 1 && !tab_stops_[static_cast<std::size_t>(next)])
        ++next;
      col = std::min(next, cols - 1);
    } else if (c == 0x1b && i + 1 < n && p[i + 1] == 'H') {
      // HTS: a tab stop here, in ours now and in libvterm's after the run.
      if (phantom) break;
      tab_stops_[static_cast<std::size_t>(col)] = true;
      append_cup(deferred, row, col);
      deferred += "\x1bH";
      i += 2;
      continue;
    } else if (c == 0x1b && i + 2 < n && p[i + 1] == '(' && (p[i + 2] == '0' || p[i + 2] == 'B')) {
      // G0 := ASCII or DEC Special Graphics (any other set ends the run).
      if (p[i + 2] != g0) {
        g0 = p[i + 2];
        dec_graphics = g0 == '0';
        switched = true;
      }
      i += 3;
      continue;
    } else if (c == 0x1b && i + 1 < n && (p[i + 1] == 'D' || p[i + 1] == 'E' || p[i + 1] == 'M')) {
      // IND and NEL: a line feed (NEL then to the first column), which,
      // unlike LF, leaves the wrapped flag of the row it lands on alone (as
      // the renderer's index). RI: a reverse one. From a pending wrap
      // libvterm decides.
      if (phantom) break;
      if (p[i + 1] == 'M') {
        reverse_line_feed();
      } else {
        line_feed();
        if (p[i + 1] == 'E') col = 0;
      }
      i += 2;
      continue;
    } else if (c == 0x1b && i + 1 < n && p[i + 1] == ']') {
      // An OSC (a link, the title, the working directory) whole in this
      // input and ended by BEL or ST, read as the tracker reads one (libvterm
      // never sees it); a link goes into the run's pen. Anything that ends
      // it otherwise (CAN, SUB, ESC x) is the tracker's, and so is one that
      // could make the link table collect garbage (which rewrites pens).
      if (phantom || links_.full()) break;
      const std::size_t body = i + 2;
      std::size_t end = body;
      while (end < n && p[end] != '\a' && p[end] != '\x1b' && p[end] != '\x18' && p[end] != '\x1a')
        ++end;
      std::size_t after = 0;
      if (end < n && p[end] == '\a')
        after = end + 1;
      else if (end + 1 < n && p[end] == '\x1b' && p[end + 1] == '\\')
        after = end + 2;
      if (after == 0) break;
      pen_ = pen;
      on_osc(std::string_view(p + body, std::min(end - body, StreamTracker::kMaxOsc)));
      pen = pen_;
      i = after;
      continue;
    } else if (c == 0x1b && parse_simple_csi(p + i, n - i, csi)) {
      // A cursor move cancels a pending wrap, even to where the cursor is
      // (libvterm's and ours: see TrackedAction::kCursorCsi); an SGR leaves
      // it; anything else at a pending wrap is libvterm's to decide.
      const bool cursor_move =
          csi.leader == 0 && csi.final != 0 && std::strchr("HfABCDGd", csi.final) != nullptr;
      if (phantom && !cursor_move && !(csi.final == 'm' && csi.leader == 0)) break;
      bool handled = true;
      if (csi.leader == '?') {
        // Modes that only we and libvterm's input encoders care about are
        // applied here; cursor visibility and blink go to libvterm after the
        // run (it reports them). Anything else ends the run.
        handled = (csi.final == 'h' || csi.final == 'l') && csi.count > 0;
        for (int k = 0; k < csi.count && handled; ++k) {
          const int m = csi.params[k];
          handled = m == 12 || m == 25 || m == 1 || m == 9 || (m >= 1000 && m <= 1006) || m == 2004;
        }
        if (!handled) break;
        for (int k = 0; k < csi.count; ++k) {
          const int m = csi.params[k];
          if (m == 12 || m == 25)  // libvterm's, each in a CSI of its own (it sets only the first)
            deferred += "\x1b[?" + std::to_string(m) + csi.final;
          else
            set_private_mode(m, csi.final == 'h');
        }
        i += csi.length;
        continue;
      }
      switch (csi.final) {
        case 'm':
          apply_sgr(pen, csi.params, csi.count, 0);
          break;
        case 'H':
        case 'f':
          row = std::clamp(count_arg(csi, 0), 1, rows) - 1;
          col = std::clamp(count_arg(csi, 1), 1, cols) - 1;
          break;
        case 'A':
          if (!whole_screen) {
            handled = false;  // it stops at the margins: libvterm's
            break;
          }
          row = std::max(row - count_arg(csi, 0), 0);
          break;
        case 'B':
          if (!whole_screen) {
            handled = false;
            break;
          }
          row = std::min(row + count_arg(csi, 0), rows - 1);
          break;
        case 'C':
          col = std::min(col + count_arg(csi, 0), cols - 1);
          break;
        case 'D':
          col = std::max(col - count_arg(csi, 0), 0);
          break;
        case 'G':
          col = std::clamp(count_arg(csi, 0), 1, cols) - 1;
          break;
        case 'd':
          row = std::clamp(count_arg(csi, 0), 1, rows) - 1;
          break;
        case 'X': {
          // ECH: cells from the cursor on, which stays.
          erased_after_last = last_char != nullptr;
          const int end = std::min(col + count_arg(csi, 0), cols);
          screen.erase(row, row + 1, col, end, pen);
          break;
        }
        case 'K': {
          erased_after_last = last_char != nullptr;
          const int mode = csi.count > 0 ? std::max(csi.params[0], 0) : 0;
          if (csi.count > 1 || mode > 2) {
            handled = false;
          } else {
            const int c0 = mode == 0 ? col : 0;
            const int c1 = mode == 1 ? col + 1 : cols;
            screen.erase(row, row + 1, c0, c1, pen);
          }
          break;
        }
        case 'g': {
          // TBC: the stop here (0), or all of them (3, and 5 as libvterm
          // has it); in libvterm's after the run, at this column.
          const int how = csi.count > 0 ? std::max(csi.params[0], 0) : 0;
          if (csi.count > 1 || (how != 0 && how != 3 && how != 5)) {
            handled = false;
            break;
          }
          if (how == 0)
            tab_stops_[static_cast<std::size_t>(col)] = false;
          else
            std::fill(tab_stops_.begin(), tab_stops_.end(), false);
          append_cup(deferred, row, col);
          deferred += "\x1b[";
          deferred += static_cast<char>('0' + how);
          deferred += 'g';
          break;
        }
        case 'J': {
          erased_after_last = last_char != nullptr;
          const int mode = csi.count > 0 ? std::max(csi.params[0], 0) : 0;
          if (csi.count > 1 || mode > 2) {  // 3 (scrollback) goes the tracker's way
            handled = false;
          } else if (mode == 0) {
            screen.erase(row, row + 1, col, cols, pen);
            screen.erase(row + 1, rows, 0, cols, pen);
          } else if (mode == 1) {
            screen.erase(0, row, 0, cols, pen);
            screen.erase(row, row + 1, 0, col + 1, pen);
          } else {
            screen.erase(0, rows, 0, cols, pen);
          }
          break;
        }
        default:
          handled = false;
      }
      if (!handled) break;
      if (cursor_move) phantom = false;
      i += csi.length;
      continue;
    } else {
      break;
    }
    ++i;
  }
  if (i == 0) return 0;
  note_move();

  // Hand the state back to libvterm. CAN first: should libvterm's parser be
  // inside a sequence where ours is not, that sequence is cancelled rather
  // than completed by these bytes.
  // (libvterm's pen is not used: only the cursor and its record of the last
  // character are handed over.)
  // What was deferred goes first: tab stops set at their columns, cursor
  // visibility; the last character then leaves libvterm's pending wrap and
  // its record of that character as they are here.
  // After a switch of G0, the last character is written again in the set it
  // was written in, and libvterm and the tracker are left in the new one.
  std::string sync = "\x18";
  sync += deferred;
  if (last_char != nullptr) {
    if (switched) {
      sync += "\x1b(";
      sync += last_g0;
    }
    append_cup(sync, last_row, last_col);
    sync.append(last_char, static_cast<std::size_t>(last_length));
  }
  if (switched) {
    sync += "\x1b(";
    sync += g0;
    tracker_.designate_g0(g0);
  }
  if (!phantom) append_cup(sync, row, col);
  // The glyph callback writes with pen_: the last character goes back in
  // with its own pen.
  if (last_char != nullptr) pen_ = last_pen;
  ScreenBuffer::RowCopy erased;
  const bool keep_row = erased_after_last && last_char != nullptr;  // (not scrolled away)
  if (keep_row) screen.copy_row(last_row, erased);
  input_vterm(sync);
  if (keep_row) screen.restore_row(last_row, erased);
  cursor_row_ = row;
  cursor_col_ = col;
  cursor_before_ = before;
  if (scrolled_after_glyph) scrolled_ = true;
  pen_ = pen;
  phantom_ = phantom;
  phantom_row_ = row;
  phantom_col_ = col;
  return i;
}

}  // namespace ptyctl::emu
