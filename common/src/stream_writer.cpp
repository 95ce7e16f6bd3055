#include <ptyctl/common/stream_writer.hpp>

#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>

namespace ptyctl {

namespace {
// One gathered write takes at most this much of the queue.
constexpr std::size_t kMaxBatchBytes = 1024 * 1024;
// And so many messages (a direct send's iovecs: below IOV_MAX).
constexpr std::size_t kMaxBatchMessages = 256;
}  // namespace

StreamWriter::StreamWriter(asio::local::stream_protocol::socket& socket, std::size_t limit)
    : socket_(socket), limit_(limit), wake_(socket.get_executor()) {}

bool StreamWriter::push(std::string message) {
  if (closed_) return true;  // nobody reads it any more: nothing to say
  if (limit_ != 0 && queued_bytes_ + message.size() > limit_) return false;
  queued_bytes_ += message.size();
  queue_.push_back(std::move(message));
  send_now();
  return true;
}

void StreamWriter::poke() {
  // Closing: only may_finish can have changed. Otherwise send_now wakes the
  // writer only if something is left for it (no wake-up per PTY read).
  if (closing_)
    wake_.cancel();
  else
    send_now();
}

void StreamWriter::close_after_flush() {
  closing_ = true;
  wake_.cancel();
}

void StreamWriter::close() {
  closed_ = true;
  queue_.clear();
  queued_bytes_ = 0;
  wake_.cancel();
}

void StreamWriter::fill_batch() {
  std::size_t bytes = 0;
  while (!queue_.empty() && bytes < kMaxBatchBytes && batch_.size() < kMaxBatchMessages) {
    bytes += queue_.front().size();
    queued_bytes_ -= queue_.front().size();
    batch_.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  if (queue_.empty() && !closing_ && refill) refill(batch_);
}

void StreamWriter::send_now() {
  if (writing_ || closed_ || !batch_.empty() || !socket_.is_open()) {
    wake_.cancel();
    return;
  }
  fill_batch();
  if (batch_.empty()) return;
  std::vector<iovec> iov;
  iov.reserve(std::min(batch_.size(), kMaxBatchMessages));
  for (const std::string& m : batch_) {
    if (iov.size() == kMaxBatchMessages) break;
    iov.push_back({const_cast<char*>(m.data()), m.size()});
  }
  msghdr msg{};
  msg.msg_iov = iov.data();
  msg.msg_iovlen = iov.size();
  const ssize_t n = ::sendmsg(socket_.native_handle(), &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
  // Whatever did not go (a full socket, an error) is the writer's: its
  // write says what is wrong.
  std::size_t sent = n > 0 ? static_cast<std::size_t>(n) : 0;
  std::size_t done = 0;
  while (done < batch_.size() && sent >= batch_[done].size()) {
    sent -= batch_[done].size();
    ++done;
  }
  batch_.erase(batch_.begin(), batch_.begin() + static_cast<std::ptrdiff_t>(done));
  batch_sent_ = batch_.empty() ? 0 : sent;
  if (!batch_.empty() || !queue_.empty()) wake_.cancel();
}

asio::awaitable<void> StreamWriter::run() {
  std::vector<asio::const_buffer> buffers;
  for (;;) {
    if (closed_) break;
    if (batch_.empty()) fill_batch();
    if (batch_.empty()) {
      if (closing_ && (!may_finish || may_finish())) break;
      wake_.expires_at(asio::steady_timer::time_point::max());
      co_await wake_.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    buffers.clear();
    for (const std::string& m : batch_)
      buffers.push_back(asio::buffer(m));
    buffers.front() += batch_sent_;
    writing_ = true;
    auto [ec, n] =
        co_await asio::async_write(socket_, buffers, asio::as_tuple(asio::use_awaitable));
    writing_ = false;
    batch_.clear();
    batch_sent_ = 0;
    if (ec) break;
  }
  closed_ = true;
}

}  // namespace ptyctl
