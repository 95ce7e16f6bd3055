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

namespace {
constexpr std::uint64_t kOnes = 0x0101010101010101ull;
constexpr std::uint64_t kHighs = 0x8080808080808080ull;
// Whether any byte of `w` is below `n` (n <= 128), or equal to `c`.
constexpr bool any_below(std::uint64_t w, std::uint64_t n) {
  return ((w - kOnes * n) & ~w & kHighs) != 0;
}
constexpr bool any_equal(std::uint64_t w, std::uint8_t c) {
  return any_below(w ^ (kOnes * c), 1);
}
constexpr bool plain(unsigned char c) {
  return c >= 0x20 && c != '"' && c != '\\';
}
}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.reserve(out.size() + text.size() + 2);
  out += '"';
  const char* p = text.data();
  const char* const end = p + text.size();
  while (p < end) {
    const char* run = p;
    while (end - p >= 8) {
      std::uint64_t w;
      std::memcpy(&w, p, sizeof w);
      if (any_below(w, 0x20) || any_equal(w, '"') || any_equal(w, '\\')) break;
      p += 8;
    }
    while (p < end && plain(static_cast<unsigned char>(*p)))
      ++p;
    out.append(run, static_cast<std::size_t>(p - run));
    if (p == end) break;
    const unsigned char c = static_cast<unsigned char>(*p++);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xf];
    }
  }
  out += '"';
}

std::string encode_data_line(std::string_view session_id, std::string_view text,
                             std::uint64_t offset, std::uint64_t end_offset) {
  std::string out;
  out.reserve(text.size() + session_id.size() + 120);
  out += R"({"type":"event","event":"data","sessionId":)";
  append_json_string(out, session_id);
  out += R"(,"payload":{"type":"data","data":)";
  append_json_string(out, text);
  out += R"(,"offset":)";
  out += std::to_string(offset);
  out += R"(,"endOffset":)";
  out += std::to_string(end_offset);
  out += "}}\n";
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
