#include "glyph_widths.hpp"

#include "scrollback.hpp"

#include <vterm.h>

#include <array>
#include <atomic>
#include <memory>
#include <string>

namespace ptyctl::emu {

namespace {

constexpr std::uint32_t kBlockBits = 8;
constexpr std::uint32_t kBlockSize = 1u << kBlockBits;
constexpr std::uint32_t kBlocks = 0x110000u >> kBlockBits;

// Per code point: its GlyphKind.
using Block = std::array<GlyphKind, kBlockSize>;

// One pointer per block, filled once; a block two threads ask for at once is
// worked out by both and one answer kept.
std::array<std::atomic<const Block*>, kBlocks> blocks{};

struct Probe {
  int glyphs = 0;
  int width = 0;
  std::uint32_t first = 0;
};

int probe_putglyph(VTermGlyphInfo* info, VTermPos, void* user) {
  auto* probe = static_cast<Probe*>(user);
  ++probe->glyphs;
  probe->width = info->width;
  probe->first = info->chars[0];
  return 1;
}

// A libvterm of one line to ask what it draws: the glyphs of one write.
class ScratchVterm {
 public:
  ScratchVterm() : vt_(vterm_new(1, 8)) {
    static const VTermStateCallbacks callbacks = {
        probe_putglyph, nullptr, nullptr, nullptr, nullptr, nullptr,
        nullptr,        nullptr, nullptr, nullptr, nullptr,
    };
    vterm_set_utf8(vt_, 1);
    VTermState* state = vterm_obtain_state(vt_);
    vterm_state_set_callbacks(state, &callbacks, &probe_);
    vterm_state_reset(state, 1);
  }
  ScratchVterm(const ScratchVterm&) = delete;
  ScratchVterm& operator=(const ScratchVterm&) = delete;
  ~ScratchVterm() { vterm_free(vt_); }
  const Probe& write(const char* bytes, std::size_t n) {
    probe_ = Probe{};
    vterm_input_write(vt_, bytes, n);
    return probe_;
  }

 private:
  VTerm* vt_;
  Probe probe_;
};

// "a" then the character, in one write at the start of a line: a character
// of its own is a second glyph holding it alone; a combining one joins the
// "a" (one glyph).
std::unique_ptr<Block> probe_block(std::uint32_t first) {
  auto block = std::make_unique<Block>();
  block->fill(GlyphKind::kOther);
  ScratchVterm vt;
  std::string bytes;
  for (std::uint32_t k = 0; k < kBlockSize; ++k) {
    const std::uint32_t cp = first + k;
    if (cp < 0x80) {  // ASCII: the fast path's own
      if (cp >= 0x20 && cp < 0x7f) (*block)[k] = GlyphKind::kOneColumn;
      continue;
    }
    // C1 controls; surrogates never reach the emulator.
    if (cp < 0xa0 || (cp >= 0xd800 && cp < 0xe000)) continue;
    bytes = "\x1b[Ha";
    append_utf8(bytes, cp);
    bytes += '\0';  // as the emulator writes (see Emulator::input_vterm)
    const Probe& probe = vt.write(bytes.data(), bytes.size());
    if (probe.glyphs == 2 && probe.first == cp && (probe.width == 1 || probe.width == 2))
      (*block)[k] = probe.width == 1 ? GlyphKind::kOneColumn : GlyphKind::kTwoColumns;
    else if (probe.glyphs == 1 && probe.first == 'a')
      (*block)[k] = GlyphKind::kJoins;
  }
  return block;
}

const Block& block_of(std::uint32_t cp) {
  std::atomic<const Block*>& slot = blocks[cp >> kBlockBits];
  const Block* block = slot.load(std::memory_order_acquire);
  if (!block) {
    std::unique_ptr<Block> made = probe_block(cp & ~(kBlockSize - 1));
    const Block* expected = nullptr;
    if (slot.compare_exchange_strong(expected, made.get(), std::memory_order_acq_rel))
      block = made.release();  // kept for the process's life
    else
      block = expected;
  }
  return *block;
}

}  // namespace

GlyphKind glyph_kind(std::uint32_t cp) {
  return cp < 0x110000 ? block_of(cp)[cp & (kBlockSize - 1)] : GlyphKind::kOther;
}

std::uint32_t dec_graphics_glyph(unsigned char c) {
  // Asked of a scratch libvterm once, as the widths are.
  static const std::array<std::uint32_t, 128> table = [] {
    std::array<std::uint32_t, 128> t{};
    ScratchVterm vt;
    for (unsigned b = 0x20; b < 0x7f; ++b) {
      const char bytes[] = {'\x1b', '(', '0', '\x1b', '[', 'H', static_cast<char>(b), '\0'};
      const Probe& probe = vt.write(bytes, sizeof bytes);
      if (probe.glyphs == 1 && probe.width == 1 && probe.first != 0) t[b] = probe.first;
    }
    return t;
  }();
  return c < 0x80 ? table[c] : 0;
}

}  // namespace ptyctl::emu
