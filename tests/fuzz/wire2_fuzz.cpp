// libFuzzer target: wire 2 decoder plus message validation, including the
// hello checks. Lines are fed in chunks chosen by the input's first byte.

#include <ptyctl/proto/client_messages.hpp>
#include <ptyctl/proto/line_codec.hpp>
#include <ptyctl/proto/utf8.hpp>

#include "round_trip.hpp"

#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

using namespace ptyctl::proto;

namespace {

void validate(const boost::json::object& message) {
  try {
    const Envelope env = parse_envelope(message);
    if (const auto* req = std::get_if<Request>(&env)) {
      if (req->type == "hello") {
        (void)client::validate_hello(req->payload, "0123456789abcdef");
        return;
      }
      ptyctl::fuzz::require_round_trip(client::Requests::parse(req->type, req->payload));
    } else if (const auto* ev = std::get_if<Event>(&env)) {
      if (ev->event == "data") {
        const auto d = boost::json::value_to<client::DataEvent>(ev->payload);
        if (!utf8_is_valid(utf8_sanitize(d.data))) __builtin_trap();
      }
    } else if (const auto* resp = std::get_if<Response>(&env)) {
      (void)boost::json::value_to<client::CreateOrAttachResult>(resp->payload);
    }
  } catch (const ProtocolError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::size_t chunk = 1 + data[0] % 64;
  std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  LineDecoder decoder(4096);
  try {
    for (std::size_t pos = 0; pos < bytes.size(); pos += chunk) {
      decoder.feed(bytes.substr(pos, chunk));
      while (auto message = decoder.next())
        validate(*message);
    }
  } catch (const ProtocolError&) {
    if (!decoder.failed()) __builtin_trap();
  }
  // The UTF-8 helpers on the raw input as well.
  const std::size_t keep = utf8_complete_prefix(bytes);
  if (keep > bytes.size() || keep + 3 < bytes.size()) __builtin_trap();
  if (!utf8_is_valid(utf8_sanitize(bytes))) __builtin_trap();
  return 0;
}
