#pragma once
// The state one pty-supervisor hands to the next across an in-place upgrade
// (execve, same pid): docs/upgrade.md. A header line, a JSON description of
// every session, then the byte sections it names, in order. Fds are numbers
// in the process that reads it (they survive the exec).

#include <ptyctl/proto/json_conv.hpp>
#include <ptyctl/proto/session_spec.hpp>

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ptyctl::proto::handover {

// The format this build writes and the only one it reads. (The tests build a
// pty-supervisor of a "later release" with another, to see one refused.)
#ifdef PTYCTL_HANDOVER_FORMAT
inline constexpr int kFormat = PTYCTL_HANDOVER_FORMAT;
#else
inline constexpr int kFormat = 2;
#endif

struct HandoverError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct SessionState {
  SessionSpec spec;  // its fields inline (session_spec.hpp)
  std::int64_t createdAt = 0;
  std::optional<std::int64_t> lastAttachedAt;
  // The program.
  int pid = 0;
  int masterFd = -1;  // -1 once the PTY is closed
  bool reaped = false;
  bool finished = false;
  bool forget = false;
  std::optional<int> exitCode;
  std::optional<int> exitSignal;
  // A kill's signal was sent: SIGKILL follows in this many ms if it has not ended.
  std::optional<std::int64_t> killInMs;
  // The output ring: capacity, end, and its memfd (mapped by the new image),
  // or without one (-1) its held bytes [ringEnd - ringBytes, ringEnd).
  std::uint64_t ringCapacity = 0;
  std::uint64_t ringEnd = 0;
  int ringFd = -1;
  std::uint64_t ringBytes = 0;
  // The emulator as of emulatorOffset (<= ringEnd: the rest is fed again):
  // its modes and screens as a snapshot writes them (without the
  // scrollback), its scrollback as it holds it, then the escape sequence or
  // character in progress.
  std::uint64_t emulatorOffset = 0;
  std::uint64_t rehydrateBytes = 0;
  std::uint64_t screenBytes = 0;
  std::uint64_t scrollbackBytes = 0;
  std::uint64_t pendingBytes = 0;
  // Input not yet written to the program.
  std::uint64_t inputBytes = 0;
  // A record's own (record.hpp; an upgrade leaves them out): where the
  // program was last, when the record was written, and why it was the last
  // one (a clean stop says so; a crash cannot).
  std::optional<std::string> lastCwd;
  std::optional<std::int64_t> recordedAt;  // ms since the epoch
  std::optional<std::string> endReason;
  bool operator==(const SessionState&) const = default;
};
PTYCTL_PROTO_JSON(SessionState);

struct State {
  int format = kFormat;
  std::string writerVersion;   // kPtyctlVersion of the supervisor that wrote it
  std::int64_t startedNs = 0;  // CLOCK_MONOTONIC when the upgrade began
  int listenFd = -1;
  int lockFd = -1;
  // The connection that asked for the upgrade, answered by whoever serves next.
  int requesterFd = -1;
  std::string requestId;
  // Set when a new binary gave the state back (rollback): why.
  std::optional<std::string> failure;
  std::vector<SessionState> sessions;
  bool operator==(const State&) const = default;
};
PTYCTL_PROTO_JSON(State);

// One session's byte sections, as decode() finds them.
struct SessionBytes {
  std::string_view ring, rehydrate, screen, scrollback, pending, input;
};

// The writer's side: the ring's bytes may be in two pieces (a ring that has
// wrapped), the second following the first.
struct SessionPieces {
  std::string_view ring_first, ring_second, rehydrate, screen, scrollback, pending, input;
};
// The sections of one session, in the order they are written.
std::array<std::string_view, 7> pieces_in_order(const SessionPieces& p);
// The header line and the description (sessions[i]'s section sizes from
// pieces[i]); every session's pieces_in_order follow it, so that a writer can
// hand them to writev as they are.
std::string encode_header(const State& state, const std::vector<SessionPieces>& pieces);
// Header, description and sections in one string.
std::string encode(const State& state, const std::vector<SessionPieces>& pieces);

struct Decoded {
  State state;
  std::vector<SessionBytes> bytes;  // views into the buffer given to decode
};
// HandoverError saying what is wrong: not a state, a format this build does
// not read, a description that does not parse, sections that do not add up.
Decoded decode(std::string_view buffer);

}  // namespace ptyctl::proto::handover
