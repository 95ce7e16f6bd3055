// libFuzzer target: the headless emulator fed arbitrary bytes in arbitrary
// chunks, interleaved with resizes, with a snapshot at the end that is replayed
// into a second emulator. Crashes and sanitizer reports are findings, and so is
// a snapshot or text rendering that is not valid UTF-8 (it goes into JSON).
//
// Input: byte 0 and 1 pick the first size; then ops: a byte >= 0xf8 followed
// by two bytes resizes (0xfe and 0xff to the widest and the tallest window
// allowed, a few cells the other way); 0xf7 is an in-place upgrade: the
// emulator's state goes through the upgrade's encoding (docs/upgrade.md) into
// a fresh emulator, whose snapshot must equal the old one's (#12's round
// trip), and which takes the rest of the input; any other byte b is followed
// by (b & 0x7f) + 1 bytes of terminal output.
//
// Sizes stay small (up to 60x30) but for those extremes: whole-screen
// operations (DECALN, ED) cost rows x cols each, and under coverage
// instrumentation a large screen would make ordinary inputs slow enough to
// pass for hangs (-timeout). Their cost at full size is bounded in the
// supervisor, not here.

#include "emulator/emulator.hpp"

#include <ptyctl/proto/handover.hpp>
#include <ptyctl/proto/limits.hpp>
#include <ptyctl/proto/utf8.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

using ptyctl::emu::Emulator;
namespace handover = ptyctl::proto::handover;

namespace {

constexpr std::size_t kScrollback = 200;

// state -> bytes -> state, as pty-supervisor hands a session's emulator over.
std::unique_ptr<Emulator> upgraded(const Emulator& e) {
  const Emulator::Handover h = e.handover();
  handover::State state;
  handover::SessionState s;
  s.spec.sessionId = "fuzz";
  s.spec.cols = e.cols();
  s.spec.rows = e.rows();
  s.ringCapacity = 1;
  state.sessions.push_back(s);
  const std::string bytes =
      handover::encode(state, {{"", "", h.rehydrate, h.screen, h.scrollback, h.pending, ""}});
  const handover::Decoded d = handover::decode(bytes);
  const auto& st = d.state.sessions.at(0);
  auto next = std::make_unique<Emulator>(st.spec.cols, st.spec.rows, kScrollback);
  const auto& b = d.bytes[0];
  if (!next->restore({b.rehydrate, b.screen, b.scrollback, b.pending})) __builtin_trap();
  return next;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  auto owned = std::make_unique<Emulator>(1 + data[0] % 48, 1 + data[1] % 24, kScrollback);
  std::size_t answered = 0;
  owned->set_query_answer([&](std::string_view bytes) { answered += bytes.size(); });
  std::size_t i = 2;
  while (i < size) {
    Emulator& e = *owned;
    const std::uint8_t op = data[i++];
    if (op == 0xf7) {
      auto next = upgraded(e);
      if (!(next->snapshot() == e.snapshot())) __builtin_trap();
      next->set_query_answer([&](std::string_view bytes) { answered += bytes.size(); });
      owned = std::move(next);
      continue;
    }
    if (op >= 0xf8) {
      if (i + 2 > size) break;
      if (op == 0xfe)
        e.resize(ptyctl::proto::kMaxCols, 1 + data[i + 1] % 4);
      else if (op == 0xff)
        e.resize(1 + data[i] % 4, ptyctl::proto::kMaxRows);
      else
        e.resize(1 + data[i] % 60, 1 + data[i + 1] % 30);
      i += 2;
      continue;
    }
    const std::size_t len = std::min<std::size_t>((op & 0x7f) + 1, size - i);
    e.feed(std::string_view(reinterpret_cast<const char*>(data + i), len));
    i += len;
  }
  Emulator& e = *owned;
  const auto snap = e.snapshot();
  if (!ptyctl::proto::utf8_is_valid(snap.snapshotAnsi)) __builtin_trap();
  if (!snap.text || !ptyctl::proto::utf8_is_valid(*snap.text)) __builtin_trap();
  if (!ptyctl::proto::utf8_is_valid(e.text(true))) __builtin_trap();
  if (snap.cols != e.cols() || snap.rows != e.rows()) __builtin_trap();

  Emulator b(snap.cols, snap.rows, kScrollback);
  b.feed(snap.rehydrateSequences);
  b.feed(snap.snapshotAnsi);
  if (b.rows() != e.rows() || b.cols() != e.cols()) __builtin_trap();
  return 0;
}
