#pragma once
// Watches the byte stream beside libvterm for what libvterm 0.1.4 keeps to
// itself or ignores: the private modes the desktop protocol reports (1, 6, 7,
// 9, 1000-1006, 2004), SGR faint and conceal, insert and newline modes, scroll
// margins, character sets, clear-scrollback (CSI 3 J) and the hard reset (ESC c). DECSTR (CSI ! p)
// is ignored, as libvterm 0.1.4 ignores it. It also knows when the parser is between sequences,
// which the emulator's plain-text fast path needs. Sequences split across feeds are handled: the
// state machine carries over.

#include <cstddef>
#include <cstdint>
#include <string>

namespace ptyctl::emu {

// What a completed sequence asks of the emulator (applied after libvterm has
// seen the same bytes, so the order of effects matches the stream).
enum class TrackedAction : std::uint8_t {
  kNone,
  kPrivateModes,  // CSI ? Pm h / l: see private_mode_params()
  kAnsiModes,     // CSI Pm h / l: insert (4), newline (20)
  kSgr,           // CSI Pm m: faint / conceal
  kMargins,       // CSI Pt ; Pb r
  kClearScrollback,
  kHardReset,  // ESC c
  kOsc,        // OSC Ps ; Pt (BEL or ST): see osc()
  // A CSI libvterm 0.1.4 must not see: more than 16 parameters (it overruns
  // a buffer from the 17th on) or a parameter over 65535 (it loops that many
  // times). pos is at the first byte not to pass on; the rest of the
  // sequence, through its final byte, must not reach libvterm, which must be
  // told to cancel what it has (CAN).
  kDiscardStart,
  kDiscardEnd,  // pos is just past the discarded sequence's last byte
  // REP (CSI Ps b): pos is at the final byte, which is dropped (as for
  // kDiscardStart); the emulator passes on what libvterm 0.1.4 can take: it
  // loops forever on a REP before any character was printed, and loops
  // `count` times even though it stops at the end of the row (hangs found by
  // fuzzing). repeat_count() is the count asked for.
  kRepeat,
  // DECALN (ESC # 8), pos just past it: libvterm fills the screen with
  // putglyph, which is not a character printed (REP must not repeat it).
  kAlignment,
  // HTS (ESC H) and TBC (CSI Ps g), pos just past them: tab stops, which
  // libvterm 0.1.4 keeps to itself.
  kTabSet,
  kTabClear,
  // A CSI that moves the cursor (CUU CUD CUF CUB CNL CPL CHA CUP HPA HPR VPA
  // VPR HVP HPB VPB): libvterm 0.1.4 cancels a pending wrap on these even
  // when the cursor stays, on any other sequence only when it moves.
  kCursorCsi,
  // CR or LF inside an escape sequence or CSI (executed there), pos just
  // past it: the emulator may have to cancel a pending wrap after it.
  kLineControl,
  // A C1 code point written as UTF-8 text (U+0080-U+009F), pos just past
  // it: libvterm 0.1.4 gives it a width of -1 and moves the cursor back, off
  // the screen; it is kept from libvterm (fuzzer finding).
  kC1Text,
  // DECSC (ESC 7), pos just past it: libvterm keeps the saved cursor to
  // itself.
  kSaveCursor,
  // CSI s, pos at its final byte, which is dropped (as for kRepeat): SCOSC,
  // or DECSLRM while left/right margins are allowed.
  kCsiSaveCursor,
  // DECRC (ESC 7's ESC 8) or SCORC (CSI u), pos just past it: libvterm 0.1.4
  // restores the saved position as it was, though the screen may have
  // shrunk since.
  kRestoreCursor,
  // EL 0 or ED 0 (CSI K, CSI J, CSI 0 K ...), pos just past it: at a
  // pending wrap it erases nothing of the cursor's row in the renderer.
  kEraseFromCursor,
};

class StreamTracker {
 public:
  static constexpr int kMaxParams = 32;

  // Advances over bytes [pos, n) until a sequence of interest completes (pos is
  // then just past its final byte) or the input ends. In ground state it also
  // stops before a printable ASCII byte, CR or LF (the caller handles text).
  TrackedAction advance(const char* data, std::size_t n, std::size_t& pos);

  // True between sequences, with no UTF-8 character half read.
  bool at_text_boundary() const { return state_ == State::kGround && utf8_pending_ == 0; }
  // Bytes that must not reach libvterm: an over-long CSI, any string.
  bool discarding() const {
    return state_ == State::kCsiDiscard || state_ == State::kString || state_ == State::kStringEsc;
  }
  // After a string ended by "ESC x": libvterm must be given that ESC.
  bool take_pending_escape() {
    const bool p = pending_escape_;
    pending_escape_ = false;
    return p;
  }
  static constexpr int kMaxVtermParams = 16;
  static constexpr int kMaxVtermParamValue = 65535;
  int repeat_count() const { return repeat_count_; }
  // The plain-text fast path also needs the standard character set in use.
  bool plain_charset() const { return g_[0] == 'B' && gl_ == 0; }
  // For the snapshot: the final bytes of the G0-G3 designations ('B' ASCII,
  // '0' DEC graphics...) and the set in GL (SI 0, SO 1, LS2 2, LS3 3).
  // The single shifts SS2 and SS3 (ESC N, ESC O) are kept from libvterm and
  // do nothing, as in the app's renderer, which has none.
  char g(int set) const { return g_[set]; }
  // A G0 designation the fast path applied (its bytes never reach us).
  void designate_g0(char final_byte) { g_[0] = final_byte; }
  int gl() const { return gl_; }
  bool double_width_seen() const { return dwl_seen_; }
  // Keypad application mode (DECKPAM ESC =, DECNKM CSI ? 66 h; off by ESC >
  // and CSI ? 66 l) and the cursor's style (DECSCUSR CSI Ps SP q, 0 the
  // default): state libvterm 0.1.4 does not report, which a snapshot restores.
  bool keypad_application() const { return keypad_; }
  int cursor_style() const { return cursor_style_; }

  // The completed sequence's parameters (-1 when empty); a parameter that
  // followed a ':' is a sub-parameter of the one before it.
  int param_count() const { return nparams_; }
  const int* params() const { return params_; }
  std::uint32_t sub_mask() const { return sub_mask_; }
  // After a kDiscardEnd: the CSI discarded for its parameter count was an
  // SGR, whose parameters (up to kMaxParams) are the ones above.
  bool take_discarded_sgr() {
    const bool s = discarded_sgr_;
    discarded_sgr_ = false;
    return s;
  }
  int param(int i) const { return params_[i]; }
  bool param_has_sub(int i) const { return (sub_mask_ >> i) & 1u; }
  bool set_mode() const { return final_ == 'h'; }
  // The completed OSC's text ("2;title", "7;file://host/path"); at most
  // kMaxOsc bytes are kept (libvterm 0.1.4 loses OSC strings split across
  // writes, so they are collected here).
  const std::string& osc() const { return osc_; }
  static constexpr std::size_t kMaxOsc = 4096;

  // The sequence in progress, as bytes that bring a tracker and libvterm
  // from between sequences to where they are now (the upgrade hands it over):
  // empty between sequences. C0 controls inside it are left out (they have
  // taken effect); a CSI being discarded is cut after the byte that made it
  // so (but one of too many parameters, which may be an SGR, is whole); a string is its introducer
  // and what an OSC has collected.
  std::string partial() const;
  // What of it libvterm holds (an escape sequence or CSI: it sees no string
  // and is told to cancel a discarded CSI), to be given to it again after
  // bytes of our own went in between.
  std::string vterm_partial() const {
    const bool seen =
        state_ == State::kEscape || state_ == State::kEscapeIntermediate || state_ == State::kCsi;
    return seen ? partial_ : std::string();
  }
  static constexpr std::size_t kMaxPartial = 256;

  void reset();

 private:
  enum class State : std::uint8_t {
    kGround,
    kEscape,
    kEscapeIntermediate,
    kCsi,
    kCsiDiscard,
    kString,     // OSC, DCS, SOS, PM, APC: skipped to BEL or ST
    kStringEsc,  // ESC seen inside a string
  };

  TrackedAction on_csi_final(char final_byte);
  TrackedAction on_escape_final(char final_byte);
  void begin_csi();

  State state_ = State::kGround;
  int utf8_pending_ = 0;
  unsigned char utf8_lead_ = 0;
  char g_[4] = {'B', 'B', 'B', 'B'};
  int gl_ = 0;
  bool dwl_seen_ = false;
  bool keypad_ = false;
  int cursor_style_ = 0;
  char leader_ = 0;
  char intermediate_ = 0;
  char esc_intermediate_ = 0;
  char final_ = 0;
  char string_introducer_ = 0;
  bool string_is_osc_ = false;
  bool string_started_ = false;
  bool pending_escape_ = false;
  bool counting_discarded_ = false;  // a kCsiDiscard for its parameter count
  bool discarded_sgr_ = false;
  int repeat_count_ = 0;
  std::string osc_;
  std::string partial_;  // of an escape sequence or CSI: see partial()
  int nparams_ = 0;
  int params_[kMaxParams] = {};
  std::uint32_t sub_mask_ = 0;
};

}  // namespace ptyctl::emu
