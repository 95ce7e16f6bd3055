// The output ring: offsets, wrapping, and its memfd, which an upgrade hands
// over and the new image maps again.

#include "server/output_ring.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

using ptyctl::sup::OutputRing;

namespace {
std::string all(const OutputRing& r) {
  std::string out;
  r.read(r.start(), static_cast<std::size_t>(r.end() - r.start()), out);
  return out;
}
std::string pieces(const OutputRing& r) {
  const auto [a, b] = r.held_pieces();
  return std::string(a) + std::string(b);
}
}  // namespace

TEST(OutputRing, KeepsTheNewestBytesByOffset) {
  OutputRing r(8);
  EXPECT_EQ(r.fd(), -1);  // no memory before the first output
  EXPECT_EQ(r.memory_bytes(), 0u);
  r.append("abcde");
  EXPECT_GE(r.fd(), 0);
  EXPECT_EQ(all(r), "abcde");
  r.append("fghijk");
  EXPECT_EQ(r.start(), 3u);
  EXPECT_EQ(r.end(), 11u);
  EXPECT_EQ(all(r), "defghijk");
  EXPECT_EQ(pieces(r), "defghijk");  // wrapped: two pieces, in order
  r.append(std::string(20, 'z') + "END");
  EXPECT_EQ(all(r), "zzzzzEND");
  EXPECT_EQ(r.memory_bytes(), 8u);
}

TEST(OutputRing, ANewRingOnTheSameMemfdHoldsTheSameBytes) {
  OutputRing r(8);
  r.append("0123456789");
  const int fd = ::dup(r.fd());  // what the exec keeps open
  OutputRing next(1);
  next.adopt(fd, r.capacity(), r.end());
  EXPECT_EQ(all(next), "23456789");
  next.append("AB");  // and it goes on writing where the old one would have
  EXPECT_EQ(all(next), "456789AB");
  // Memory too small for the capacity the state says: refused.
  const int small = ::dup(STDIN_FILENO);
  EXPECT_THROW(OutputRing(8).adopt(small, 1 << 30, 0), std::system_error);
  ::close(small);
}

TEST(OutputRing, RestoredFromBytesAndShrunkWithoutAnFd) {
  OutputRing r(1);
  r.restore(8, 13, "fghijklm");
  EXPECT_EQ(r.start(), 5u);
  EXPECT_EQ(all(r), "fghijklm");
  r.shrink(3);
  EXPECT_EQ(r.fd(), -1);
  EXPECT_EQ(r.capacity(), 3u);
  EXPECT_EQ(all(r), "klm");
  r.append("no");
  EXPECT_EQ(all(r), "mno");
}
