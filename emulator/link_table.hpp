#pragma once
// OSC 8 hyperlinks, referenced by cells as Pen::link (1-based; 0 is none).
// Each is kept as the OSC's text after "8;" ("id=x:k=v;https://..."), which
// is what a snapshot writes back. Scrollback lines hold the text itself, so
// only the screens and pens refer to the table, which the emulator compacts
// when it fills (Emulator::collect_link_garbage).

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>

namespace ptyctl::emu {

class LinkTable {
 public:
  LinkTable() = default;
  LinkTable(const LinkTable&) = delete;  // ids_ would view the other's texts
  LinkTable& operator=(const LinkTable&) = delete;
  LinkTable(LinkTable&&) = default;
  LinkTable& operator=(LinkTable&&) = default;

  // Bounds on what one table holds (a hostile stream of distinct links).
  static constexpr std::size_t kMaxLinks = 4096;
  static constexpr std::size_t kMaxBytes = 1u << 20;

  // The link for `text`, the same one for the same text; 0 when the table is
  // full (the text is then shown without its link).
  std::uint16_t intern(std::string_view text);
  // The text of link `id` (empty for 0 or an unknown one).
  std::string_view text(std::uint16_t id) const;
  bool full() const { return texts_.size() >= kMaxLinks || bytes_ >= kMaxBytes; }
  std::size_t size() const { return texts_.size(); }
  std::size_t memory_bytes() const;

 private:
  std::deque<std::string> texts_;  // link i + 1; never moved (ids_ has views)
  std::unordered_map<std::string_view, std::uint16_t> ids_;  // views into texts_
  std::size_t bytes_ = 0;
};

}  // namespace ptyctl::emu
