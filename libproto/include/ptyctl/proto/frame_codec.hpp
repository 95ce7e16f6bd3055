#pragma once
// Wire 1 (pty-supervisor.sock) framing:
//   u32 BE N | u32 BE J | J bytes of JSON (an object) | N - 4 - J bytes of raw payload
// The payload carries PTY output or input untouched.

#include <boost/json/object.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ptyctl::proto {

inline constexpr std::size_t kDefaultMaxFrameSize = 16u * 1024 * 1024;  // limit on N

struct Frame {
  boost::json::object json;
  std::string payload;
  bool operator==(const Frame&) const = default;
};

// The 8-byte prefix and JSON of a frame whose payload the caller sends after it
// (so large payloads go out without a copy). Throws ProtocolError(FRAME_TOO_LARGE)
// when the frame would exceed `max_frame_size`.
std::string encode_frame_head(const boost::json::object& json, std::size_t payload_size,
                              std::size_t max_frame_size = kDefaultMaxFrameSize);
// A whole frame in one buffer.
std::string encode_frame(const boost::json::object& json, std::string_view payload = {},
                         std::size_t max_frame_size = kDefaultMaxFrameSize);

// Incremental decoder: feed bytes in any chunking, take whole frames out.
// The first error is sticky: it is thrown by next() from then on, and the
// connection that owns the decoder is expected to answer and close.
class FrameDecoder {
 public:
  explicit FrameDecoder(std::size_t max_frame_size = kDefaultMaxFrameSize)
      : max_frame_size_(max_frame_size) {}

  // Appends bytes. Cheap; validation happens in next().
  void feed(std::string_view bytes);
  // The next complete frame, or nullopt when more bytes are needed.
  // Throws ProtocolError with FRAME_TOO_LARGE, BAD_FRAME, BAD_JSON or NOT_AN_OBJECT.
  std::optional<Frame> next();
  // Bytes fed but not yet returned as frames.
  std::size_t buffered() const noexcept { return buffer_.size() - consumed_; }
  bool failed() const noexcept { return failed_code_.has_value(); }

 private:
  [[noreturn]] void fail(std::string_view code, const std::string& message);

  std::size_t max_frame_size_;
  std::string buffer_;
  std::size_t consumed_ = 0;
  std::optional<std::string> failed_code_;
  std::string failed_message_;
};

}  // namespace ptyctl::proto
