#pragma once
// `ptyctl attach`: this terminal shows a session. Keys go to the session
// (as notify_ writes), its output comes to the terminal from the snapshot's
// offset on, window changes become resizes, and when terminal-host goes away
// (a restart during an upgrade) it reconnects and resumes by offset: nothing
// is lost or shown twice.

#include "host_link.hpp"
#include "session_follower.hpp"

#include <boost/asio.hpp>

#include <memory>
#include <optional>
#include <string>

namespace ptyctl::cli {

class AttachSession {
 public:
  AttachSession(asio::io_context& io, const Globals& globals, std::string id,
                unsigned char detach_key);
  // Runs until detach, the session's end, or a signal. Returns the exit code.
  asio::awaitable<int> run();
  // The line to print once the terminal is restored ("[detached from s1]").
  const std::string& farewell() const { return farewell_; }

 private:
  // Opens a link, hello, createOrAttach (resuming from `next`): its answer,
  // or null when the session has ended. Throws when terminal-host is away.
  asio::awaitable<std::optional<SessionFollower::Attached>> connect_and_attach();
  // $PTYCTL_SESSION_ID when we run inside a session of this state dir.
  std::optional<std::string> inside_session() const;
  // CliError when this terminal is inside the session (directly, or inside a
  // session shown by an attach running inside it): tmux's nesting check.
  void refuse_nesting(const std::vector<proto::client::SessionSummary>& sessions) const;
  asio::awaitable<void> keyboard();
  asio::awaitable<void> signals();
  asio::awaitable<void> resize();
  asio::awaitable<void> output(std::string bytes);
  void finish(std::string farewell);
  void window_size(int& cols, int& rows) const;

  asio::io_context& io_;
  const Globals& globals_;
  std::string id_;
  SessionFollower follower_;  // where we are in its output, across reconnects
  unsigned char detach_key_;
  asio::posix::stream_descriptor in_;
  asio::posix::stream_descriptor out_;
  asio::signal_set signals_;
  std::unique_ptr<HostLink> link_;
  bool connected_ = false;
  bool done_ = false;
  std::string pending_input_;  // typed while reconnecting
  std::string farewell_;
  int exit_code_ = kOk;
};

}  // namespace ptyctl::cli
