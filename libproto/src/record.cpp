#include <ptyctl/proto/limits.hpp>
#include <ptyctl/proto/record.hpp>
#include <ptyctl/proto/session_id.hpp>

namespace ptyctl::proto::record {

std::string encode(handover::SessionState session, std::string_view writer_version,
                   std::string_view rehydrate, std::string_view screen,
                   std::string_view scrollback) {
  session.masterFd = -1;
  session.ringFd = -1;
  session.ringCapacity = 1;  // no ring: nothing to replay past the screens
  session.ringEnd = 0;
  session.emulatorOffset = 0;
  session.killInMs.reset();
  handover::State state;
  state.writerVersion = std::string(writer_version);
  state.sessions.push_back(std::move(session));
  return handover::encode(state, {{"", "", rehydrate, screen, scrollback, "", ""}});
}

Record decode(std::string_view bytes) {
  const handover::Decoded d = handover::decode(bytes);
  if (d.state.sessions.size() != 1)
    throw handover::HandoverError("a record holds one session, this one " +
                                  std::to_string(d.state.sessions.size()));
  const auto& s = d.state.sessions[0];
  if (!is_valid_session_id(s.spec.sessionId)) throw handover::HandoverError("bad session id");
  if (s.masterFd != -1 || s.ringFd != -1 || s.ringEnd != 0 || s.inputBytes != 0 ||
      s.pendingBytes != 0)
    throw handover::HandoverError("a record holds no fds, output or input");
  if (s.spec.cols < 1 || s.spec.rows < 1 || s.spec.cols > kMaxCols || s.spec.rows > kMaxRows)
    throw handover::HandoverError("the record's size is out of range");
  const auto& b = d.bytes[0];
  return Record{s, std::string(b.rehydrate), std::string(b.screen), std::string(b.scrollback)};
}

}  // namespace ptyctl::proto::record
