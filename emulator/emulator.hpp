#pragma once
// The headless terminal emulator of one session. libvterm's state layer parses
// the stream and keeps the terminal state (cursor, pen, charsets, margins,
// modes); the screen is ours: rows in a ring (a full-screen scroll touches no
// cell), scrollback in an encoded ring, a primary and an alternate screen.
// StreamTracker adds what libvterm 0.1.4 does not report. A fast path writes
// runs of plain ASCII text, CR and LF straight into the screen when nothing
// else can be affected, then tells libvterm where the cursor went.
//
// Feed it every byte of the session, in any chunking; take a snapshot at any
// point. Terminal queries (DA1, DSR 5, DSR 6 / cursor position) are answered
// through the query callback; whether an answer reaches the program is the
// caller's decision.

#include "cell.hpp"
#include "link_table.hpp"
#include "reflow.hpp"
#include "screen_buffer.hpp"
#include "scrollback.hpp"
#include "stream_tracker.hpp"

#include <ptyctl/proto/snapshot.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct VTerm;
struct VTermState;

namespace ptyctl::emu {

inline constexpr std::size_t kDefaultScrollbackLines = 5000;
// As xterm.js: at least two columns. On one, a wide character cannot be put
// anywhere without a line feed before it (libvterm wraps first), so no
// snapshot could put it back where it was (fuzzer finding).
inline constexpr int kMinCols = 2;

struct CursorState {
  int row = 0;
  int col = 0;
  bool visible = true;
  bool operator==(const CursorState&) const = default;
};

// A cell with its character and link spelled out, for inspection and tests
// (pen.link is 0: the link's text is in `link`).
struct CellView {
  std::u32string chars;  // empty for a blank cell
  int width = 1;
  Pen pen;
  std::string link;  // the OSC 8 text after "8;" ("params;uri"), empty for none
  bool operator==(const CellView&) const = default;
};

// An OSC of ours in an upgrade's screen: the primary screen's first row
// continues the scrollback's newest line (the screen is written without it).
inline constexpr std::string_view kFirstRowWrappedOsc = "5577;ptyctl-first-row-wrapped";

class Emulator {
 public:
  using QueryAnswer = std::function<void(std::string_view)>;

  Emulator(int cols, int rows, std::size_t scrollback_lines = kDefaultScrollbackLines);
  ~Emulator();
  Emulator(const Emulator&) = delete;
  Emulator& operator=(const Emulator&) = delete;

  void feed(std::string_view bytes);
  // Feeds a prefix of `bytes` costing about `budget` cells of work (cells
  // written, erased or moved) and returns how many bytes it took (at least
  // one). Pieces are small enough that even whole-screen operations (DECALN,
  // ED, scrolls) cannot exceed the budget by more than a few screens: the
  // supervisor uses it to bound how long one session's output holds the loop.
  std::size_t feed_some(std::string_view bytes, std::uint64_t budget);
  // Work done so far (ScreenBuffer::work of both screens).
  std::uint64_t work() const;
  void resize(int cols, int rows);
  void clear_scrollback();
  // The scrollback and the screen above the cursor's line, as xterm.js
  // clear() does: the cursor's line moves to the top (clearScrollback).
  void clear();
  void set_query_answer(QueryAnswer callback) { query_answer_ = std::move(callback); }
  // The fast path is on by default; off, libvterm sees every byte (the tests
  // compare the two).
  void set_fast_path(bool on) { fast_path_enabled_ = on; }

  // The snapshot of everything fed so far but unfinished_bytes(); `offset`
  // is left 0 for the caller. An escape sequence in progress is at its end.
  proto::Snapshot snapshot() const;
  // The last bytes fed that the snapshot does not show: a UTF-8 character
  // cut by the end of the feed (a snapshot's text is valid UTF-8). Its offset
  // is this much before the end of what was fed; the bytes follow as data.
  std::size_t unfinished_bytes() const { return utf8_tail_.size(); }
  // An in-place upgrade's handover (docs/upgrade.md): what a fresh emulator
  // of this size needs to go on as this one: the snapshot's bytes, then the
  // escape sequence or character in progress, fed after them.
  // The scrollback goes as it is held (Scrollback::encode).
  struct HandoverView {
    std::string_view rehydrate, screen, scrollback, pending;
  };
  struct Handover {
    std::string rehydrate, screen, scrollback, pending;
    HandoverView view() const { return {rehydrate, screen, scrollback, pending}; }
  };
  Handover handover() const;
  // Into a fresh emulator of the handover's size; false if the scrollback's
  // bytes do not add up.
  bool restore(const HandoverView& h);

  // Plain text: the screen (trailing blanks and blank rows at the end cut),
  // with the scrollback above it when asked.
  std::string text(bool with_scrollback = false) const;

  int cols() const { return cols_; }
  int rows() const { return rows_; }
  CursorState cursor() const { return {cursor_row_, cursor_col_, modes_.cursorVisible}; }
  const proto::Modes& modes() const { return modes_; }
  const std::string& title() const { return title_; }
  const std::optional<std::string>& cwd() const { return cwd_; }
  const Pen& pen() const { return pen_; }
  bool on_alternate_screen() const { return active_ != &primary_; }
  // The screen shown: 0 primary, 1 alternate (the saved cursors' index).
  int shown_screen() const { return on_alternate_screen() ? 1 : 0; }

  // The visible screen's row (cols cells) and the scrollback's line i
  // (0 = oldest), padded with blanks to cols.
  std::vector<CellView> row_cells(int row) const;
  std::size_t scrollback_size() const { return scrollback_.size(); }
  // Whether the visible screen's row r, or the scrollback's line i,
  // continues the line above it, as a snapshot says it: the text wrapped
  // there and the line above still ends in a character in its last column
  // (else no renderer could be brought to mark it wrapped; docs/emulator.md).
  bool row_wrapped(int r) const;
  bool scrollback_wrapped(std::size_t i) const;
  std::vector<CellView> scrollback_cells(std::size_t i) const;

  // Bytes held by this emulator, libvterm's allocations included.
  std::size_t memory_bytes() const;

  // libvterm callbacks (public for the C trampolines only).
  void on_putglyph(const std::uint32_t* chars, int width, int row, int col);
  void on_movecursor(int row, int col);
  void on_scrollrect(int r0, int r1, int c0, int c1, int down, int right);
  void on_erase(int r0, int r1, int c0, int c1);
  void on_termprop(int prop, const void* value);
  void on_resize(int rows, int cols, int* delta_row);
  void on_output(std::string_view bytes);

 private:
  // Every byte libvterm is given goes through here (see the .cpp: the NUL).
  void input_vterm(const char* data, std::size_t n);
  void input_vterm(std::string_view bytes) { input_vterm(bytes.data(), bytes.size()); }
  // Bytes of our own between two feeds (a resize, a clear).
  void input_vterm_between(std::string_view bytes);
  // feed() after the input is made valid UTF-8.
  void feed_valid(std::string_view bytes);
  void apply(TrackedAction action);
  void set_private_mode(int mode, bool on);
  void reset_tab_stops(int from_col);
  // The saved cursor of screen 0 (primary) or 1 (alternate).
  void save_cursor(int screen);
  void restore_cursor(int screen, bool visible_before);
  int saved_row(int screen) const;  // where a restore puts it now
  static Pen restored_pen(const Pen& saved, const Pen& current);
  void on_osc(std::string_view command);
  bool wrap_may_outlive_line_control() const;
  void end_line_control(char control);
  void line_feed();  // an LF for libvterm (it cleared the row's wrapped flag)
  void cleared_by_line_feed(int before_row, int after_row);
  std::size_t join_marks_to_last_column(const char* data, std::size_t n);
  bool fast_path_ready() const;
  std::size_t run_fast_path(const char* data, std::size_t n);
  void scroll_up(int r0, int r1, int n, const Pen& pen);
  ResizedBuffer primary_for_resize() const;
  void store_resized(const ResizedBuffer& b, ScreenBuffer& screen, bool primary);
  void resize_tab_stops(int cols);
  void collect_combining_garbage();
  void collect_link_garbage();
  void set_link(std::string_view osc_text);
  // A pen to write with: its link in a snapshot's terms (OSC 8), for set_pen.
  void append_pen(std::string& out, Pen& current, const Pen& wanted) const;
  CellView view(const Cell& cell) const;
  void append_row_ansi(std::string& out, const Cell* cells, int count, Pen& cur) const;
  std::string row_text(const Cell* cells, int count) const;
  std::string snapshot_ansi(bool with_scrollback) const;

  int cols_;
  int rows_;
  VTerm* vt_ = nullptr;
  VTermState* state_ = nullptr;
  std::unique_ptr<std::size_t> vterm_bytes_;  // libvterm's allocations, counted
  ScreenBuffer primary_;
  std::unique_ptr<ScreenBuffer> alternate_;  // made on first use
  ScreenBuffer* active_;
  Scrollback scrollback_;
  mutable CombiningTable combining_;
  mutable LinkTable links_;
  StreamTracker tracker_;
  QueryAnswer query_answer_;

  Pen pen_;  // ours, set by apply_sgr and OSC 8 (libvterm's is not used)
  int cursor_row_ = 0;
  int cursor_col_ = 0;
  bool fast_path_enabled_ = true;
  bool glyph_printed_ = false;  // libvterm has a character REP can repeat
  int last_glyph_width_ = 0;    // its width as libvterm gave it (REP advances by it)
  int last_glyph_row_ = 0, last_glyph_col_ = 0;  // where it went
  // libvterm's pending wrap (a glyph ended at the right margin with autowrap
  // on): it keeps it to itself, so it is followed here through every way it
  // is set or cancelled (but on double-width lines).
  bool phantom_ = false;
  int phantom_row_ = 0;  // where that glyph was
  int phantom_col_ = 0;
  bool scrolled_ = false;      // a scroll since the last glyph
  int saved_primary_row_ = 0;  // cursor when the alternate screen was entered
  int saved_primary_col_ = 0;
  proto::Modes modes_;
  int mouse_level_ = 0;  // 0, 9, 1000, 1001, 1002 or 1003
  bool insert_mode_ = false;
  bool newline_mode_ = false;
  bool lr_margins_ = false;      // DECLRMM (69) allowed
  std::vector<bool> tab_stops_;  // as libvterm's, which it does not report
  // The saved cursor (DECSC, 1048, 1049) as xterm.js keeps it: one per
  // screen, the primary's row counted from the top of the scrollback (lines
  // scrolled off since move it up), position and pen only. libvterm keeps
  // one, with the visibility: what it restores is overridden.
  struct SavedCursor {
    bool saved = false;  // else as at a reset: the top left, the default pen
    long row = 0;
    int col = 0;
    Pen pen;
  };
  SavedCursor saved_[2];
  bool entered_alternate_ = false;  // by the CSI being applied
  bool visible_before_csi_ = true;  // the cursor's visibility before it
  bool erase_from_cursor_ = false;  // libvterm is given an EL 0 or ED 0
  // Where libvterm's cursor is before its next glyph: it reports a move only
  // after a run of text, so the glyphs before count too.
  struct {
    int row = 0, col = 0;
  } cursor_before_;
  int margin_top_ = 0;  // scroll region [top, bottom)
  int margin_bottom_ = 0;
  std::string title_;
  std::optional<std::string> cwd_;
  // The start of a UTF-8 character cut by the end of the last feed: no part
  // of the emulator has seen it yet.
  std::string utf8_tail_;
  std::string valid_input_;  // feed()'s copy of input that was not valid UTF-8
  std::string vterm_input_;  // input_vterm's copy of a write, with its NUL
};

}  // namespace ptyctl::emu
