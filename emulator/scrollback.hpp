#pragma once
// Lines that scrolled off the top of the primary screen, oldest first, in a
// bounded ring. Each line is stored encoded (text plus a pen only where it
// changes, trailing blanks left out), so 5000 lines of 80 columns of text take
// well under a megabyte instead of 6 MiB of cells. Buffers are reused once the
// ring is full: steady-state scrolling allocates nothing.

#include "cell.hpp"
#include "link_table.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ptyctl::emu {

// Multi-code-point characters (a base and its combining marks), referenced by
// cells as Cell::kCombined | index.
class CombiningTable {
 public:
  std::uint32_t intern(const std::uint32_t* chars, int count);
  // The code points of a cell's character (empty for a blank cell).
  void expand(std::uint32_t ch, std::u32string& out) const;
  std::size_t size() const { return entries_.size(); }
  void clear() { entries_.clear(); }
  std::size_t memory_bytes() const;

 private:
  std::vector<std::u32string> entries_;
};

class Scrollback {
 public:
  // At most `max_lines` lines and about `max_bytes` of encoded lines: past
  // either, the oldest go (a hostile stream of wide, many-coloured lines
  // cannot grow a session's memory without bound).
  explicit Scrollback(std::size_t max_lines, std::size_t max_bytes = kDefaultMaxBytes)
      : max_lines_(max_lines), max_bytes_(max_bytes) {}
  static constexpr std::size_t kDefaultMaxBytes = 16u * 1024 * 1024;

  std::size_t size() const { return count_; }
  std::size_t max_lines() const { return max_lines_; }

  // Appends a line of `used` cells (the rest of the row is default blanks),
  // `wrapped` when it continues the line before it (an autowrap); the oldest
  // line goes when the ring is full.
  // A line holds its characters and links themselves, not the tables' ids.
  // `blank_prefix` cells are default blanks, known without looking.
  void push(const Cell* cells, int used, const CombiningTable& table, const LinkTable& links,
            bool wrapped = false, int blank_prefix = 0);
  // Line i (0 = oldest) decoded into cells (its characters and links
  // interned in the tables).
  void line(std::size_t i, std::vector<Cell>& out, CombiningTable& table, LinkTable& links) const;
  bool wrapped(std::size_t i) const;
  // Removes the newest line into `out` (for a screen that grows taller);
  // returns whether it was wrapped.
  bool pop_newest(std::vector<Cell>& out, CombiningTable& table, LinkTable& links);
  void clear();
  std::size_t memory_bytes() const;

  // The lines as they are held, oldest first, each as its length (4 bytes,
  // little-endian) and its encoding: an upgrade hands them over as they are.
  std::string encode() const;
  // Replaces the lines with encode()'s (as many of the newest as the bounds
  // allow); false, changing nothing, if the bytes do not add up.
  bool decode(std::string_view bytes);

 private:
  const std::string& at(std::size_t i) const { return ring_[(head_ + i) % ring_.size()]; }

  void drop_oldest();

  std::size_t max_lines_;
  std::size_t max_bytes_;
  std::size_t bytes_ = 0;  // encoded bytes of the lines held
  std::vector<std::string> ring_;
  std::size_t head_ = 0;  // index of the oldest line in ring_
  std::size_t count_ = 0;
};

// UTF-8 encoding of one code point appended to `out`.
void append_utf8(std::string& out, std::uint32_t cp);

}  // namespace ptyctl::emu
