#pragma once
// Session ids name files and directories later (sessions/<id>/), so they are
// restricted to a safe alphabet.

#include <string_view>

namespace ptyctl::proto {

inline constexpr std::size_t kMaxSessionIdLength = 128;

// 1 to 128 characters of [A-Za-z0-9._:-], and not "." or "..".
bool is_valid_session_id(std::string_view id) noexcept;
// Throws ProtocolError(INVALID_SESSION_ID) naming `field` when `id` is not valid.
void require_session_id(std::string_view id, std::string_view field = "sessionId");

}  // namespace ptyctl::proto
