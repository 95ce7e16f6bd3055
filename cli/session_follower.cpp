#include "session_follower.hpp"

namespace ptyctl::cli {

asio::awaitable<std::optional<SessionFollower::Attached>> SessionFollower::attach(
    HostLink& link, proto::client::CreateOrAttachRequest request) {
  request.sessionId = id_;
  request.resumeFrom = position_;
  const bool restoring = request.restore.value_or(false);
  auto r = co_await link.call(request);
  if (r.isNew && !restoring) {
    const auto kill = proto::client::KillRequest{id_, std::nullopt};
    co_await link.call(kill);
    co_return std::nullopt;
  }
  const bool resumed = position_ && r.resumed.value_or(false);
  if (!resumed) position_ = r.snapshot.offset;
  co_return Attached{std::move(r.snapshot), resumed};
}

asio::awaitable<std::optional<SessionFollower::Next>> SessionFollower::next(
    HostLink& link, Clock::time_point deadline) {
  for (;;) {
    auto ev = co_await link.next_event(deadline);
    if (!ev) co_return std::nullopt;
    if (ev->sessionId != id_) continue;
    if (const auto* x = std::get_if<proto::client::ExitEvent>(&ev->event))
      co_return Next{"", x->exitCode};
    auto* d = std::get_if<proto::client::DataEvent>(&ev->event);
    if (!d || !d->offset || !d->endOffset) continue;  // not output, or not from a server of ours
    const std::uint64_t offset = *d->offset, end = *d->endOffset;
    const std::uint64_t seen = position_.value_or(0);
    if (end <= seen && offset < end) continue;  // seen already
    std::string data = std::move(d->data);
    // Cut to its new part where its bytes are its characters (U+FFFD for an
    // invalid byte makes the text longer than the bytes: then it goes whole).
    if (offset < seen && data.size() == end - offset)
      data.erase(0, static_cast<std::size_t>(seen - offset));
    position_ = end;
    co_return Next{std::move(data), std::nullopt};
  }
}

}  // namespace ptyctl::cli
