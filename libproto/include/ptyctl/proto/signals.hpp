#pragma once
// Signal names on the wire ("SIGINT") to numbers and back.

#include <optional>
#include <string>
#include <string_view>

namespace ptyctl::proto {

// Accepts "SIGINT", "INT" (any case) or a decimal number of a known signal.
std::optional<int> signal_from_name(std::string_view name) noexcept;
// "SIGINT" for 2; "SIG<n>" for a number without a name.
std::string signal_name(int number);

}  // namespace ptyctl::proto
