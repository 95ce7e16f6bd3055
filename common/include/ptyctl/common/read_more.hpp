#pragma once
// The top of both servers' read loops (one coroutine per connection, one
// framing each): one read of what the peer sent, fed to the connection's
// decoder (proto::LineDecoder, proto::FrameDecoder).

#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <array>
#include <string_view>

namespace ptyctl {

using ReadBuffer = std::array<char, 65536>;

// False at the end of the stream: `half_closed` then says the peer shut its
// side (answer what it asked, then close); otherwise the read failed or we
// closed the socket.
template <class Decoder>
boost::asio::awaitable<bool> read_more(boost::asio::local::stream_protocol::socket& socket,
                                       ReadBuffer& buffer, Decoder& decoder, bool& half_closed) {
  boost::system::error_code ec;
  const std::size_t n = co_await socket.async_read_some(
      boost::asio::buffer(buffer), boost::asio::redirect_error(boost::asio::use_awaitable, ec));
  if (ec) {
    half_closed = ec == boost::asio::error::eof;
    co_return false;
  }
  decoder.feed(std::string_view(buffer.data(), n));
  co_return true;
}

}  // namespace ptyctl
