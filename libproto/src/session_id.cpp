#include <ptyctl/proto/errors.hpp>
#include <ptyctl/proto/session_id.hpp>

#include <string>

namespace ptyctl::proto {

bool is_valid_session_id(std::string_view id) noexcept {
  if (id.empty() || id.size() > kMaxSessionIdLength) return false;
  if (id == "." || id == "..") return false;  // would name the wrong directory
  for (char c : id) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

void require_session_id(std::string_view id, std::string_view field) {
  if (!is_valid_session_id(id)) {
    throw ProtocolError(
        code::kInvalidSessionId,
        std::string(field) + " must be 1 to 128 characters of [A-Za-z0-9._:-] (not . or ..)");
  }
}

}  // namespace ptyctl::proto
