#include <ptyctl/proto/bridge.hpp>
#include <ptyctl/proto/client_messages.hpp>
#include <ptyctl/proto/line_codec.hpp>
#include <ptyctl/proto/version.hpp>

#include <boost/json.hpp>

namespace ptyctl::proto::bridge {

// (Greeting and HostListing are described in messages.cpp, beside the
// types they hold.)

std::string encode(char tag, std::string_view line) {
  std::string out;
  out.reserve(line.size() + 2);
  out += tag;
  out += line;
  out += '\n';
  return out;
}

std::string encode_greeting() {
  const Greeting g{kBridgeVersion, std::string(kPtyctlVersion)};
  return encode(kGreeting, boost::json::serialize(boost::json::value_from(g)));
}

std::string encode_failure(std::string_view code, std::string_view message) {
  const ErrorInfo e{std::string(code), std::string(message)};
  return encode(kFailure, boost::json::serialize(boost::json::value_from(e)));
}

namespace {
boost::json::value parse_json(std::string_view json) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(json, ec);
  if (ec) throw ProtocolError(code::kInvalidRequest, "the bridge sent no JSON: " + ec.message());
  return v;
}
}  // namespace

Greeting parse_greeting(std::string_view json) {
  return boost::json::value_to<Greeting>(parse_json(json));
}

ErrorInfo parse_failure(std::string_view json) {
  return boost::json::value_to<ErrorInfo>(parse_json(json));
}

std::optional<std::string> with_token(std::string_view line, std::string_view token) {
  // Every line the client sends passes here (keystrokes too): only one that
  // names the hello type is parsed. (A client that spells "hello" with JSON
  // escapes gets no token, and terminal-host's AUTH_FAILED.)
  static const std::string kQuotedType = "\"" + std::string(client::HelloRequest::kType) + "\"";
  if (line.find(kQuotedType) == std::string_view::npos) return std::nullopt;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(line, ec);
  if (ec || !v.is_object()) return std::nullopt;
  Envelope envelope;
  try {
    envelope = parse_envelope(v.as_object());
  } catch (const ProtocolError&) {
    return std::nullopt;  // terminal-host answers it as it answers any bad line
  }
  auto* request = std::get_if<Request>(&envelope);
  if (!request || request->type != client::HelloRequest::kType) return std::nullopt;
  boost::json::object* payload = request->payload.if_object();
  if (!payload) return std::nullopt;
  // Only the token is replaced: whatever else the hello says (a wrong
  // version, say) reaches terminal-host as it was, and is answered there.
  (*payload)["token"] = token;
  std::string out = encode_line(to_json(*request));
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

void LineSplitter::feed(std::string_view bytes) {
  if (consumed_ > 0 && consumed_ == buffer_.size()) {
    buffer_.clear();
    consumed_ = scanned_ = 0;
  }
  buffer_.append(bytes);
}

std::optional<std::string> LineSplitter::next() {
  if (failed_) return std::nullopt;
  const std::size_t from = consumed_ + scanned_;
  const std::size_t nl = buffer_.find('\n', from);
  if (nl == std::string::npos) {
    scanned_ = buffer_.size() - consumed_;
    if (scanned_ > kMaxLine) failed_ = true;
    return std::nullopt;
  }
  std::string line = buffer_.substr(consumed_, nl - consumed_);
  consumed_ = nl + 1;
  scanned_ = 0;
  if (consumed_ > 1024 * 1024 && consumed_ * 2 > buffer_.size()) {
    buffer_.erase(0, consumed_);
    consumed_ = 0;
  }
  return line;
}

}  // namespace ptyctl::proto::bridge
