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

void OutputRing::shrink(std::size_t keep) {
  keep = std::max<std::size_t>(keep, 1);
  if (keep >= capacity_) return;
  const std::uint64_t from = std::max<std::uint64_t>(start(), end_ > keep ? end_ - keep : 0);
  std::string tail;
  read(from, static_cast<std::size_t>(end_ - from), tail);
  capacity_ = keep;
  std::vector<char> fresh;
  if (end_ <= capacity_) {
    fresh.assign(tail.begin(), tail.end());  // from is 0: offsets equal indices
  } else {
    fresh.resize(capacity_);
    for (std::size_t i = 0; i < tail.size(); ++i)
      fresh[static_cast<std::size_t>((from + i) % capacity_)] = tail[i];
  }
  buf_.swap(fresh);
}

std::string OutputRing::held() const {
  std::string out;
  read(start(), static_cast<std::size_t>(end_ - start()), out);
  return out;
}

void OutputRing::restore(std::size_t capacity, std::uint64_t end, std::string_view held) {
  capacity_ = capacity == 0 ? 1 : capacity;
  buf_.clear();
  end_ = end - held.size();
  if (end <= capacity_) {
    append(held);  // still growing: offsets equal indices
    return;
  }
  // Offsets past the capacity: the bytes go where the ring keeps them.
  buf_.resize(capacity_);
  for (std::size_t i = 0; i < held.size(); ++i)
    buf_[static_cast<std::size_t>((end_ + i) % capacity_)] = held[i];
  end_ = end;
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
