#include "session_util.hpp"

#include "emulator/emulator.hpp"

#include <ptyctl/proto/limits.hpp>
#include <ptyctl/proto/session_id.hpp>

namespace ptyctl::cli {

namespace json = boost::json;

asio::awaitable<std::vector<proto::client::SessionSummary>> list_sessions(HostLink& link) {
  proto::client::ListSessionsRequest request;
  request.includeRestorable = true;
  co_return (co_await link.call(request)).sessions;
}

asio::awaitable<std::optional<proto::client::SessionSummary>> find_session(HostLink& link,
                                                                           const std::string& id) {
  auto sessions = co_await list_sessions(link);
  for (auto& s : sessions)
    if (s.sessionId == id) co_return std::move(s);
  co_return std::nullopt;
}

asio::awaitable<proto::client::SessionSummary> require_session(HostLink& link,
                                                               const std::string& id) {
  auto s = co_await find_session(link, id);
  if (!s) throw CliError(kNoSuchSession, "no session " + id + " (ptyctl ls lists them)");
  co_return std::move(*s);
}

proto::client::CreateOrAttachRequest attach_request(const std::string& id, int cols, int rows) {
  proto::client::CreateOrAttachRequest r;
  r.sessionId = id;
  r.cols = cols;
  r.rows = rows;
  r.workspaceId = r.paneId = r.tabId = "ptyctl";
  return r;
}

bool parse_size(const std::string& text, int& cols, int& rows) {
  const auto x = text.find('x');
  if (x == std::string::npos) return false;
  try {
    cols = std::stoi(text.substr(0, x));
    rows = std::stoi(text.substr(x + 1));
  } catch (...) {
    return false;
  }
  return cols > 0 && rows > 0 && cols <= proto::kMaxCols && rows <= proto::kMaxRows;
}

void check_session_id(const std::string& id) {
  if (!proto::is_valid_session_id(id))
    throw CliError(kUsage, "\"" + id + "\" is not a session id (1 to 128 of A-Z a-z 0-9 . _ : -)");
}

std::string snapshot_text(const proto::Snapshot& snapshot, bool scrollback) {
  if (!scrollback && snapshot.text) return *snapshot.text;
  emu::Emulator screen(snapshot.cols, snapshot.rows);
  screen.feed(snapshot.rehydrateSequences);
  screen.feed(snapshot.snapshotAnsi);
  return screen.text(scrollback);
}

}  // namespace ptyctl::cli
