#include "output_ring.hpp"

#include <algorithm>
#include <cstring>

namespace ptyctl::sup {

void OutputRing::append(std::string_view bytes) {
  if (bytes.empty()) return;
  if (end_ + bytes.size() <= capacity_) {
    // Still growing: offsets equal indices.
    buf_.insert(buf_.end(), bytes.begin(), bytes.end());
    end_ += bytes.size();
    return;
  }
  if (buf_.size() < capacity_) buf_.resize(capacity_);
  if (bytes.size() >= capacity_) {  // only the last capacity_ bytes can be kept
    end_ += bytes.size() - capacity_;
    bytes.remove_prefix(bytes.size() - capacity_);
  }
  std::size_t pos = static_cast<std::size_t>(end_ % capacity_);
  const std::size_t first = std::min(bytes.size(), capacity_ - pos);
  std::memcpy(buf_.data() + pos, bytes.data(), first);
  std::memcpy(buf_.data(), bytes.data() + first, bytes.size() - first);
  end_ += bytes.size();
}

std::size_t OutputRing::read(std::uint64_t from, std::size_t max, std::string& out) const {
  if (!holds(from)) return 0;
  std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(max, end_ - from));
  const std::size_t total = n;
  std::size_t pos = static_cast<std::size_t>(from % capacity_);
  while (n > 0) {
    const std::size_t run = std::min(n, capacity_ - pos);
    out.append(buf_.data() + pos, run);
    n -= run;
    pos = 0;
  }
  return total;
}

}  // namespace ptyctl::sup
