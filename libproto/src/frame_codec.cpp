#include <ptyctl/proto/errors.hpp>
#include <ptyctl/proto/frame_codec.hpp>

#include <boost/json.hpp>

#include <cstring>

namespace ptyctl::proto {

namespace {

constexpr std::size_t kPrefix = 8;  // N and J

void put_u32(std::string& out, std::uint32_t v) {
  out += static_cast<char>((v >> 24) & 0xff);
  out += static_cast<char>((v >> 16) & 0xff);
  out += static_cast<char>((v >> 8) & 0xff);
  out += static_cast<char>(v & 0xff);
}

std::uint32_t get_u32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return (std::uint32_t{u[0]} << 24) | (std::uint32_t{u[1]} << 16) | (std::uint32_t{u[2]} << 8) |
         std::uint32_t{u[3]};
}

}  // namespace

std::string encode_frame_head(const boost::json::object& json, std::size_t payload_size,
                              std::size_t max_frame_size) {
  const std::string text = boost::json::serialize(json);
  const std::size_t n = 4 + text.size() + payload_size;
  if (n > max_frame_size || n > 0xffffffffu) {
    throw ProtocolError(code::kFrameTooLarge, "frame of " + std::to_string(n) +
                                                  " bytes exceeds the limit of " +
                                                  std::to_string(max_frame_size));
  }
  std::string out;
  out.reserve(kPrefix + text.size());
  put_u32(out, static_cast<std::uint32_t>(n));
  put_u32(out, static_cast<std::uint32_t>(text.size()));
  out += text;
  return out;
}

std::string encode_frame(const boost::json::object& json, std::string_view payload,
                         std::size_t max_frame_size) {
  std::string out = encode_frame_head(json, payload.size(), max_frame_size);
  out.append(payload);
  return out;
}

void FrameDecoder::feed(std::string_view bytes) {
  if (failed()) return;
  // Drop what was consumed once it is most of the buffer: amortized O(1) per byte.
  if (consumed_ > 0 && consumed_ * 2 >= buffer_.size()) {
    buffer_.erase(0, consumed_);
    consumed_ = 0;
  }
  buffer_.append(bytes);
}

void FrameDecoder::fail(std::string_view code, const std::string& message) {
  failed_code_ = std::string(code);
  failed_message_ = message;
  std::string().swap(buffer_);  // hold nothing of a refused frame
  consumed_ = 0;
  throw ProtocolError(code, message);
}

std::optional<Frame> FrameDecoder::next() {
  if (failed_code_) throw ProtocolError(*failed_code_, failed_message_);
  const std::size_t avail = buffer_.size() - consumed_;
  if (avail < 4) return std::nullopt;
  const char* p = buffer_.data() + consumed_;
  const std::uint32_t n = get_u32(p);
  // Refuse an oversize frame from its first four bytes, before buffering it.
  if (n > max_frame_size_)
    fail(code::kFrameTooLarge, "frame of " + std::to_string(n) + " bytes exceeds the limit of " +
                                   std::to_string(max_frame_size_));
  if (n < 4) fail(code::kBadFrame, "frame length " + std::to_string(n) + " is shorter than 4");
  if (avail < kPrefix) return std::nullopt;
  const std::uint32_t j = get_u32(p + 4);
  if (j > n - 4)
    fail(code::kBadFrame, "JSON length " + std::to_string(j) + " exceeds frame length " +
                              std::to_string(n) + " - 4");
  if (avail < 4 + std::size_t{n}) return std::nullopt;

  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(std::string_view(p + kPrefix, j), ec);
  if (ec) fail(code::kBadJson, "frame JSON does not parse: " + ec.message());
  if (!v.is_object()) fail(code::kNotAnObject, "frame JSON is not an object");
  Frame frame;
  frame.json = std::move(v.get_object());
  frame.payload.assign(p + kPrefix + j, n - 4 - j);
  consumed_ += 4 + std::size_t{n};
  return frame;
}

}  // namespace ptyctl::proto
