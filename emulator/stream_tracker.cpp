#include "stream_tracker.hpp"

#include <algorithm>

namespace ptyctl::emu {

void StreamTracker::reset() {
  state_ = State::kGround;
  partial_.clear();
  utf8_pending_ = 0;
  for (char& g : g_)
    g = 'B';
  gl_ = 0;
  dwl_seen_ = false;
  keypad_ = false;
  cursor_style_ = 0;
}

void StreamTracker::begin_csi() {
  state_ = State::kCsi;
  leader_ = 0;
  intermediate_ = 0;
  nparams_ = 0;
  sub_mask_ = 0;
}

std::string StreamTracker::partial() const {
  switch (state_) {
    case State::kGround:
      return {};
    case State::kString:
    case State::kStringEsc: {
      // Nothing of a string reaches libvterm: its introducer and what an OSC
      // has collected recreate it.
      std::string s = "\x1b";
      s += string_introducer_;
      if (string_started_ && string_is_osc_) s += osc_;
      if (state_ == State::kStringEsc) s += '\x1b';
      return s;
    }
    default:
      return partial_;
  }
}

TrackedAction StreamTracker::advance(const char* data, std::size_t n, std::size_t& pos) {
  while (pos < n) {
    const auto b = static_cast<unsigned char>(data[pos]);
    // The bytes of an escape sequence or CSI so far, for partial(): but C0
    // controls, which have been executed (CAN, SUB and ESC end it anyway).
    // And of an SGR of many parameters, which is still ours.
    if (state_ == State::kEscape || state_ == State::kEscapeIntermediate || state_ == State::kCsi ||
        (state_ == State::kCsiDiscard && counting_discarded_)) {
      if (b >= 0x20 && partial_.size() < kMaxPartial) partial_ += static_cast<char>(b);
    }
    switch (state_) {
      case State::kGround:
        if ((b >= 0x20 && b < 0x7f) || b == '\r' || b == '\n') {
          if (utf8_pending_ == 0) return TrackedAction::kNone;  // caller handles text
          utf8_pending_ = 0;  // an ASCII byte ends a broken sequence
          // A CR or LF still goes to the caller: it may have to cancel a
          // pending wrap after it (Emulator::end_line_control; fuzzer finding).
          if (b == '\r' || b == '\n') return TrackedAction::kNone;
          ++pos;
          continue;
        }
        ++pos;
        if (b >= 0x80) {
          if (b >= 0xc0) {
            utf8_pending_ = b >= 0xf0 ? 3 : b >= 0xe0 ? 2 : 1;
            utf8_lead_ = b;
          } else if (utf8_pending_ > 0) {
            --utf8_pending_;
            // A C1 code point as text (U+0080-U+009F): see kC1Text.
            if (utf8_lead_ == 0xc2 && utf8_pending_ == 0 && b < 0xa0) return TrackedAction::kC1Text;
          }
          continue;
        }
        utf8_pending_ = 0;
        if (b == 0x1b) {
          state_ = State::kEscape;
          esc_intermediate_ = 0;
          partial_ = "\x1b";
        } else if (b == 0x0e || b == 0x0f) {
          gl_ = b == 0x0e ? 1 : 0;  // SO, SI
        }
        continue;

      case State::kEscape:
      case State::kEscapeIntermediate:
        if (b >= 0x7f) {
          // As libvterm 0.1.4 does: DEL and bytes from 0x80 on are ignored
          // in an escape sequence, which goes on (then "ESC \xff [" is a
          // CSI to it: reading the byte as text here let a CSI of 17
          // parameters past us and overrun its buffer; fuzzer finding).
          ++pos;
          continue;
        }
        ++pos;
        if (b == 0x1b) {
          state_ = State::kEscape;
          esc_intermediate_ = 0;
          partial_ = "\x1b";
        } else if (b == 0x18 || b == 0x1a) {
          state_ = State::kGround;
        } else if (b < 0x20) {
          // C0 controls execute inside escape sequences.
          if (b == 0x0e || b == 0x0f) gl_ = b == 0x0e ? 1 : 0;
          if (b == '\r' || b == '\n') return TrackedAction::kLineControl;
        } else if (b < 0x30) {
          esc_intermediate_ = static_cast<char>(b);
          state_ = State::kEscapeIntermediate;
        } else if (b == '[') {
          // Even after intermediates ("ESC # ["): libvterm 0.1.4 starts a CSI
          // on '[' in any escape state, so we must count its parameters too
          // (a CSI of 17 it saw and we did not overran its buffer: fuzzer
          // finding). The same for the string introducers below.
          begin_csi();
        } else if (b == ']' || b == 'P' || b == 'X' || b == '^' || b == '_') {
          // OSC, DCS, SOS, PM, APC: read here, never passed to libvterm (its
          // string handling overruns a buffer on some inputs: found by
          // fuzzing). The ESC before it may have reached libvterm: CAN.
          --pos;
          state_ = State::kString;
          string_introducer_ = static_cast<char>(b);
          string_is_osc_ = b == ']';
          string_started_ = false;
          osc_.clear();
          return TrackedAction::kDiscardStart;
        } else if (esc_intermediate_ == 0 && (b == 'N' || b == 'O')) {
          // SS2 and SS3: kept from libvterm (the renderer has none), which
          // is told to cancel the ESC it has.
          --pos;
          state_ = State::kCsiDiscard;
          counting_discarded_ = false;
          return TrackedAction::kDiscardStart;
        } else {
          state_ = State::kGround;
          const TrackedAction a = on_escape_final(static_cast<char>(b));
          if (a != TrackedAction::kNone) return a;
        }
        continue;

      case State::kCsi:
        ++pos;
        if (b >= 0x30 && b < 0x40 && (intermediate_ != 0 || (b >= '<' && nparams_ > 0))) {
          // As libvterm 0.1.4: a parameter after an intermediate, or a
          // leader after a parameter, ends the CSI as invalid (the byte is
          // eaten) and what follows is text (fuzzer finding).
          state_ = State::kGround;
          continue;
        }
        if (b >= '0' && b <= '9') {
          if (nparams_ == 0) {
            nparams_ = 1;
            params_[0] = -1;
          }
          int& p = params_[nparams_ - 1];
          const int value = p < 0 ? b - '0' : p * 10 + (b - '0');
          if (value > kMaxVtermParamValue) {
            // libvterm 0.1.4 takes counts as they come: "CSI 2000000000 b"
            // (repeat) would write two billion glyphs. No terminal needs this.
            --pos;
            state_ = State::kCsiDiscard;
            counting_discarded_ = false;
            return TrackedAction::kDiscardStart;
          }
          p = value;
        } else if (b == ';' || b == ':') {
          if (nparams_ >= kMaxVtermParams) {
            --pos;  // the separator is the first byte not to pass on
            state_ = State::kCsiDiscard;
            counting_discarded_ = true;  // an SGR of many is still ours
            // Read again there: it goes into partial_ then.
            if (partial_.size() < kMaxPartial) partial_.pop_back();
            return TrackedAction::kDiscardStart;
          }
          if (nparams_ == 0) {
            nparams_ = 1;
            params_[0] = -1;
          }
          if (nparams_ < kMaxParams) {
            if (b == ':') sub_mask_ |= 1u << nparams_;  // a sub-parameter of the one before
            params_[nparams_++] = -1;
          }
        } else if (b >= '<' && b <= '?') {
          leader_ = static_cast<char>(b);
        } else if (b >= 0x20 && b < 0x30) {
          intermediate_ = static_cast<char>(b);
        } else if (b == 's' && leader_ == 0 && intermediate_ == 0) {
          // SCOSC, or DECSLRM with left/right margins: the emulator decides
          // whether libvterm sees the final byte (it takes CSI s for DECSLRM,
          // which homes the cursor, even without margins).
          --pos;
          state_ = State::kCsiDiscard;
          counting_discarded_ = false;
          final_ = 's';
          return TrackedAction::kCsiSaveCursor;
        } else if (b == 'b' && leader_ == 0 && intermediate_ == 0) {
          // REP: the emulator writes the final byte (or not) itself.
          --pos;
          state_ = State::kCsiDiscard;
          counting_discarded_ = false;
          repeat_count_ = nparams_ >= 1 && params_[0] > 0 ? params_[0] : 1;
          return TrackedAction::kRepeat;
        } else if (b >= 0x40 && b < 0x7f) {
          state_ = State::kGround;
          const TrackedAction a = on_csi_final(static_cast<char>(b));
          if (a != TrackedAction::kNone) return a;
        } else if (b == 0x1b) {
          state_ = State::kEscape;
          esc_intermediate_ = 0;
          partial_ = "\x1b";
        } else if (b == 0x18 || b == 0x1a) {
          state_ = State::kGround;
        } else if (b >= 0x80) {
          // libvterm 0.1.4 ends an invalid CSI here, eating the byte.
          state_ = State::kGround;
        } else if (b == 0x0e || b == 0x0f) {
          gl_ = b == 0x0e ? 1 : 0;  // executed inside the CSI
        } else if (b == '\r' || b == '\n') {
          return TrackedAction::kLineControl;
        }
        continue;

      case State::kCsiDiscard:
        ++pos;
        if (counting_discarded_) {
          // Its parameters, as far as kMaxParams, for an SGR; anything but
          // digits and separators makes it nothing of ours.
          if (b >= '0' && b <= '9') {
            int& p = params_[nparams_ - 1];
            p = std::min(p < 0 ? b - '0' : p * 10 + (b - '0'), kMaxVtermParamValue);
            continue;
          }
          if (b == ';' || b == ':') {
            if (nparams_ < kMaxParams) {
              if (b == ':') sub_mask_ |= 1u << nparams_;
              params_[nparams_++] = -1;
            }
            continue;
          }
          counting_discarded_ = false;
          if (b == 'm' && leader_ == 0 && intermediate_ == 0) {
            state_ = State::kGround;
            discarded_sgr_ = true;
            return TrackedAction::kDiscardEnd;
          }
        }
        if (b >= 0x40 && b < 0x7f) {
          state_ = State::kGround;
          return TrackedAction::kDiscardEnd;
        }
        if (b == 0x18 || b == 0x1a) {
          state_ = State::kGround;
          return TrackedAction::kDiscardEnd;
        }
        if (b == 0x1b) {
          --pos;  // ESC starts a new sequence: it is passed on
          state_ = State::kGround;
          return TrackedAction::kDiscardEnd;
        }
        continue;

      case State::kString:
        ++pos;
        if (!string_started_) {
          string_started_ = true;  // the introducer (']', 'P', ...)
          continue;
        }
        if (b == 0x07) {
          state_ = State::kGround;
          return string_is_osc_ ? TrackedAction::kOsc : TrackedAction::kDiscardEnd;
        } else if (b == 0x1b) {
          state_ = State::kStringEsc;
        } else if (b == 0x18 || b == 0x1a) {
          state_ = State::kGround;
          return TrackedAction::kDiscardEnd;
        } else if (string_is_osc_ && osc_.size() < kMaxOsc) {
          osc_ += static_cast<char>(b);
        }
        continue;

      case State::kStringEsc:
        // ESC \ ends the string; any other ESC x also ends it, and x is read
        // as following an ESC (which libvterm, having seen none of the
        // string, must be given: pending_escape()).
        if (b == '\\') {
          ++pos;
          state_ = State::kGround;
        } else {
          state_ = State::kEscape;
          esc_intermediate_ = 0;
          pending_escape_ = true;
          partial_ = "\x1b";
        }
        return string_is_osc_ ? TrackedAction::kOsc : TrackedAction::kDiscardEnd;
    }
  }
  return TrackedAction::kNone;
}

TrackedAction StreamTracker::on_escape_final(char f) {
  if (esc_intermediate_ >= '(' && esc_intermediate_ <= '+') {
    g_[esc_intermediate_ - '('] = f;  // SCS: G0-G3
  } else if (esc_intermediate_ == '#') {
    if (f == '3' || f == '4' || f == '6') dwl_seen_ = true;
    if (f == '8') return TrackedAction::kAlignment;
  } else if (esc_intermediate_ == 0) {
    switch (f) {
      case 'c':
        reset();
        return TrackedAction::kHardReset;
      case 'n':
      case 'o':
        gl_ = f == 'n' ? 2 : 3;  // LS2 / LS3
        break;
      case '=':
      case '>':
        keypad_ = f == '=';  // DECKPAM / DECKPNM
        break;
      case '7':
        final_ = 0;
        return TrackedAction::kSaveCursor;
      case '8':
        final_ = 0;
        return TrackedAction::kRestoreCursor;
      case 'H':
        return TrackedAction::kTabSet;
      default:
        break;
    }
  }
  return TrackedAction::kNone;
}

TrackedAction StreamTracker::on_csi_final(char f) {
  final_ = f;
  if (intermediate_ == ' ' && f == 'q' && leader_ == 0) {
    // DECSCUSR: 0 is the terminal's default; past 6, xterm.js ignores it.
    const int style = nparams_ == 0 || params_[0] < 0 ? 0 : params_[0];
    if (style <= 6) cursor_style_ = style;
  }
  if (intermediate_ != 0) return TrackedAction::kNone;
  if (leader_ == '?') {
    for (int i = 0; i < nparams_ && i < kMaxParams; ++i)
      if (params_[i] == 66 && (f == 'h' || f == 'l')) keypad_ = f == 'h';  // DECNKM
    if (f == 'h' || f == 'l') return TrackedAction::kPrivateModes;
    return TrackedAction::kNone;
  }
  if (leader_ != 0) return TrackedAction::kNone;
  switch (f) {
    case 'h':
    case 'l':
      return TrackedAction::kAnsiModes;
    case 'm':
      return TrackedAction::kSgr;
    case 'r':
      return TrackedAction::kMargins;
    case 'g':
      return TrackedAction::kTabClear;
    case 'A':
    case 'B':
    case 'C':
    case 'D':
    case 'E':
    case 'F':
    case 'G':
    case 'H':
    case '`':
    case 'a':
    case 'd':
    case 'e':
    case 'f':
    case 'j':
    case 'k':
      return TrackedAction::kCursorCsi;
    case 'J':
    case 'K':
      if (f == 'J' && nparams_ >= 1 && params_[0] == 3) return TrackedAction::kClearScrollback;
      if (nparams_ == 0 || params_[0] <= 0) return TrackedAction::kEraseFromCursor;
      return TrackedAction::kNone;
    case 'u':
      return TrackedAction::kRestoreCursor;  // SCORC
    default:
      return TrackedAction::kNone;
  }
}

}  // namespace ptyctl::emu
