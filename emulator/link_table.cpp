#include "link_table.hpp"

namespace ptyctl::emu {

std::uint16_t LinkTable::intern(std::string_view text) {
  if (const auto it = ids_.find(text); it != ids_.end()) return it->second;
  // Past the bounds the table would have to be compacted first.
  if (full()) return 0;
  texts_.emplace_back(text);
  bytes_ += text.size();
  const auto id = static_cast<std::uint16_t>(texts_.size());
  ids_.emplace(texts_.back(), id);
  return id;
}

std::string_view LinkTable::text(std::uint16_t id) const {
  if (id == 0 || id > texts_.size()) return {};
  return texts_[id - 1u];
}

std::size_t LinkTable::memory_bytes() const {
  std::size_t total = texts_.size() * sizeof(std::string) + ids_.size() * 48;
  for (const auto& t : texts_)
    if (t.capacity() > 15) total += t.capacity() + 1;
  return total;
}

}  // namespace ptyctl::emu
