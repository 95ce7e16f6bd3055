#include "emulator.hpp"

#include "ansi.hpp"
#include "glyph_widths.hpp"
#include "reflow.hpp"
#include "sgr.hpp"

#include <vterm.h>

#include <ptyctl/proto/limits.hpp>
#include <ptyctl/proto/utf8.hpp>

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace ptyctl::emu {

namespace {

// --- libvterm glue -----------------------------------------------------------

// Counts libvterm's allocations so memory_bytes() is honest. libvterm wants
// zeroed memory.
constexpr std::size_t kHeader = 16;
void* counting_malloc(std::size_t size, void* total) {
  auto* p = static_cast<char*>(std::calloc(1, size + kHeader));
  if (!p) return nullptr;
  std::memcpy(p, &size, sizeof size);
  *static_cast<std::size_t*>(total) += size;
  return p + kHeader;
}
void counting_free(void* ptr, void* total) {
  if (!ptr) return;
  char* p = static_cast<char*>(ptr) - kHeader;
  std::size_t size;
  std::memcpy(&size, p, sizeof size);
  *static_cast<std::size_t*>(total) -= size;
  std::free(p);
}
VTermAllocatorFunctions kAllocator = {counting_malloc, counting_free};

Emulator* self(void* user) {
  return static_cast<Emulator*>(user);
}

int cb_putglyph(VTermGlyphInfo* info, VTermPos pos, void* user) {
  self(user)->on_putglyph(info->chars, info->width, pos.row, pos.col);
  return 1;
}
int cb_movecursor(VTermPos pos, VTermPos, int, void* user) {
  self(user)->on_movecursor(pos.row, pos.col);
  return 1;
}
int cb_scrollrect(VTermRect r, int down, int right, void* user) {
  self(user)->on_scrollrect(r.start_row, r.end_row, r.start_col, r.end_col, down, right);
  return 1;
}
int cb_erase(VTermRect r, int, void* user) {
  self(user)->on_erase(r.start_row, r.end_row, r.start_col, r.end_col);
  return 1;
}
int cb_settermprop(VTermProp prop, VTermValue* value, void* user) {
  self(user)->on_termprop(prop, value);
  return 1;
}
int cb_resize(int rows, int cols, VTermPos* delta, void* user) {
  self(user)->on_resize(rows, cols, &delta->row);
  return 1;
}
void cb_output(const char* bytes, std::size_t len, void* user) {
  self(user)->on_output(std::string_view(bytes, len));
}

// No pen callbacks: the pen is ours (sgr.hpp), libvterm's is not used.
const VTermStateCallbacks kStateCallbacks = {
    cb_putglyph, cb_movecursor,  cb_scrollrect, nullptr,   cb_erase, nullptr,
    nullptr,     cb_settermprop, nullptr,       cb_resize, nullptr,
};

bool is_plain_text_byte(char c) {
  const auto b = static_cast<unsigned char>(c);
  return (b >= 0x20 && b < 0x7f) || b == '\r' || b == '\n';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      const int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

// Without control characters.
std::string one_line(std::string s) {
  std::erase_if(s, [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
  return s;
}

}  // namespace

// --- construction ------------------------------------------------------------

Emulator::Emulator(int cols, int rows, std::size_t scrollback_lines)
    : cols_(std::clamp(cols, kMinCols, proto::kMaxCols)),
      rows_(std::clamp(rows, 1, proto::kMaxRows)),
      vterm_bytes_(std::make_unique<std::size_t>(0)),
      primary_(rows_, cols_),
      active_(&primary_),
      scrollback_(scrollback_lines),
      margin_bottom_(rows_) {
  vt_ = vterm_new_with_allocator(rows_, cols_, &kAllocator, vterm_bytes_.get());
  vterm_set_utf8(vt_, 1);
  state_ = vterm_obtain_state(vt_);
  vterm_state_set_callbacks(state_, &kStateCallbacks, this);
  vterm_output_set_callback(vt_, cb_output, this);
  vterm_state_reset(state_, 1);
  reset_tab_stops(0);
}

void Emulator::save_cursor(int screen) {
  // As xterm.js saves it: position (its row counted from the top of the
  // scrollback) and pen, one per screen.
  VTermPos pos;
  vterm_state_get_cursorpos(state_, &pos);
  SavedCursor& s = saved_[screen];
  s.saved = true;
  s.row = pos.row + (screen == 0 ? static_cast<long>(scrollback_.size()) : 0);
  s.col = pos.col;
  s.pen = pen_;
}

int Emulator::saved_row(int screen) const {
  const SavedCursor& s = saved_[screen];
  const long row = s.row - (screen == 0 ? static_cast<long>(scrollback_.size()) : 0);
  return static_cast<int>(std::clamp<long>(row, 0, rows_ - 1));
}

Pen Emulator::restored_pen(const Pen& saved, const Pen& current) {
  // xterm.js saves and restores its two attribute words (colours and flags,
  // "has extended attributes" among them), not the extended attributes
  // (underline style and colour, link): those stay the current ones, shown
  // only if the saved pen had some.
  Pen pen = saved;
  const bool saved_extended = saved.underline() != underline::kNone || saved.link != 0;
  pen.set_underline(saved.underline() != underline::kNone ? current.underline() : 0);
  pen.underline_color = current.underline_color;
  pen.link = saved_extended ? current.link : 0;
  return pen;
}

void Emulator::restore_cursor(int screen, bool visible_before) {
  // libvterm has restored its one saved cursor (position, pen, visibility,
  // and a position saved before a resize can be off the screen, where it
  // would read and write its line table past the end: ASan on libvterm
  // built from source). What xterm.js restores is put in its place: this
  // screen's saved position, clamped to the screen (to the scroll region in
  // origin mode), and pen; the visibility stays.
  const int col = std::clamp(saved_[screen].col, 0, cols_ - 1);
  int row = saved_row(screen);
  if (modes_.originMode) row = std::clamp(row, margin_top_, margin_bottom_ - 1) - margin_top_;
  std::string sync;
  if (modes_.cursorVisible != visible_before) sync += visible_before ? "\x1b[?25h" : "\x1b[?25l";
  append_cup(sync, row, col);
  input_vterm(sync);
  phantom_ = false;  // CUP cancels it
  pen_ = restored_pen(saved_[screen].pen, pen_);
}

void Emulator::reset_tab_stops(int from_col) {
  // Every 8 columns, as libvterm sets them at a reset and on new columns.
  tab_stops_.resize(static_cast<std::size_t>(cols_));
  for (int c = from_col; c < cols_; ++c)
    tab_stops_[static_cast<std::size_t>(c)] = c % 8 == 0;
}

Emulator::~Emulator() {
  vterm_free(vt_);
}

// --- input -------------------------------------------------------------------

// libvterm 0.1.4 decodes text into a stack array of one code point per byte
// left in the write, but a character left incomplete by an earlier text run
// (cut by a control, "\xc3\x1b[mab") adds a U+FFFD: with text to the write's
// end that is one code point past the array (ASan on libvterm built from
// source; found by the fuzzer as heap damage). feed() now gives it whole
// characters only, but its parser skips NUL in every state while the decoder
// stops at it: a NUL at the end of every write would leave room for that code
// point, and it ends the string that done_string reads past a write's end
// when ST is split from its ESC.
void Emulator::input_vterm(const char* data, std::size_t n) {
  if (n == 0) return;
  vterm_input_.assign(data, n);
  vterm_input_.push_back('\0');
  vterm_input_write(vt_, vterm_input_.data(), vterm_input_.size());
}

void Emulator::input_vterm_between(std::string_view bytes) {
  // Between two feeds the program's output can stop inside a sequence, which
  // these bytes cancel in libvterm but not in the tracker: libvterm is given
  // it again (a resize inside "ESC \xff" made the CSI after it text to
  // libvterm and margins to the tracker: fuzzer finding).
  input_vterm(bytes);
  input_vterm(tracker_.vterm_partial());
}

std::uint64_t Emulator::work() const {
  return primary_.work() + (alternate_ ? alternate_->work() : 0);
}

std::size_t Emulator::feed_some(std::string_view bytes, std::uint64_t budget) {
  if (bytes.empty()) return 0;
  // The worst a byte can cost is a third of a screen (DECALN is 3 bytes).
  const std::uint64_t cells = static_cast<std::uint64_t>(rows_) * static_cast<std::uint64_t>(cols_);
  const std::size_t piece = static_cast<std::size_t>(
      std::clamp<std::uint64_t>(3 * budget / std::max<std::uint64_t>(cells, 1), 1, 4096));
  const std::uint64_t start = work();
  std::size_t done = 0;
  while (done < bytes.size() && work() - start < budget) {
    const std::size_t n = std::min(piece, bytes.size() - done);
    feed(bytes.substr(done, n));
    done += n;
  }
  return done;
}

// The app's renderer is given text the host decoded from UTF-8 (its data
// events are strings): every ill-formed subsequence is a U+FFFD there, where
// it is, and so it is here before any part of the emulator sees it. libvterm
// would otherwise keep a character cut by a control in its decoder and put
// the U+FFFD after the control, where neither the tracker nor the fast path
// expects a glyph (an upgrade's fuzzer finding), and turn an overlong into
// one U+FFFD where the host writes two. A character cut by the end of a feed
// waits for the next one.
void Emulator::feed(std::string_view in) {
  std::string_view bytes = in;
  std::string joined;
  if (!utf8_tail_.empty()) {
    joined = utf8_tail_;
    joined.append(in);
    bytes = joined;
  }
  const std::size_t complete = proto::utf8_complete_prefix(bytes);
  std::string tail(bytes.substr(complete));
  bytes = bytes.substr(0, complete);
  if (!proto::utf8_is_valid(bytes)) {
    valid_input_ = proto::utf8_sanitize(bytes);
    bytes = valid_input_;
  }
  utf8_tail_ = std::move(tail);
  feed_valid(bytes);
}

// libvterm joins a combining character to the glyph before it across its
// text runs (one per write, and one per encoding within a write: G0
// designated ASCII takes no byte >= 0x80) only if its cursor moved past that
// glyph, which one ending in the last column does not: there it drops the
// mark (and with autowrap on, wraps), where the renderer joins it. Marks
// right after such a glyph are joined to its cell here, and libvterm never
// sees them. Returns the bytes so taken.
std::size_t Emulator::join_marks_to_last_column(const char* p, std::size_t n) {
  // The last glyph ended in the last column, the cursor is still on it and
  // nothing scrolled since.
  const int width = last_glyph_width_;
  const int row = last_glyph_row_, col = last_glyph_col_;
  if (!glyph_printed_ || scrolled_ || width < 1 || width > 2 || col + width != cols_ || row < 0 ||
      row >= rows_ || col < 0 || cursor_row_ != row || cursor_col_ != col)
    return 0;
  const Cell base = active_->row(row)[col];
  if (base.ch == 0 || base.width() != width) return 0;
  // Its code points and the marks, up to libvterm's limit.
  std::uint32_t cps[VTERM_MAX_CHARS_PER_CELL];
  int count = 0;
  std::u32string chars;
  combining_.expand(base.ch, chars);
  for (const char32_t cp : chars)
    if (count < VTERM_MAX_CHARS_PER_CELL) cps[count++] = cp;
  std::size_t end = 0;
  while (end < n && static_cast<unsigned char>(p[end]) >= 0x80) {
    int len = 0;
    const std::uint32_t cp = decode_utf8(p + end, n - end, &len);
    if (len == 0 || !joins_previous_glyph(cp)) break;
    if (count < VTERM_MAX_CHARS_PER_CELL) cps[count++] = cp;
    end += static_cast<std::size_t>(len);
  }
  if (end == 0) return 0;
  if (combining_.size() >= 4096) collect_combining_garbage();
  const std::uint32_t ch = combining_.intern(cps, count);
  active_->put(row, col, ch, width, base.pen);
  return end;
}

void Emulator::feed_valid(std::string_view in) {
  const char* p = in.data();
  const std::size_t n = in.size();
  std::size_t pos = 0;      // how far the tracker has looked
  std::size_t flushed = 0;  // how far libvterm (or the fast path) has been given bytes
  while (pos < n) {
    if (tracker_.at_text_boundary()) {
      const char c = p[pos];
      const GlyphKind kind = static_cast<unsigned char>(c) >= 0x80 ? glyph_kind_at(p + pos, n - pos)
                                                                   : GlyphKind::kOther;
      if (kind == GlyphKind::kJoins) {
        // Its glyph first: is it in the last column? (See join_marks_to_last_column.)
        if (pos > flushed) input_vterm(p + flushed, pos - flushed);
        flushed = pos;
        const std::size_t joined = join_marks_to_last_column(p + pos, n - pos);
        if (joined > 0) {
          pos += joined;
          flushed = pos;
          continue;
        }
      }
      // A character that is not ASCII is the fast path's only if it starts
      // a glyph of its own: what came before may then go to libvterm in a
      // write of its own (a combining character must reach libvterm in the
      // write of the character it joins).
      const bool fast_start = is_plain_text_byte(c) || c == '\x1b' ||
                              kind == GlyphKind::kOneColumn || kind == GlyphKind::kTwoColumns;
      if (fast_start && fast_path_enabled_) {
        // libvterm first takes what came before: the fast path's conditions
        // (a pending wrap, the cursor) are as that leaves them (a wide
        // character that filled the line made the next one overwrite it).
        if (pos > flushed) input_vterm(p + flushed, pos - flushed);
        flushed = pos;
      }
      if (fast_start && fast_path_ready()) {
        const std::size_t used = run_fast_path(p + pos, n - pos);
        if (used > 0) {
          pos += used;
          flushed = pos;
          continue;
        }
      }
      if (is_plain_text_byte(c)) {
        // Text for libvterm: nothing for the tracker to see. A CR or LF goes
        // on its own when a wrap may be pending (see end_line_control).
        while (pos < n && is_plain_text_byte(p[pos])) {
          if (p[pos] == '\r' || p[pos] == '\n') {
            if (pos > flushed) input_vterm(p + flushed, pos - flushed);
            flushed = pos;
            if (wrap_may_outlive_line_control()) {
              end_line_control(p[pos]);
              flushed = pos + 1;
            } else if (p[pos] == '\n') {
              line_feed();
              flushed = pos + 1;
            }
          }
          ++pos;
        }
        continue;
      }
    }
    if (tracker_.discarding()) {
      // Bytes libvterm must not see (see kDiscardStart): skipped.
      const TrackedAction action = tracker_.advance(p, n, pos);
      flushed = pos;
      if (action == TrackedAction::kOsc || action == TrackedAction::kDiscardEnd) apply(action);
      if (tracker_.take_pending_escape()) input_vterm("\x1b", 1);
      continue;
    }
    const TrackedAction action = tracker_.advance(p, n, pos);
    if (action == TrackedAction::kC1Text) {
      // Its two bytes never reach libvterm (both are in this input: it is
      // whole characters).
      input_vterm(p + flushed, pos - 2 - flushed);
      flushed = pos;
      continue;
    }
    if (action == TrackedAction::kLineControl) {
      input_vterm(p + flushed, pos - 1 - flushed);
      if (wrap_may_outlive_line_control())
        end_line_control(p[pos - 1]);
      else if (p[pos - 1] == '\n')
        line_feed();
      else
        input_vterm(p + pos - 1, 1);
      flushed = pos;
      continue;
    }
    if (action == TrackedAction::kAlignment) {
      // libvterm's DECALN puts 'E' in every cell without making it the
      // character REP repeats (its own record stays as it was): ours must
      // not change either, or a REP after it loops for ever (fuzzer finding).
      const std::size_t start = pos >= flushed + 3 ? pos - 3 : flushed;
      input_vterm(p + flushed, start - flushed);
      const bool printed = glyph_printed_;
      const int width = last_glyph_width_;
      const bool phantom = phantom_;  // nor is a wrap left pending
      const int phantom_row = phantom_row_, phantom_col = phantom_col_;
      const auto before = cursor_before_;
      input_vterm(p + start, pos - start);
      cursor_before_ = before;
      flushed = pos;
      glyph_printed_ = printed;
      last_glyph_width_ = width;
      phantom_ = phantom;
      phantom_row_ = phantom_row;
      phantom_col_ = phantom_col;
      continue;
    }
    if (action != TrackedAction::kNone) {
      visible_before_csi_ = modes_.cursorVisible;  // libvterm's DECRC changes it
      erase_from_cursor_ = action == TrackedAction::kEraseFromCursor;
      input_vterm(p + flushed, pos - flushed);
      erase_from_cursor_ = false;
      flushed = pos;
      apply(action);
    }
  }
  input_vterm(p + flushed, n - flushed);
}

// libvterm 0.1.4 cancels a pending wrap only when the cursor moves: a CR on
// a one-column screen (or after a wide character filling two columns), an LF
// on the bottom line (it scrolls) leave it pending, and the next character
// goes one more line down. xterm and xterm.js cancel it (a snapshot's "\r\n"
// replayed into a one-column screen scrolled twice: fuzzer finding). CHA to
// the column libvterm is at cancels it and moves nothing.
bool Emulator::wrap_may_outlive_line_control() const {
  // (Not in origin mode with left/right margins, where CHA counts from the
  // margin.)
  return phantom_ && !(modes_.originMode && lr_margins_);
}

void Emulator::line_feed() {
  VTermPos before, after;
  vterm_state_get_cursorpos(state_, &before);
  input_vterm("\n", 1);
  vterm_state_get_cursorpos(state_, &after);
  cleared_by_line_feed(before.row, after.row);
}

void Emulator::cleared_by_line_feed(int before_row, int after_row) {
  // A line feed that moves down (not one that scrolls) makes the row it
  // lands on a line of its own, as xterm.js has it: text written there
  // later does not continue the row above.
  if (after_row == before_row + 1 && after_row < rows_) active_->set_wrapped(after_row, false);
}

void Emulator::end_line_control(char control) {
  VTermPos before, after;
  vterm_state_get_cursorpos(state_, &before);
  input_vterm(&control, 1);
  vterm_state_get_cursorpos(state_, &after);
  if (control == '\n') cleared_by_line_feed(before.row, after.row);
  if (after.row == before.row && after.col == before.col) {
    std::string cha = "\x1b[";
    cha += std::to_string(after.col + 1);
    cha += 'G';
    input_vterm_between(cha);  // inside a sequence, it goes on after it
    phantom_ = false;
    // Where the next glyph starts from (libvterm reports no move): a wide
    // one that does not fit there wraps (an LF on the bottom row after the
    // last column was written: found by the fast path's agreement test).
    cursor_before_ = {after.row, after.col};
  }
}

bool Emulator::fast_path_ready() const {
  // A pending wrap only after a character of one column in the last column
  // (after a wide one, libvterm's cursor is on its left half).
  const bool wrap_ok =
      !phantom_ || (phantom_row_ == cursor_row_ && phantom_col_ == cols_ - 1 &&
                    cursor_col_ == cols_ - 1 && active_->row(phantom_row_)[cols_ - 1].width() == 1);
  // G0 (in GL) ASCII, or DEC Special Graphics, which the fast path draws as
  // libvterm does.
  const bool charset_ok = tracker_.gl() == 0 && (tracker_.g(0) == 'B' || tracker_.g(0) == '0');
  return fast_path_enabled_ && wrap_ok && charset_ok && !tracker_.double_width_seen() &&
         !insert_mode_ && !newline_mode_ && !lr_margins_ &&
         (!modes_.originMode || (margin_top_ == 0 && margin_bottom_ == rows_));
}

void Emulator::set_private_mode(int mode, bool on) {
  switch (mode) {
    case 1:
      modes_.applicationCursorKeys = on;
      break;
    case 6:
      modes_.originMode = on;
      break;
    case 7:
      modes_.autoWrap = on;
      if (!on && phantom_) {
        // libvterm keeps a pending wrap with autowrap off, and the next
        // character still wraps; xterm.js overwrites the last column with it.
        // Cancelled here (CHA to where libvterm is): ours overwrites too, and
        // no snapshot has to recreate a pending wrap with autowrap off
        // (fuzzer finding). (Turned on again before the next character,
        // xterm.js would wrap after all; ours does not.)
        // In origin mode with left/right margins CHA counts from the left
        // margin, which we do not keep: there one column back and forth
        // instead (the wrap is pending at the right margin, so CUF comes back
        // to it; CUB stays put in a one-column region).
        VTermPos at;
        vterm_state_get_cursorpos(state_, &at);
        if (modes_.originMode && lr_margins_)
          input_vterm("\x1b[D\x1b[C");
        else
          input_vterm("\x1b[" + std::to_string(at.col + 1) + "G");
        phantom_ = false;
      }
      break;
    case 9:
    case 1000:
    case 1001:
    case 1002:
    case 1003:
      // One tracking level at a time; resetting any turns tracking off (as
      // xterm and xterm.js do).
      mouse_level_ = on ? mode : 0;
      modes_.mouseTrackingX10 = mouse_level_ == 9;
      modes_.mouseTrackingNormal = mouse_level_ == 1000;
      modes_.mouseTrackingHighlight = mouse_level_ == 1001;
      modes_.mouseTrackingButtonEvent = mouse_level_ == 1002;
      modes_.mouseTrackingAnyEvent = mouse_level_ == 1003;
      break;
    case 1004:
      modes_.focusReporting = on;
      break;
    case 1005:
      modes_.mouseUtf8 = on;
      break;
    case 1006:
      modes_.mouseSgr = on;
      break;
    case 2004:
      modes_.bracketedPaste = on;
      break;
    case 69:
      lr_margins_ = on;
      break;
    default:
      break;
  }
}

void Emulator::apply(TrackedAction action) {
  switch (action) {
    case TrackedAction::kNone:
      return;
    case TrackedAction::kPrivateModes: {
      // libvterm 0.1.4 sets only the first mode of a CSI ? Pm h/l: each
      // further one is given to it on its own ("CSI ? 12;25 h", vim's
      // cursor-visible, left the cursor hidden).
      // On 1049 libvterm has saved (and switched) or switched (and
      // restored): 1049 saves the screen's it leaves and restores the
      // primary's, 1048 the screen's it is on.
      const bool set = tracker_.set_mode();
      bool visible_before = visible_before_csi_;
      for (int i = 0; i < tracker_.param_count(); ++i) {
        if (tracker_.param_has_sub(i)) continue;
        const int mode = tracker_.param(i);
        if (i > 0 && mode >= 0) {
          visible_before = modes_.cursorVisible;
          input_vterm("\x1b[?" + std::to_string(mode) + (set ? "h" : "l"));
        }
        set_private_mode(mode, set);
        const int here = shown_screen();
        if (mode == 1048 || mode == 1049) {
          if (set)
            save_cursor(mode == 1049 && entered_alternate_ ? 0 : here);
          else
            restore_cursor(here, visible_before);
        }
        entered_alternate_ = false;
      }
      return;
    }
    case TrackedAction::kAnsiModes:
      for (int i = 0; i < tracker_.param_count(); ++i) {
        if (tracker_.param(i) == 4) insert_mode_ = tracker_.set_mode();
        if (tracker_.param(i) == 20) newline_mode_ = tracker_.set_mode();
      }
      return;
    case TrackedAction::kSgr:
      apply_sgr(pen_, tracker_.params(), tracker_.param_count(), tracker_.sub_mask());
      return;
    case TrackedAction::kMargins: {
      // As libvterm 0.1.4: an invalid region means the whole screen.
      const int n = tracker_.param_count();
      int top = n >= 1 && tracker_.param(0) > 0 ? tracker_.param(0) : 1;
      int bottom = n >= 2 && tracker_.param(1) > 0 ? tracker_.param(1) : rows_;
      bottom = std::min(bottom, rows_);
      if (bottom < top) {
        top = 1;
        bottom = rows_;
      }
      margin_top_ = top - 1;
      margin_bottom_ = bottom;
      return;
    }
    case TrackedAction::kClearScrollback:
      scrollback_.clear();
      return;
    case TrackedAction::kOsc:
      on_osc(tracker_.osc());
      return;
    case TrackedAction::kDiscardStart:
      input_vterm("\x18", 1);  // CAN: libvterm drops the sequence so far
      return;
    case TrackedAction::kDiscardEnd:
      // An SGR of more parameters than libvterm takes is still ours.
      if (tracker_.take_discarded_sgr())
        apply_sgr(pen_, tracker_.params(), tracker_.param_count(), tracker_.sub_mask());
      return;
    case TrackedAction::kRepeat: {
      // libvterm has the sequence but its final byte. Without a character to
      // repeat, or with one of no width (libvterm's loop would not advance),
      // it is dropped; a count past the width (REP stops at the end of the
      // row) is cut to the width.
      // libvterm counts columns, not characters: a wide one is cut to what
      // fits whole, else its last one lands half past the edge and the
      // cursor past the screen (fuzzer finding).
      int count = std::min(tracker_.repeat_count(), cols_);
      if (last_glyph_width_ == 2) {
        VTermPos at;
        vterm_state_get_cursorpos(state_, &at);
        const int room = std::max(cols_ - at.col, 0);
        count = std::min(count, room - room % 2);
      }
      if (!glyph_printed_ || last_glyph_width_ <= 0 || count <= 0) {
        input_vterm("\x18", 1);
      } else if (count != tracker_.repeat_count()) {
        const std::string rep = "\x18\x1b[" + std::to_string(count) + "b";
        input_vterm(rep);
      } else {
        input_vterm("b", 1);
      }
      if (glyph_printed_ && last_glyph_width_ > 0) {
        // libvterm's REP leaves a wrap pending when the next glyph would not
        // fit, whether or not it wrote the last column.
        VTermPos at;
        vterm_state_get_cursorpos(state_, &at);
        phantom_ = modes_.autoWrap && at.col + last_glyph_width_ >= cols_;
        phantom_row_ = at.row;
        phantom_col_ = at.col;
        const Cell* row = active_->row(std::clamp(at.row, 0, rows_ - 1));
        if (phantom_ && last_glyph_width_ == 2 && at.col == cols_ - 1 && at.col > 0 &&
            row[at.col - 1].width() == 2) {
          // Its wrap pending with the cursor on the right half, where text
          // never leaves it: the character is written again from its left
          // half, as text leaves it (a snapshot does the same; fuzzer finding).
          std::u32string chars;
          combining_.expand(row[at.col - 1].ch, chars);
          std::string again = "\x1b[D";
          for (char32_t cp : chars)
            append_utf8(again, cp);
          input_vterm(again);
        }
      }
      return;
    }
    case TrackedAction::kAlignment:
    case TrackedAction::kLineControl:
    case TrackedAction::kC1Text:
      return;  // handled in feed()
    case TrackedAction::kRestoreCursor:
      restore_cursor(shown_screen(), visible_before_csi_);
      return;
    case TrackedAction::kTabSet:
    case TrackedAction::kTabClear: {
      // At the cursor's column (libvterm's, which neither moves).
      VTermPos pos;
      vterm_state_get_cursorpos(state_, &pos);
      const bool in_row = pos.col >= 0 && pos.col < cols_;
      const auto col = static_cast<std::size_t>(pos.col);
      if (action == TrackedAction::kTabSet) {
        if (in_row) tab_stops_[col] = true;
        return;
      }
      const int how = tracker_.param_count() > 0 ? std::max(tracker_.param(0), 0) : 0;
      if (how == 0 && in_row) tab_stops_[col] = false;
      if (how == 3 || how == 5) std::fill(tab_stops_.begin(), tab_stops_.end(), false);
      return;
    }
    case TrackedAction::kSaveCursor:
      save_cursor(shown_screen());
      return;
    case TrackedAction::kCsiSaveCursor:
      // libvterm has the sequence but its final byte: DECSLRM while
      // left/right margins are allowed (libvterm's), else SCOSC (ours; the
      // app's renderer has no margins).
      if (lr_margins_) {
        input_vterm("s", 1);
      } else {
        input_vterm("\x18", 1);
        save_cursor(shown_screen());
      }
      return;
    case TrackedAction::kCursorCsi:
      phantom_ = false;  // even when the cursor does not move
      return;
    case TrackedAction::kEraseFromCursor:
      return;  // see on_erase
    case TrackedAction::kHardReset:
      phantom_ = false;
      reset_tab_stops(0);
      glyph_printed_ = false;  // libvterm forgets its last character too
      last_glyph_width_ = 0;
      modes_ = proto::Modes{};
      modes_.alternateScreen = on_alternate_screen();
      mouse_level_ = 0;
      insert_mode_ = newline_mode_ = lr_margins_ = false;
      margin_top_ = 0;
      margin_bottom_ = rows_;
      pen_ = Pen{};
      saved_[0] = saved_[1] = SavedCursor{};
      title_.clear();
      return;
  }
}

// --- libvterm callbacks ------------------------------------------------------

void Emulator::on_putglyph(const std::uint32_t* chars, int width, int row, int col) {
  // libvterm's REP repeats this glyph and advances by this width: a width of
  // 0 (a zero-width or combining character on its own, a C1 code point)
  // would never advance, and REP would loop for ever.
  last_glyph_width_ = width;
  last_glyph_row_ = row;
  last_glyph_col_ = col;
  glyph_printed_ = true;
  if (row < 0 || row >= rows_ || col < 0 || col >= cols_) return;
  // A glyph anywhere but where the pending wrap was means it happened (the
  // cursor may be back where it was, and then no move is reported); so does
  // one right after a scroll in the first column, where a wrap on the bottom
  // line of a screen one line tall comes back to (fuzzer finding).
  // The wrap happened: the glyph is at the start of the next row (of the same
  // one, scrolled up under it), which continues the row it wrapped from.
  if (phantom_ && col == 0 && (row == phantom_row_ + 1 || (scrolled_ && row == phantom_row_)))
    active_->set_wrapped(row, true);
  // A wide character that did not fit in the last column wrapped too: the
  // renderer blanks that column with the pen the character is written in.
  const bool wide_wrap =
      !phantom_ && width == 2 && col == 0 && row > 0 && cursor_before_.col == cols_ - 1 &&
      (row == cursor_before_.row + 1 || (scrolled_ && row == cursor_before_.row));
  cursor_before_ = {row, col + width};
  if (wide_wrap) {
    active_->set_wrapped(row, true);
    active_->put(row - 1, cols_ - 1, 0, 1, pen_);
  }
  if (phantom_ && (row != phantom_row_ || col != phantom_col_ || (scrolled_ && col == 0)))
    phantom_ = false;
  scrolled_ = false;
  // A glyph of no width on its own (a combining or zero-width character that
  // libvterm could not join to the one before it, a C1 code point): libvterm
  // does not move past it, what comes next overwrites it, and no snapshot
  // could put it back: not kept (fuzzer finding).
  if (width <= 0) return;
  int count = 0;
  std::uint32_t safe[VTERM_MAX_CHARS_PER_CELL];
  while (count < VTERM_MAX_CHARS_PER_CELL && chars[count]) {
    // Surrogates or values past U+10FFFF would make the snapshot invalid UTF-8.
    const std::uint32_t cp = chars[count];
    safe[count++] = (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff ? 0xfffd : cp;
  }
  std::uint32_t ch = count == 0 ? ' ' : safe[0];
  if (count > 1) {
    if (combining_.size() >= 4096) collect_combining_garbage();
    ch = combining_.intern(safe, count);
  }
  width = std::min(width, 2);
  if (width == 2 && col + 2 > cols_) {
    // A wide character in the last column (libvterm's REP puts one there):
    // nothing can show it, and no snapshot could put it back; a blank.
    ch = 0;
    width = 1;
  }
  active_->put(row, col, ch, width, pen_);
  if (col + width >= cols_) {
    phantom_ = modes_.autoWrap;
    phantom_row_ = row;
    phantom_col_ = col;
  }
}

void Emulator::on_movecursor(int row, int col) {
  cursor_row_ = row;
  cursor_col_ = col;
  cursor_before_ = {row, col};
  // libvterm reports the cursor's move along a line of text after the last
  // glyph, keeping a pending wrap; any other move cancels it.
  if (phantom_ && (row != phantom_row_ || col != phantom_col_)) phantom_ = false;
}

void Emulator::scroll_up(int r0, int r1, int n, const Pen& pen) {
  if (r0 == 0 && active_ == &primary_) {
    primary_.scroll_up_full_width(
        r0, r1, n, pen, [this](const Cell* cells, int used, bool wrapped, int start) {
          scrollback_.push(cells, used, combining_, links_, wrapped, start);
        });
  } else {
    active_->scroll(r0, r1, 0, cols_, n, 0, pen);
  }
}

void Emulator::on_scrollrect(int r0, int r1, int c0, int c1, int down, int right) {
  scrolled_ = true;
  // Lines scrolled off the top of the primary screen go to scrollback (as
  // libvterm's own screen and xterm do for a region anchored at the top).
  if (right == 0 && down > 0 && c0 == 0 && c1 == cols_) {
    scroll_up(r0, r1, down, pen_);
    return;
  }
  active_->scroll(r0, r1, c0, c1, down, right, pen_);
}

void Emulator::on_erase(int r0, int r1, int c0, int c1) {
  // EL 0 and ED 0 at a pending wrap erase from past the last column in
  // xterm.js, so nothing of the cursor's row (libvterm erases its last
  // column, or both halves of a wide character there).
  if (erase_from_cursor_ && phantom_ && r0 == phantom_row_ && r1 == r0 + 1 && c1 == cols_ &&
      c0 >= cols_ - 2)
    return;
  active_->erase(r0, r1, c0, c1, pen_);
}

void Emulator::on_termprop(int prop, const void* value) {
  const auto* v = static_cast<const VTermValue*>(value);
  switch (prop) {
    case VTERM_PROP_CURSORVISIBLE:
      modes_.cursorVisible = v->boolean;
      break;
    case VTERM_PROP_ALTSCREEN: {
      const bool alt = v->boolean;
      if (alt && active_ == &primary_) {
        entered_alternate_ = true;
        saved_primary_row_ = cursor_row_;
        saved_primary_col_ = cursor_col_;
        if (!alternate_ || alternate_->rows() != rows_ || alternate_->cols() != cols_)
          alternate_ = std::make_unique<ScreenBuffer>(rows_, cols_);
        active_ = alternate_.get();
      } else if (!alt) {
        active_ = &primary_;
      }
      modes_.alternateScreen = alt;
      break;
    }
    default:
      break;
  }
}

void Emulator::on_osc(std::string_view command) {
  // OSC 0 / 2: the window title (1 is the icon name, not kept).
  if (command.substr(0, 2) == "0;" || command.substr(0, 2) == "2;") {
    // Without control characters: a title is one line of text (and the
    // snapshot, which writes it in an OSC, could not carry them).
    title_ = one_line(proto::utf8_sanitize(command.substr(2)));
    return;
  }
  if (command.substr(0, 2) == "8;") {
    set_link(command.substr(2));
    return;
  }
  if (command == kFirstRowWrappedOsc) {
    primary_.set_wrapped(0, true);  // an upgrade's screen (Emulator::handover)
    return;
  }
  // OSC 7 ; file://host/path  (the shell's working directory)
  if (command.substr(0, 2) != "7;") return;
  std::string_view uri = command.substr(2);
  if (uri.substr(0, 7) == "file://") {
    uri.remove_prefix(7);
    const std::size_t slash = uri.find('/');
    if (slash == std::string_view::npos) return;
    uri.remove_prefix(slash);  // drop the host
  } else if (uri.empty() || uri[0] != '/') {
    return;
  }
  cwd_ = one_line(proto::utf8_sanitize(percent_decode(uri)));  // as the title
}

void Emulator::set_link(std::string_view text) {
  // As xterm.js reads OSC 8: "params;uri" starts a link (params may hold
  // "id=..."), an empty uri ends it, and the params of an end must be blank.
  const std::size_t semicolon = text.find(';');
  if (semicolon == std::string_view::npos) return;
  std::string_view params = text.substr(0, semicolon);
  if (text.size() == semicolon + 1) {
    while (!params.empty() && (params.front() == ' ' || params.back() == ' '))
      params = params.front() == ' ' ? params.substr(1) : params.substr(0, params.size() - 1);
    if (params.empty()) pen_.link = 0;
    return;
  }
  // Without control characters (the renderer's OSC parser drops them, and a
  // snapshot writes the link in an OSC of its own); a cut one is made whole.
  std::string clean = proto::utf8_sanitize(text);
  std::erase_if(clean, [](char c) { return static_cast<unsigned char>(c) < 0x20; });
  if (links_.full()) collect_link_garbage();
  pen_.link = links_.intern(clean);
}

void Emulator::on_output(std::string_view bytes) {
  if (query_answer_) query_answer_(bytes);
}

void Emulator::on_resize(int, int, int* delta_row) {
  // The screens were resized before libvterm (resize()), which is then told
  // where the cursor went.
  *delta_row = 0;
}

ResizedBuffer Emulator::primary_for_resize() const {
  ResizedBuffer b;
  b.cols = cols_;
  b.rows = rows_;
  b.scrollback = scrollback_.max_lines();
  b.reflow = true;
  b.lines.reserve(scrollback_.size() + static_cast<std::size_t>(rows_));
  std::vector<Cell> cells;
  for (std::size_t i = 0; i < scrollback_.size(); ++i) {
    scrollback_.line(i, cells, combining_, links_);
    ResizedBuffer::Line l;
    l.cells.assign(
        cells.begin(),
        cells.begin() + std::min<std::ptrdiff_t>(static_cast<std::ptrdiff_t>(cells.size()), cols_));
    l.cells.resize(static_cast<std::size_t>(cols_));
    if (l.cells.back().width() == 2) l.cells.back() = Cell{};  // cut at the margin
    l.wrapped = scrollback_.wrapped(i);
    b.lines.push_back(std::move(l));
  }
  b.ybase = scrollback_.size();
  for (int r = 0; r < rows_; ++r)
    b.lines.push_back(
        {std::vector<Cell>(primary_.row(r), primary_.row(r) + cols_), primary_.wrapped(r)});
  b.saved_x = saved_[0].col;
  b.saved_y = saved_[0].row;
  return b;
}

void Emulator::store_resized(const ResizedBuffer& b, ScreenBuffer& screen, bool primary) {
  const auto used_of = [](const std::vector<Cell>& cells) {
    int n = static_cast<int>(cells.size());
    while (n > 0 && cells[static_cast<std::size_t>(n) - 1] == Cell{})
      --n;
    return n;
  };
  if (primary) {
    scrollback_.clear();
    for (std::size_t i = 0; i < b.ybase && i < b.lines.size(); ++i)
      scrollback_.push(b.lines[i].cells.data(), used_of(b.lines[i].cells), combining_, links_,
                       b.lines[i].wrapped);
  }
  screen.reset(b.rows, b.cols);
  for (int r = 0; r < b.rows; ++r) {
    const std::size_t i = b.ybase + static_cast<std::size_t>(r);
    if (i >= b.lines.size()) break;
    const ResizedBuffer::Line& l = b.lines[i];
    screen.assign_row(r, l.cells.data(), used_of(l.cells), l.wrapped);
  }
}

void Emulator::resize_tab_stops(int cols) {
  // As xterm.js: stops are never taken away (those past the edge come back
  // with a wider screen), and the default ones are added from the last stop
  // before the new edge, unless there is one at it.
  if (tab_stops_.size() < static_cast<std::size_t>(cols) + 1)
    tab_stops_.resize(static_cast<std::size_t>(cols) + 1, false);
  if (tab_stops_[static_cast<std::size_t>(cols)]) return;
  int start = 0;
  for (int c = cols - 1; c > 0; --c)
    if (tab_stops_[static_cast<std::size_t>(c)]) {
      start = c;
      break;
    }
  for (int c = start; c < cols; c += 8)
    tab_stops_[static_cast<std::size_t>(c)] = true;
}

void Emulator::resize(int cols, int rows) {
  cols = std::clamp(cols, kMinCols, proto::kMaxCols);
  rows = std::clamp(rows, 1, proto::kMaxRows);
  if (cols == cols_ && rows == rows_) return;
  // As the app's renderer resizes (reflow.hpp): the primary screen with its
  // scrollback, reflowed, around its cursor (the one it had when the
  // alternate screen was entered, while that is shown); the alternate screen
  // cut or padded. Its cursor past the last column is a pending wrap.
  const bool alt = on_alternate_screen();
  const int live_x = phantom_ ? cols_ : cursor_col_;
  ResizedBuffer primary = primary_for_resize();
  primary.x = alt ? saved_primary_col_ : live_x;
  primary.y = alt ? saved_primary_row_ : cursor_row_;
  primary.resize(cols, rows);
  int x = primary.x, y = primary.y;
  // The renderer moves even a cursor never saved (from the top left).
  const auto store_saved = [](SavedCursor& s, const ResizedBuffer& b) {
    if (b.saved_x != s.col || b.saved_y != s.row) s.saved = true;
    s.col = b.saved_x;
    s.row = b.saved_y;
  };
  if (alt) {
    ResizedBuffer a;
    a.cols = cols_;
    a.rows = rows_;
    for (int r = 0; r < rows_; ++r)
      a.lines.push_back({std::vector<Cell>(alternate_->row(r), alternate_->row(r) + cols_), false});
    a.x = live_x;
    a.y = cursor_row_;
    a.saved_x = saved_[1].col;
    a.saved_y = saved_[1].row;
    a.resize(cols, rows);
    saved_primary_row_ = primary.y;
    saved_primary_col_ = primary.x;
    x = a.x;
    y = a.y;
    store_saved(saved_[1], a);
    store_resized(a, *alternate_, false);
  } else {
    alternate_.reset();  // the renderer's is empty while not shown
  }
  store_resized(primary, primary_, true);
  store_saved(saved_[0], primary);
  cols_ = cols;
  rows_ = rows;
  resize_tab_stops(cols);
  vterm_set_size(vt_, rows, cols);
  // A resize resets the scroll region (and left/right margins) to the whole
  // screen, as xterm.js does. libvterm 0.1.4 keeps them, even past the new
  // size, and then scrolls with a negative length (found by the fuzzer).
  // It is given our tab stops and cursor.
  std::string sync = "\x1b[r";
  if (lr_margins_) sync += "\x1b[s";  // DECSLRM while DECLRMM is set
  sync += "\x1b[3g";
  for (int c = 0; c < cols; ++c)
    if (tab_stops_[static_cast<std::size_t>(c)]) sync += "\x1b[" + std::to_string(c + 1) + "G\x1bH";
  append_cup(sync, y, x);
  input_vterm_between(sync);
  margin_top_ = 0;
  margin_bottom_ = rows;
  cursor_row_ = y;
  cursor_col_ = x;
  cursor_before_ = {y, x};
  phantom_ = false;
  if (combining_.size() >= 4096) collect_combining_garbage();
  if (links_.full()) collect_link_garbage();
}

void Emulator::clear_scrollback() {
  scrollback_.clear();
}

void Emulator::clear() {
  // As xterm.js clear() (what the desktop app does to its own view): the
  // scrollback goes, the cursor's line becomes the top row, the rows below
  // it are blank, the cursor keeps its column.
  scrollback_.clear();
  if (cursor_row_ > 0) active_->scroll(0, rows_, 0, cols_, cursor_row_, 0, Pen{});
  if (rows_ > 1) active_->erase(1, rows_, 0, cols_, Pen{});
  if (cursor_row_ == 0) return;
  // Tell libvterm where the cursor is now (CAN first, as the fast path does;
  // in origin mode CUP lands on the scroll region's top row instead).
  std::string sync = "\x18";
  append_cup(sync, 0, cursor_col_);
  input_vterm_between(sync);
  cursor_row_ = 0;
  phantom_ = false;
}

void Emulator::collect_combining_garbage() {
  // Only the screens refer to the table (scrollback stores code points).
  CombiningTable fresh;
  std::u32string chars;
  auto remap = [&](Cell& c) {
    if (c.ch & Cell::kCombined) {
      combining_.expand(c.ch, chars);
      c.ch = fresh.intern(reinterpret_cast<const std::uint32_t*>(chars.data()),
                          static_cast<int>(chars.size()));
    }
  };
  primary_.for_each_cell(remap);
  if (alternate_) alternate_->for_each_cell(remap);
  combining_ = std::move(fresh);
}

void Emulator::collect_link_garbage() {
  // What the screens, the pens and the saved cursors refer to, in a fresh
  // table (the scrollback holds the links' text).
  LinkTable fresh;
  auto remap = [&](Pen& pen) {
    if (pen.link != 0) pen.link = fresh.intern(links_.text(pen.link));
  };
  primary_.for_each_cell([&](Cell& c) { remap(c.pen); });
  if (alternate_) alternate_->for_each_cell([&](Cell& c) { remap(c.pen); });
  remap(pen_);
  remap(saved_[0].pen);
  remap(saved_[1].pen);
  links_ = std::move(fresh);
}

std::size_t Emulator::memory_bytes() const {
  std::size_t total = sizeof(*this) + *vterm_bytes_ + primary_.memory_bytes() +
                      scrollback_.memory_bytes() + combining_.memory_bytes() +
                      links_.memory_bytes() + title_.capacity();
  if (alternate_) total += sizeof(ScreenBuffer) + alternate_->memory_bytes();
  return total;
}

// --- inspection --------------------------------------------------------------

CellView Emulator::view(const Cell& cell) const {
  CellView v;
  combining_.expand(cell.ch, v.chars);
  v.width = cell.width();
  v.pen = cell.pen;
  v.pen.link = 0;
  v.link = links_.text(cell.pen.link);
  return v;
}

std::vector<CellView> Emulator::row_cells(int row) const {
  std::vector<CellView> out;
  out.reserve(cols_);
  const Cell* cells = active_->row(row);
  for (int c = 0; c < cols_; ++c)
    out.push_back(view(cells[c]));
  return out;
}

std::vector<CellView> Emulator::scrollback_cells(std::size_t i) const {
  std::vector<Cell> cells;
  scrollback_.line(i, cells, combining_, links_);
  std::vector<CellView> out;
  for (const Cell& c : cells)
    out.push_back(view(c));
  while (static_cast<int>(out.size()) < cols_)
    out.push_back(CellView{});
  return out;
}

}  // namespace ptyctl::emu
