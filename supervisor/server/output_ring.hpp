#pragma once
// A session's most recent output, numbered by byte offset from 0. Holds at
// most `capacity` bytes; older bytes are overwritten. Its memory is a memfd
// mapped once output comes (pages are allocated as they are written, so an
// idle session costs little): an in-place upgrade hands the fd to the new
// image, which maps it again, instead of copying the bytes.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace ptyctl::sup {

class OutputRing {
 public:
  explicit OutputRing(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}
  ~OutputRing();
  OutputRing(const OutputRing&) = delete;
  OutputRing& operator=(const OutputRing&) = delete;

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
  // memory back (an ended session needs little of its output): in memory of
  // its own, without an fd.
  void shrink(std::size_t keep);
  // Bytes written to its memory so far.
  std::size_t memory_bytes() const {
    return data_ ? static_cast<std::size_t>(std::min<std::uint64_t>(end_, capacity_)) : 0;
  }

  // Its memfd: -1 before any output, once shrunk, or if none could be made
  // (then its memory is anonymous and an upgrade copies the bytes).
  int fd() const { return fd_; }
  // The held bytes where they are, in order: two pieces when the ring has
  // wrapped (valid until the ring changes).
  std::pair<std::string_view, std::string_view> held_pieces() const;
  // The ring rebuilt from its held bytes: [end - held.size(), end), as many
  // as the capacity and the offsets allow (min(end, capacity)).
  void restore(std::size_t capacity, std::uint64_t end, std::string_view held);
  // The ring whose memfd this is (close-on-exec is set on it); throws
  // std::system_error if it cannot be mapped.
  void adopt(int fd, std::size_t capacity, std::uint64_t end);

 private:
  // Maps capacity_ bytes: a memfd when `shareable` and one can be made.
  void allocate(bool shareable);
  void release();
  // Copies `bytes`, those at offsets [from, from + size), to where the ring
  // keeps them.
  void place(std::uint64_t from, std::string_view bytes);

  std::size_t capacity_;
  char* data_ = nullptr;  // capacity_ bytes, once there was output
  int fd_ = -1;
  std::uint64_t end_ = 0;
};

}  // namespace ptyctl::sup
