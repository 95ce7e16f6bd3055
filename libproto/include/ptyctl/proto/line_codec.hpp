#pragma once
// Wire 2 (terminal-host.sock) framing: one JSON object per line, ended by '\n'.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ptyctl::proto {

inline constexpr std::size_t kDefaultMaxLineSize = 16u * 1024 * 1024;

// One line: the serialized JSON plus '\n'. Boost.JSON escapes control
// characters, so a line never holds a raw newline.
std::string encode_line(const boost::json::value& message);

// A data event of session `session_id` as a line, written directly: the
// output path's one hot message, with no JSON tree in between and the text
// escaped in one pass (runs of plain bytes eight at a time). `text` must be
// valid UTF-8. Parses to what encode_line(make_event(session_id,
// client::DataEvent{"data", text, offset, end_offset})) does.
std::string encode_data_line(std::string_view session_id, std::string_view text,
                             std::uint64_t offset, std::uint64_t end_offset);
// `text` as a JSON string (quotes included), appended to `out`.
void append_json_string(std::string& out, std::string_view text);

// Incremental decoder. Blank lines are skipped; a line that is not a JSON
// object is dropped and counted (the peer gets no answer, as in the desktop
// app's daemon). A line longer than the limit is refused as soon as the
// buffered part exceeds it: next() throws ProtocolError(LINE_TOO_LONG), the
// buffer is released, and the decoder stays failed.
class LineDecoder {
 public:
  explicit LineDecoder(std::size_t max_line_size = kDefaultMaxLineSize)
      : max_line_size_(max_line_size) {}

  void feed(std::string_view bytes);
  // The next JSON object, or nullopt when more bytes are needed.
  std::optional<boost::json::object> next();

  std::size_t dropped() const noexcept { return dropped_; }
  // Why the last dropped line was dropped ("BAD_JSON: ..." / "NOT_AN_OBJECT").
  const std::string& last_drop_reason() const noexcept { return last_drop_reason_; }
  std::size_t buffered() const noexcept { return buffer_.size() - consumed_; }
  bool failed() const noexcept { return failed_; }

 private:
  std::size_t max_line_size_;
  std::string buffer_;
  std::size_t consumed_ = 0;
  std::size_t scanned_ = 0;  // bytes past consumed_ known to hold no '\n'
  std::size_t dropped_ = 0;
  std::string last_drop_reason_;
  bool failed_ = false;
};

}  // namespace ptyctl::proto
