#pragma once
// The writing half of a connection, one per socket whatever its framing
// (wire 1's frames, wire 2's lines): a queue of whole messages drained by one
// writer coroutine, everything waiting (up to 1 MiB) in one gathered write,
// sent at once when nothing else is on its way (a keystroke's echo does not
// wait for the writer's turn), a bound on what may wait, and one close state.

#include <boost/asio.hpp>

#include <cstddef>
#include <deque>
#include <functional>
#include <string>
#include <vector>

namespace ptyctl {

namespace asio = boost::asio;

class StreamWriter {
 public:
  // `limit`: bytes that may wait in the queue (0: no bound).
  StreamWriter(asio::local::stream_protocol::socket& socket, std::size_t limit);

  // More to send once the queue is empty (the supervisor's rings): appends
  // whole messages. Not called while closing.
  std::function<void(std::vector<std::string>&)> refill;
  // Whether a closing writer may end once everything is sent (terminal-host
  // waits for the answers still to come).
  std::function<bool()> may_finish;

  // Queues a message. False, with nothing queued, past the limit: the owner
  // says why and closes.
  bool push(std::string message);
  // Something may be there for `refill`, or `may_finish` may have changed.
  void poke();
  // Sends what is queued (not `refill`'s), then run() ends.
  void close_after_flush();
  // Drops what is queued; run() ends at once.
  void close();

  void set_limit(std::size_t limit) { limit_ = limit; }
  std::size_t limit() const { return limit_; }
  bool closing() const { return closing_; }
  bool closed() const { return closed_; }
  std::size_t queued_bytes() const { return queued_bytes_; }

  // The writer: returns once closed, closing and flushed, or when a write
  // fails. The owner closes its socket then.
  asio::awaitable<void> run();

 private:
  void fill_batch();
  void send_now();

  asio::local::stream_protocol::socket& socket_;
  std::size_t limit_;
  asio::steady_timer wake_;
  std::deque<std::string> queue_;
  std::size_t queued_bytes_ = 0;
  // What the next (or current) write sends; the first `batch_sent_` bytes of
  // its first message are out already.
  std::vector<std::string> batch_;
  std::size_t batch_sent_ = 0;
  bool writing_ = false;  // an async write of batch_ is on its way
  bool closing_ = false;
  bool closed_ = false;
};

}  // namespace ptyctl
