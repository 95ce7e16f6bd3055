#pragma once
// Limits every binary applies to what a peer asks for (docs/operations.md,
// "Limits"). A window size past them is INVALID_PAYLOAD naming the field.

namespace ptyctl::proto {

// The largest window: 1024 x 512 cells, 8 MiB per screen of 16-byte cells.
// Wide enough for any real monitor at any font; a bound on what one request
// can make the supervisor allocate and what one whole-screen operation
// (DECALN, ED, a scroll, a resize) costs.
inline constexpr int kMaxCols = 1024;
inline constexpr int kMaxRows = 512;

// Connections that have not said hello: at most this many at once per
// server (more are closed at once), and each must say it within the deadline.
inline constexpr int kMaxUnauthenticated = 64;
inline constexpr int kHelloDeadlineSeconds = 10;

}  // namespace ptyctl::proto
