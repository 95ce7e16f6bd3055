#include "session_util.hpp"

#include "emulator/emulator.hpp"

#include <ptyctl/proto/limits.hpp>
#include <ptyctl/proto/session_id.hpp>

namespace ptyctl::cli {

namespace json = boost::json;

asio::awaitable<std::optional<json::object>> find_session(HostLink& link, const std::string& id) {
  json::object restorable{{"includeRestorable", true}};
  const json::value list = co_await link.request("listSessions", std::move(restorable));
  for (const auto& s : list.at("sessions").as_array())
    if (s.at("sessionId").as_string() == id) co_return s.as_object();
  co_return std::nullopt;
}

asio::awaitable<json::object> require_session(HostLink& link, const std::string& id) {
  auto s = co_await find_session(link, id);
  if (!s) throw CliError(kNoSuchSession, "no session " + id + " (ptyctl ls lists them)");
  co_return std::move(*s);
}

json::object attach_payload(const std::string& id, int cols, int rows) {
  return json::object{{"sessionId", id},         {"cols", cols},       {"rows", rows},
                      {"workspaceId", "ptyctl"}, {"paneId", "ptyctl"}, {"tabId", "ptyctl"}};
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
