#pragma once
// One session followed through terminal-host, as `ptyctl attach` and `ptyctl
// wait` both do: createOrAttach (resuming from where it was, or from a
// snapshot), then the session's output exactly once by offset, then its exit.
// Its position outlives a link: a reconnecting attach goes on with a new one.

#include "host_link.hpp"

#include <ptyctl/proto/client_messages.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace ptyctl::cli {

class SessionFollower {
 public:
  explicit SessionFollower(std::string id) : id_(std::move(id)) {}

  struct Attached {
    proto::Snapshot snapshot;  // to paint, unless resumed
    bool resumed = false;      // output goes on where it was: nothing to paint
  };
  // createOrAttach of `request` (its resumeFrom set from where this follower
  // is, once it has been anywhere). nullopt when the session had ended and
  // createOrAttach started a new one, which is then killed: not ours (but
  // for a restore, which asks for exactly that).
  asio::awaitable<std::optional<Attached>> attach(HostLink& link,
                                                  proto::client::CreateOrAttachRequest request);

  // What came next: output not seen before (an event that overlaps what
  // was seen is cut to its new part), or the exit. nullopt at the deadline
  // or when the link closed (link.closed() says which).
  struct Next {
    std::string data;
    std::optional<int> exit_code;  // set: the session has ended
  };
  asio::awaitable<std::optional<Next>> next(HostLink& link, Clock::time_point deadline);

  bool started() const { return position_.has_value(); }

 private:
  std::string id_;
  std::optional<std::uint64_t> position_;  // offset of the next byte not yet seen
};

}  // namespace ptyctl::cli
