#include <ptyctl/proto/errors.hpp>
#include <ptyctl/proto/line_codec.hpp>

#include <boost/json.hpp>

#include <cstring>

namespace ptyctl::proto {

std::string encode_line(const boost::json::value& message) {
  std::string out = boost::json::serialize(message);
  out += '\n';
  return out;
}

void LineDecoder::feed(std::string_view bytes) {
  if (failed_) return;
  if (consumed_ > 0 && consumed_ * 2 >= buffer_.size()) {
    buffer_.erase(0, consumed_);
    consumed_ = 0;
  }
  buffer_.append(bytes);
}

namespace {
bool is_blank(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}
}  // namespace

std::optional<boost::json::object> LineDecoder::next() {
  for (;;) {
    if (failed_)
      throw ProtocolError(code::kLineTooLong,
                          "line exceeds the limit of " + std::to_string(max_line_size_) + " bytes");
    const char* base = buffer_.data() + consumed_;
    const std::size_t avail = buffer_.size() - consumed_;
    const void* nl =
        avail > scanned_ ? std::memchr(base + scanned_, '\n', avail - scanned_) : nullptr;
    if (!nl) {
      scanned_ = avail;
      if (avail > max_line_size_) {
        failed_ = true;
        std::string().swap(buffer_);
        consumed_ = scanned_ = 0;
        continue;  // throws above
      }
      return std::nullopt;
    }
    const std::size_t len = static_cast<const char*>(nl) - base;
    const std::string_view line(base, len);
    consumed_ += len + 1;
    scanned_ = 0;
    if (len > max_line_size_) {
      failed_ = true;
      std::string().swap(buffer_);
      consumed_ = 0;
      continue;
    }
    if (is_blank(line)) continue;

    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(line, ec);
    if (ec) {
      ++dropped_;
      last_drop_reason_ = "BAD_JSON: " + ec.message();
      continue;
    }
    if (!v.is_object()) {
      ++dropped_;
      last_drop_reason_ = "NOT_AN_OBJECT";
      continue;
    }
    return std::move(v.get_object());
  }
}

}  // namespace ptyctl::proto
