#pragma once
// Helpers of the session verbs.

#include "host_link.hpp"

#include <ptyctl/proto/snapshot.hpp>

#include <boost/json.hpp>

#include <optional>
#include <string>

namespace ptyctl::cli {

// The session's listSessions entry (a restorable record's too), or nullopt.
asio::awaitable<std::optional<boost::json::object>> find_session(HostLink& link,
                                                                 const std::string& id);
// The same, or CliError(kNoSuchSession).
asio::awaitable<boost::json::object> require_session(HostLink& link, const std::string& id);
// The createOrAttach payload that attaches to an existing session.
boost::json::object attach_payload(const std::string& id, int cols, int rows);
// "120x40" → 120, 40 (within proto::kMaxCols x kMaxRows).
bool parse_size(const std::string& text, int& cols, int& rows);
// Checks the id's alphabet before a round trip (kUsage otherwise).
void check_session_id(const std::string& id);
// The text of a snapshot: the screen, or scrollback + screen.
std::string snapshot_text(const proto::Snapshot& snapshot, bool scrollback);

}  // namespace ptyctl::cli
