// libFuzzer target: wire 1 decoder plus message validation. The input is split
// into chunks by its own first bytes, fed to a FrameDecoder, and every decoded
// frame goes through envelope parsing and typed payload validation. Any
// exception other than ProtocolError, or a crash, is a finding.

#include <ptyctl/proto/frame_codec.hpp>
#include <ptyctl/proto/supervisor_messages.hpp>

#include "round_trip.hpp"

#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

using namespace ptyctl::proto;

namespace {

void validate(const Frame& frame) {
  try {
    const Envelope env = parse_envelope(frame.json);
    if (const auto* req = std::get_if<Request>(&env)) {
      ptyctl::fuzz::require_round_trip(sup::Requests::parse(req->type, req->payload));
    } else if (const auto* ev = std::get_if<Event>(&env)) {
      if (ev->event == "data") (void)boost::json::value_to<sup::DataEvent>(ev->payload);
      if (ev->event == "exit") (void)boost::json::value_to<sup::ExitEvent>(ev->payload);
    } else if (const auto* resp = std::get_if<Response>(&env)) {
      (void)boost::json::value_to<sup::HelloResult>(resp->payload);
    }
  } catch (const ProtocolError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  // First byte picks the chunk size, so the fuzzer explores reassembly too.
  const std::size_t chunk = 1 + data[0] % 64;
  std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  FrameDecoder decoder(1 << 20);
  try {
    for (std::size_t pos = 0; pos < bytes.size(); pos += chunk) {
      decoder.feed(bytes.substr(pos, chunk));
      while (auto frame = decoder.next())
        validate(*frame);
    }
  } catch (const ProtocolError&) {
    if (!decoder.failed()) __builtin_trap();
  }
  return 0;
}
