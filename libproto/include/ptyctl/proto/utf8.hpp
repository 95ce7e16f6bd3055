#pragma once
// UTF-8 helpers for cutting PTY output into text events.

#include <cstddef>
#include <string>
#include <string_view>

namespace ptyctl::proto {

// Length of the longest prefix of `bytes` that does not end inside a UTF-8
// sequence which could still be completed by the bytes that follow. Invalid
// bytes are never held back (they can never become valid), so the result is
// at least bytes.size() - 3.
std::size_t utf8_complete_prefix(std::string_view bytes) noexcept;

// True when `bytes` is entirely well-formed UTF-8 (no overlongs, surrogates or
// code points past U+10FFFF).
bool utf8_is_valid(std::string_view bytes) noexcept;

// `bytes` with every ill-formed subsequence replaced by U+FFFD, following the
// Unicode "maximal subpart" practice (as WHATWG's decoder and xterm.js do).
std::string utf8_sanitize(std::string_view bytes);

}  // namespace ptyctl::proto
