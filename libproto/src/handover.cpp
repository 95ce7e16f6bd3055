#include <ptyctl/proto/json_struct.hpp>

#include <ptyctl/proto/handover.hpp>

#include <boost/describe/class.hpp>

#include <algorithm>
#include <charconv>

namespace ptyctl::proto::handover {

BOOST_DESCRIBE_STRUCT(SessionState, (),
                      (spec, createdAt, lastAttachedAt, pid, masterFd, reaped, finished, forget,
                       exitCode, exitSignal, killInMs, ringCapacity, ringEnd, ringFd, ringBytes,
                       emulatorOffset, rehydrateBytes, screenBytes, scrollbackBytes, pendingBytes,
                       inputBytes, lastCwd, recordedAt, endReason))
BOOST_DESCRIBE_STRUCT(State, (),
                      (format, writerVersion, startedNs, listenFd, lockFd, requesterFd, requestId,
                       failure, sessions))

PTYCTL_PROTO_JSON_DEFINE(SessionState)
PTYCTL_PROTO_JSON_DEFINE(State)

namespace {
constexpr std::string_view kMagic = "ptyctl-supervisor-state ";

std::uint64_t section_total(const SessionState& s) {
  return s.ringBytes + s.rehydrateBytes + s.screenBytes + s.scrollbackBytes + s.pendingBytes +
         s.inputBytes;
}
}  // namespace

std::array<std::string_view, 7> pieces_in_order(const SessionPieces& p) {
  return {p.ring_first, p.ring_second, p.rehydrate, p.screen, p.scrollback, p.pending, p.input};
}

std::string encode_header(const State& state, const std::vector<SessionPieces>& pieces) {
  State described = state;
  for (std::size_t i = 0; i < described.sessions.size(); ++i) {
    auto& s = described.sessions[i];
    const auto& p = pieces[i];
    s.ringBytes = p.ring_first.size() + p.ring_second.size();
    s.rehydrateBytes = p.rehydrate.size();
    s.screenBytes = p.screen.size();
    s.scrollbackBytes = p.scrollback.size();
    s.pendingBytes = p.pending.size();
    s.inputBytes = p.input.size();
  }
  const std::string json = boost::json::serialize(boost::json::value_from(described));
  std::string out(kMagic);
  out += std::to_string(kFormat) + " " + std::to_string(json.size()) + "\n";
  out += json;
  return out;
}

std::string encode(const State& state, const std::vector<SessionPieces>& pieces) {
  std::string out = encode_header(state, pieces);
  for (const auto& p : pieces)
    for (std::string_view piece : pieces_in_order(p))
      out += piece;
  return out;
}

Decoded decode(std::string_view buffer) {
  if (!buffer.starts_with(kMagic)) throw HandoverError("not a pty-supervisor state");
  std::string_view rest = buffer.substr(kMagic.size());
  const std::size_t nl = rest.find('\n');
  if (nl == std::string_view::npos) throw HandoverError("the state's header is cut short");
  const std::string_view header = rest.substr(0, nl);
  int format = 0;
  std::uint64_t json_size = 0;
  const std::size_t space = header.find(' ');
  if (space == std::string_view::npos ||
      std::from_chars(header.data(), header.data() + space, format).ec != std::errc{} ||
      std::from_chars(header.data() + space + 1, header.data() + header.size(), json_size).ec !=
          std::errc{})
    throw HandoverError("the state's header is malformed");
  if (format != kFormat)
    throw HandoverError("state format " + std::to_string(format) +
                        " is not known to this version (it reads format " +
                        std::to_string(kFormat) + ")");
  rest = rest.substr(nl + 1);
  if (json_size > rest.size()) throw HandoverError("the state's description is cut short");
  Decoded d;
  try {
    d.state = boost::json::value_to<State>(boost::json::parse(rest.substr(0, json_size)));
  } catch (const std::exception& e) {
    throw HandoverError(std::string("the state's description does not parse: ") + e.what());
  }
  std::string_view sections = rest.substr(json_size);
  for (const auto& s : d.state.sessions) {
    if (section_total(s) > sections.size())
      throw HandoverError("session " + s.spec.sessionId + "'s bytes are cut short");
    SessionBytes b;
    const auto take = [&](std::uint64_t n) {
      const std::string_view v = sections.substr(0, n);
      sections.remove_prefix(n);
      return v;
    };
    b.ring = take(s.ringBytes);
    b.rehydrate = take(s.rehydrateBytes);
    b.screen = take(s.screenBytes);
    b.scrollback = take(s.scrollbackBytes);
    b.pending = take(s.pendingBytes);
    b.input = take(s.inputBytes);
    const std::uint64_t held = std::min(s.ringEnd, s.ringCapacity);
    if (s.ringCapacity == 0 || s.ringBytes != (s.ringFd >= 0 ? 0 : held) ||
        s.emulatorOffset > s.ringEnd || s.emulatorOffset < s.ringEnd - held)
      throw HandoverError("session " + s.spec.sessionId + "'s output ring does not add up");
    d.bytes.push_back(b);
  }
  if (!sections.empty()) throw HandoverError("the state has bytes past its last section");
  return d;
}

}  // namespace ptyctl::proto::handover
