#pragma once
// A session's most recent output, numbered by byte offset from 0. Holds at
// most `capacity` bytes; older bytes are overwritten. The buffer grows with the
// output, so an idle session costs little.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ptyctl::sup {

class OutputRing {
 public:
  explicit OutputRing(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  void append(std::string_view bytes);
  // Offsets [start(), end()) are held.
  std::uint64_t start() const { return end_ > capacity_ ? end_ - capacity_ : 0; }
  std::uint64_t end() const { return end_; }
  bool holds(std::uint64_t offset) const { return offset >= start() && offset <= end(); }
  // Appends up to `max` bytes from `from` (which must be held) to `out`;
  // returns how many.
  std::size_t read(std::uint64_t from, std::size_t max, std::string& out) const;
  std::size_t capacity() const { return capacity_; }
  // Keeps only the newest `keep` bytes from now on and gives the rest of the
  // memory back (an ended session needs little of its output).
  void shrink(std::size_t keep);
  std::size_t memory_bytes() const { return buf_.capacity(); }
  // The held bytes (what an upgrade hands over), and the ring rebuilt from
  // them: `held` are the bytes [end - held.size(), end), as many as the
  // capacity and the offsets allow (min(end, capacity)).
  std::string held() const;
  void restore(std::size_t capacity, std::uint64_t end, std::string_view held);

 private:
  std::size_t capacity_;
  std::vector<char> buf_;  // grows to capacity_, then wraps: offset o lives at o % capacity_
  std::uint64_t end_ = 0;
};

}  // namespace ptyctl::sup
