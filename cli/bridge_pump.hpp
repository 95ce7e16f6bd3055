#pragma once
// The two halves of the ssh bridge (cmd_bridge.cpp on the remote host,
// ssh_channel.cpp here) copy wire-2 lines the same way, both directions: this
// is that copy. HostLink writes its control connection through the same
// SerialWriter.

#include <ptyctl/common/async_event.hpp>
#include <ptyctl/proto/bridge.hpp>

#include <boost/asio.hpp>

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace ptyctl::cli {

namespace asio = boost::asio;

// One write at a time on a stream that two pumps share (the control and the
// stream connection's lines go out on one ssh channel).
template <class Stream>
class SerialWriter {
 public:
  SerialWriter(Stream& stream, asio::any_io_executor executor)
      : stream_(stream), done_(std::move(executor)) {}
  // False once the stream has failed.
  asio::awaitable<bool> write(std::string bytes) {
    while (writing_)
      co_await done_.wait();
    writing_ = true;
    auto [ec, n] = co_await asio::async_write(stream_, asio::buffer(bytes),
                                              asio::as_tuple(asio::use_awaitable));
    writing_ = false;
    done_.notify_all();
    co_return !ec;
  }

 private:
  Stream& stream_;
  bool writing_ = false;
  AsyncEvent done_;
};

// Copies the lines of `from` (one wire-2 connection) to `out` as the bridge's
// `tag` lines, those of one read in one write, until either ends or a line is
// too long.
template <class Stream, class Out>
asio::awaitable<void> forward_tagged(Stream& from, char tag, SerialWriter<Out>& out) {
  proto::bridge::LineSplitter lines;
  std::array<char, 65536> buf;
  for (;;) {
    auto [ec, n] =
        co_await from.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
    if (ec) break;
    lines.feed(std::string_view(buf.data(), n));
    std::string tagged;
    while (auto line = lines.next())
      tagged += proto::bridge::encode(tag, *line);
    if (lines.failed()) break;
    if (tagged.empty()) continue;
    const bool written = co_await out.write(std::move(tagged));
    if (!written) break;
  }
}

// Copies the bridge's lines from `from` to the connection their tag names,
// untagged, starting with what `lines` holds already; another tag (a later
// release's) is skipped. With `token` (the remote side), each hello gets it.
// Until either side ends or a line is too long.
template <class Stream, class Socket>
asio::awaitable<void> dispatch_tagged(Stream& from, proto::bridge::LineSplitter& lines,
                                      Socket& control, Socket& stream, const std::string* token) {
  namespace bridge = proto::bridge;
  std::array<char, 65536> buf;
  for (;;) {
    while (auto line = lines.next()) {
      if (line->empty()) continue;
      const char tag = line->front();
      if (tag != bridge::kControl && tag != bridge::kStream) continue;
      const std::string_view wire2 = std::string_view(*line).substr(1);
      std::optional<std::string> with = token ? bridge::with_token(wire2, *token) : std::nullopt;
      std::string bytes = with ? std::move(*with) : std::string(wire2);
      bytes += '\n';
      auto& to = tag == bridge::kControl ? control : stream;
      auto [ec, n] =
          co_await asio::async_write(to, asio::buffer(bytes), asio::as_tuple(asio::use_awaitable));
      if (ec) co_return;
    }
    if (lines.failed()) co_return;
    auto [ec, n] =
        co_await from.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    lines.feed(std::string_view(buf.data(), n));
  }
}

}  // namespace ptyctl::cli
