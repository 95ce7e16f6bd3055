#pragma once
// Shared by the wire fuzz targets: whatever parsed must serialize and parse
// back to the same value, or the target traps.

#include <boost/json.hpp>

#include <variant>

namespace ptyctl::fuzz {

template <class Variant>
void require_round_trip(const Variant& payload) {
  std::visit(
      [](const auto& p) {
        using T = std::decay_t<decltype(p)>;
        if (!(boost::json::value_to<T>(boost::json::value_from(p)) == p)) __builtin_trap();
      },
      payload);
}

}  // namespace ptyctl::fuzz
