#include "attach_session.hpp"

#include "session_util.hpp"

#include <ptyctl/proto/limits.hpp>
#include <ptyctl/proto/utf8.hpp>

#include <sys/ioctl.h>
#include <unistd.h>

#include <ptyctl/common/registry.hpp>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>

namespace ptyctl::cli {

using namespace std::chrono_literals;

namespace {
// What a session may have switched on in the terminal, switched off again
// when we leave it: cursor keys, mouse, focus, bracketed paste, the
// alternate screen; the cursor shown.
constexpr std::string_view kLeaveModes =
    "\x1b[?1l\x1b[?9l\x1b[?1000l\x1b[?1001l\x1b[?1002l\x1b[?1003l\x1b[?1005l\x1b[?1006l"
    "\x1b[?1004l\x1b[?2004l\x1b[?1049l\x1b[?25h\x1b[0m";
// XTWINOPS 22/23: save and restore the window title (xterm, tmux, VTE).
constexpr std::string_view kTitlePush = "\x1b[22;2t";
constexpr std::string_view kTitlePop = "\x1b[23;2t";
}  // namespace

AttachSession::AttachSession(asio::io_context& io, const Globals& globals, std::string id,
                             unsigned char detach_key)
    : io_(io),
      globals_(globals),
      id_(std::move(id)),
      follower_(id_),
      detach_key_(detach_key),
      in_(io, ::dup(0)),
      out_(io, ::dup(1)),
      signals_(io, SIGWINCH, SIGTERM, SIGHUP) {}

void AttachSession::window_size(int& cols, int& rows) const {
  winsize ws{};
  if (::ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0) {
    cols = ws.ws_col;
    rows = ws.ws_row;
  } else if (::ioctl(0, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0) {
    cols = ws.ws_col;
    rows = ws.ws_row;
  }
  // A terminal larger than a session may be shows it at the largest size.
  cols = std::min(cols, proto::kMaxCols);
  rows = std::min(rows, proto::kMaxRows);
}

void AttachSession::finish(std::string farewell) {
  if (done_) return;
  done_ = true;
  farewell_ = std::move(farewell);
  boost::system::error_code ignored;
  in_.cancel(ignored);
  signals_.cancel(ignored);
  if (link_) link_->close();
}

asio::awaitable<void> AttachSession::output(std::string bytes) {
  co_await asio::async_write(out_, asio::buffer(bytes), asio::as_tuple(asio::use_awaitable));
}

asio::awaitable<void> AttachSession::keyboard() {
  std::array<char, 4096> buf;
  std::string carry;  // an incomplete UTF-8 character typed in two reads
  while (!done_) {
    auto [ec, n] =
        co_await in_.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
    if (ec) {
      if (!done_) finish("[input closed; detached from " + id_ + "]");
      break;
    }
    std::string_view typed(buf.data(), n);
    if (const auto k = typed.find(static_cast<char>(detach_key_)); k != std::string_view::npos) {
      typed = typed.substr(0, k);
      carry += typed;
      if (connected_ && !carry.empty()) {
        const auto request = proto::client::WriteRequest{id_, proto::utf8_sanitize(carry)};
        co_await link_->notify(request);
      }
      finish("[detached from " + id_ + "]");
      break;
    }
    carry += typed;
    const std::size_t complete = proto::utf8_complete_prefix(carry);
    pending_input_ += proto::utf8_sanitize(std::string_view(carry).substr(0, complete));
    carry.erase(0, complete);
    if (connected_ && !pending_input_.empty()) {
      proto::client::WriteRequest w{id_, std::move(pending_input_)};
      pending_input_.clear();
      co_await link_->notify(w);
    }
  }
}

asio::awaitable<void> AttachSession::resize() {
  if (!connected_) co_return;
  int cols = 80, rows = 24;
  window_size(cols, rows);
  try {
    const auto request = proto::client::ResizeRequest{id_, cols, rows};
    co_await link_->call(request);
  } catch (const CliError&) {
    // The connection went away; the reconnect attaches at the new size.
  }
}

asio::awaitable<void> AttachSession::signals() {
  while (!done_) {
    auto [ec, sig] = co_await signals_.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) break;
    if (sig == SIGWINCH) {
      asio::co_spawn(io_, resize(), asio::detached);
    } else {
      exit_code_ = kFailed;
      finish(std::string("[") + (sig == SIGTERM ? "terminated" : "hung up") + "; detached from " +
             id_ + "]");
    }
  }
}

std::optional<std::string> AttachSession::inside_session() const {
  const char* inside = std::getenv("PTYCTL_SESSION_ID");
  const char* dir = std::getenv("PTYCTL_STATE_DIR");
  if (!inside || !*inside || !dir || !same_state_dir(dir, globals_.state_dir)) return std::nullopt;
  return std::string(inside);
}

void AttachSession::refuse_nesting(
    const std::vector<proto::client::SessionSummary>& sessions) const {
  // The sessions this terminal is inside: the one we run in, the ones whose
  // viewers show that one (an attach running inside them), and so on up.
  const auto inside = inside_session();
  if (!inside) return;
  std::vector<std::string> chain{*inside};
  for (std::size_t i = 0; i < chain.size() && chain.size() < 64; ++i) {
    for (const auto& s : sessions) {
      if (s.sessionId != chain[i] || !s.viewedFrom) continue;
      for (const auto& f : *s.viewedFrom)
        if (std::find(chain.begin(), chain.end(), f) == chain.end()) chain.push_back(f);
    }
  }
  if (std::find(chain.begin(), chain.end(), id_) == chain.end()) return;
  throw CliError(kFailed, "sessions should be nested with care: this terminal is inside session " +
                              id_ + (id_ == *inside ? "" : " (through " + *inside + ")") +
                              ", so attaching it here would show it inside itself");
}

asio::awaitable<std::optional<SessionFollower::Attached>> AttachSession::connect_and_attach() {
  co_await link_->open();
  bool restoring = false;
  if (!follower_.started()) {
    const auto sessions = co_await list_sessions(*link_);
    const proto::client::SessionSummary* s = nullptr;
    for (const auto& v : sessions)
      if (v.sessionId == id_) s = &v;
    if (!s) throw CliError(kNoSuchSession, "no session " + id_ + " (ptyctl ls lists them)");
    // (Another host's sessions cannot hold this terminal.)
    if (!globals_.remote()) refuse_nesting(sessions);
    restoring = s->restorable.value_or(false);
    if (restoring) {
      // Its record: a new shell below the recorded screens (raw mode: CR LF).
      const std::string note = "[restoring session " + id_ + " from its record]\r\n";
      std::fputs(note.c_str(), stderr);
    } else if (!s->isAlive)
      throw CliError(kFailed, "session " + id_ + " has ended (ptyctl kill " + id_ + " removes it)");
  }
  int cols = 80, rows = 24;
  window_size(cols, rows);
  auto attach = attach_request(id_, cols, rows);
  attach.viewerSessionId = inside_session();
  if (restoring) attach.restore = true;
  auto r = co_await follower_.attach(*link_, attach);
  if (!r) finish("[session " + id_ + " has ended]");  // just now
  co_return r;
}

asio::awaitable<int> AttachSession::run() {
  asio::co_spawn(io_, keyboard(), asio::detached);
  asio::co_spawn(io_, signals(), asio::detached);
  bool noticed = false;
  auto lost_at = Clock::now();
  Clock::duration retry_pause = 100ms;
  while (!done_) {
    // Only the first connection may start terminal-host: once attached, a
    // host that went away was stopped or is restarting, and we wait for it.
    link_ = std::make_unique<HostLink>(io_, globals_, /*autostart=*/!follower_.started());
    // Connect, hello, attach: any failure once we have shown something means
    // terminal-host is restarting; try again for a while.
    // Outer: connected; inner: the session is there (nullopt: it has ended).
    std::optional<std::optional<SessionFollower::Attached>> attached;
    std::string failure;
    const bool shown = follower_.started();
    try {
      attached = co_await connect_and_attach();
    } catch (const CliError& e) {
      if (!shown) throw;
      failure = e.what();
    } catch (const std::exception& e) {
      if (!shown) throw;
      failure = e.what();
    }
    if (done_) break;
    if (!attached) {
      // Over ssh a network change or a laptop's sleep can take longer than a
      // restart of terminal-host; each try there is a new ssh connection, so
      // the pause doubles (0.1 s to 2 s).
      const auto give_up = globals_.remote() ? 300s : 60s;
      if (Clock::now() - lost_at > give_up) {
        exit_code_ = kUnreachable;
        finish("[terminal-host did not come back (" + failure + "); detached from " + id_ + "]");
        break;
      }
      if (!noticed && Clock::now() - lost_at > 2s) {
        // On the outer terminal's title (pushed, popped on return), never
        // in the program's screen, which must stay what its snapshot says.
        noticed = true;
        co_await output(std::string(kTitlePush) + "\x1b]2;[ptyctl: waiting for terminal-host]\x07");
      }
      asio::steady_timer pause(io_, retry_pause);
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
      if (globals_.remote()) retry_pause = std::min<Clock::duration>(retry_pause * 2, 2s);
      continue;
    }
    retry_pause = 100ms;
    if (!*attached) break;  // the session has ended
    if (!(*attached)->resumed) {
      // Home, clear, then the screen as the session has it.
      const proto::Snapshot& snap = (*attached)->snapshot;
      std::string paint = "\x1b[H\x1b[2J";
      paint += snap.rehydrateSequences;
      paint += snap.snapshotAnsi;
      co_await output(std::move(paint));
    }
    connected_ = true;
    if (noticed) co_await output(std::string(kTitlePop));
    noticed = false;
    if (!pending_input_.empty()) {
      proto::client::WriteRequest w{id_, std::move(pending_input_)};
      pending_input_.clear();
      co_await link_->notify(w);
    }
    for (;;) {
      auto n = co_await follower_.next(*link_, Clock::time_point::max());
      if (!n) break;
      if (n->exit_code) {
        finish("[session " + id_ + " exited with code " + std::to_string(*n->exit_code) + "]");
        break;
      }
      co_await output(std::move(n->data));
    }
    connected_ = false;
    lost_at = Clock::now();
  }
  if (noticed) co_await output(std::string(kTitlePop));
  co_await output(std::string(kLeaveModes));
  co_return exit_code_;
}

}  // namespace ptyctl::cli
