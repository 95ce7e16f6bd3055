#include "output_ring.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <new>
#include <system_error>

namespace ptyctl::sup {

OutputRing::~OutputRing() {
  release();
}

void OutputRing::release() {
  if (data_) ::munmap(data_, capacity_);
  if (fd_ >= 0) ::close(fd_);
  data_ = nullptr;
  fd_ = -1;
}

void OutputRing::allocate(bool shareable) {
  if (shareable) {
    const int fd = ::memfd_create("ptyctl-output-ring", MFD_CLOEXEC);
    if (fd >= 0 && ::ftruncate(fd, static_cast<off_t>(capacity_)) == 0) {
      void* p = ::mmap(nullptr, capacity_, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
      if (p != MAP_FAILED) {
        data_ = static_cast<char*>(p);
        fd_ = fd;
        return;
      }
    }
    if (fd >= 0) ::close(fd);
  }
  // No fd to be had (the limit reached): memory of our own; an upgrade then
  // copies this ring's bytes.
  void* p = ::mmap(nullptr, capacity_, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  data_ = static_cast<char*>(p);
}

void OutputRing::place(std::uint64_t from, std::string_view bytes) {
  const std::size_t pos = static_cast<std::size_t>(from % capacity_);
  const std::size_t first = std::min(bytes.size(), capacity_ - pos);
  std::memcpy(data_ + pos, bytes.data(), first);
  std::memcpy(data_, bytes.data() + first, bytes.size() - first);
}

void OutputRing::append(std::string_view bytes) {
  if (bytes.empty()) return;
  if (!data_) allocate(true);
  if (bytes.size() >= capacity_) {  // only the last capacity_ bytes can be kept
    end_ += bytes.size() - capacity_;
    bytes.remove_prefix(bytes.size() - capacity_);
  }
  place(end_, bytes);
  end_ += bytes.size();
}

void OutputRing::shrink(std::size_t keep) {
  keep = std::clamp<std::size_t>(keep, 1, capacity_);
  if (keep == capacity_ && fd_ < 0) return;
  const std::uint64_t from = std::max<std::uint64_t>(start(), end_ > keep ? end_ - keep : 0);
  std::string tail;
  read(from, static_cast<std::size_t>(end_ - from), tail);
  release();
  capacity_ = keep;
  if (tail.empty()) return;
  allocate(false);
  place(from, tail);
}

std::pair<std::string_view, std::string_view> OutputRing::held_pieces() const {
  const std::size_t n = static_cast<std::size_t>(end_ - start());
  if (n == 0) return {};
  const std::size_t pos = static_cast<std::size_t>(start() % capacity_);
  const std::size_t first = std::min(n, capacity_ - pos);
  return {std::string_view(data_ + pos, first), std::string_view(data_, n - first)};
}

void OutputRing::restore(std::size_t capacity, std::uint64_t end, std::string_view held) {
  release();
  capacity_ = capacity == 0 ? 1 : capacity;
  end_ = end;
  if (held.empty()) return;
  allocate(true);
  place(end - held.size(), held);
}

void OutputRing::adopt(int fd, std::size_t capacity, std::uint64_t end) {
  struct stat st {};
  if (::fstat(fd, &st) != 0 || static_cast<std::uint64_t>(st.st_size) < capacity || capacity == 0)
    throw std::system_error(errno ? errno : EINVAL, std::generic_category(),
                            "an output ring's memory (fd " + std::to_string(fd) + ")");
  void* p = ::mmap(nullptr, capacity, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED)
    throw std::system_error(errno, std::generic_category(), "mapping an output ring");
  release();
  ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  capacity_ = capacity;
  data_ = static_cast<char*>(p);
  fd_ = fd;
  end_ = end;
}

std::size_t OutputRing::read(std::uint64_t from, std::size_t max, std::string& out) const {
  if (!holds(from)) return 0;
  std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(max, end_ - from));
  const std::size_t total = n;
  std::size_t pos = static_cast<std::size_t>(from % capacity_);
  while (n > 0) {
    const std::size_t run = std::min(n, capacity_ - pos);
    out.append(data_ + pos, run);
    n -= run;
    pos = 0;
  }
  return total;
}

}  // namespace ptyctl::sup
