// The writer every connection uses (common/stream_writer.hpp), on a real
// socket pair: what reaches the peer, in what order, and when.

#include <ptyctl/common/stream_writer.hpp>

#include <gtest/gtest.h>

#include <sys/socket.h>

#include <string>

using namespace ptyctl;
using asio::local::stream_protocol;

namespace {

struct Pair {
  asio::io_context io;
  stream_protocol::socket ours{io}, peer{io};
  Pair() { asio::local::connect_pair(ours, peer); }
  // What the peer can read now, without waiting.
  std::string read_now() {
    std::string got;
    char buf[65536];
    for (;;) {
      const ssize_t n = ::recv(peer.native_handle(), buf, sizeof buf, MSG_DONTWAIT);
      if (n <= 0) return got;
      got.append(buf, static_cast<std::size_t>(n));
    }
  }
};

// Now and then one bigger than a socket's buffer: a write of it is partial.
std::string numbered(int i) {
  return "message " + std::to_string(i) + "\n" + std::string(i % 500 == 1 ? 300000 : 1000, 'x');
}

// Starts the writer; `ended` once run() returns.
void run_writer(Pair& p, StreamWriter& w, bool& ended) {
  asio::co_spawn(
      p.io,
      [&]() -> asio::awaitable<void> {
        co_await w.run();
        ended = true;
      },
      asio::detached);
}

}  // namespace

TEST(StreamWriter, AMessageToAnIdleWriterIsOnTheSocketAtOnce) {
  Pair p;
  StreamWriter w(p.ours, 0);
  ASSERT_TRUE(w.push("keystroke echo"));
  // The io_context has not run: the writer did not wait for its turn.
  EXPECT_EQ(p.read_now(), "keystroke echo");
}

TEST(StreamWriter, WhatTheSocketCannotTakeFollowsInOrderAndCloseAfterFlushEndsTheWriter) {
  Pair p;
  StreamWriter w(p.ours, 0);
  std::string expected;
  for (int i = 0; i < 3000; ++i) {  // 4.8 MB: far more than the socket buffers
    expected += numbered(i);
    ASSERT_TRUE(w.push(numbered(i)));
  }
  EXPECT_GT(w.queued_bytes(), 0u);
  w.close_after_flush();
  bool ended = false;
  run_writer(p, w, ended);
  std::string got;
  asio::co_spawn(
      p.io,
      [&]() -> asio::awaitable<void> {
        char buf[65536];
        while (got.size() < expected.size()) {
          auto [ec, n] = co_await p.peer.async_read_some(asio::buffer(buf),
                                                         asio::as_tuple(asio::use_awaitable));
          if (ec) break;
          got.append(buf, n);
        }
      },
      asio::detached);
  p.io.run_for(std::chrono::seconds(20));
  EXPECT_TRUE(ended);
  EXPECT_EQ(got.size(), expected.size());
  EXPECT_TRUE(got == expected) << "bytes out of order or changed";
}

TEST(StreamWriter, PastItsLimitAMessageIsRefusedAndNothingOfItQueued) {
  Pair p;
  StreamWriter w(p.ours, 64 * 1024);
  int accepted = 0;
  while (w.push(numbered(accepted)) && accepted < 100000)
    ++accepted;
  ASSERT_LT(accepted, 100000) << "the limit never refused anything";
  EXPECT_LE(w.queued_bytes(), 64u * 1024);
  // What was accepted is what the peer gets: the refused one is not there.
  w.close_after_flush();
  asio::co_spawn(p.io, w.run(), asio::detached);
  std::string got;
  for (int round = 0; round < 1000 && got.find(numbered(accepted - 1)) == std::string::npos;
       ++round) {
    p.io.poll();
    got += p.read_now();
  }
  got += p.read_now();
  EXPECT_NE(got.find(numbered(accepted - 1)), std::string::npos);
  EXPECT_EQ(got.find("message " + std::to_string(accepted) + "\n"), std::string::npos);
}

TEST(StreamWriter, CloseDropsWhatIsQueuedAndEndsTheWriter) {
  Pair p;
  StreamWriter w(p.ours, 0);
  for (int i = 0; i < 3000; ++i)
    ASSERT_TRUE(w.push(numbered(i)));
  const std::string before = p.read_now();  // what went out at once
  bool ended = false;
  run_writer(p, w, ended);
  w.close();
  EXPECT_EQ(w.queued_bytes(), 0u);
  p.io.run_for(std::chrono::seconds(5));
  EXPECT_TRUE(ended);
  EXPECT_LT(before.size() + p.read_now().size(), 3000u * numbered(0).size());
}
