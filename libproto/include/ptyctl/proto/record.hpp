#pragma once
// A session's record for cold restore (docs/operations.md, "Records and
// restore"): `<state-dir>/sessions/<id>/record`, in the upgrade's encoding
// (handover.hpp) as a state of one session without fds, ring or input: the
// spec, where it was, and its emulator's screens and scrollback.

#include <ptyctl/proto/handover.hpp>

#include <string>
#include <string_view>

namespace ptyctl::proto::record {

inline constexpr std::string_view kDirectory = "sessions";
inline constexpr std::string_view kFileName = "record";

struct Record {
  handover::SessionState session;
  std::string rehydrate, screen, scrollback;
};

// The session's description (fds and sections are filled in here) and its
// emulator's bytes as Emulator::handover gives them.
std::string encode(handover::SessionState session, std::string_view writer_version,
                   std::string_view rehydrate, std::string_view screen,
                   std::string_view scrollback);
// Throws handover::HandoverError saying what is wrong (as decode does, and:
// not exactly one session, fds or ring bytes in it, a bad session id).
Record decode(std::string_view bytes);

}  // namespace ptyctl::proto::record
