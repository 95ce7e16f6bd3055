#pragma once
// Helpers of the session verbs.

#include "host_link.hpp"

#include <ptyctl/proto/client_messages.hpp>
#include <ptyctl/proto/snapshot.hpp>

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace ptyctl::cli {

// Every session listSessions has, and the restorable records.
asio::awaitable<std::vector<proto::client::SessionSummary>> list_sessions(HostLink& link);
// The session's listSessions entry (a restorable record's too), or nullopt.
asio::awaitable<std::optional<proto::client::SessionSummary>> find_session(HostLink& link,
                                                                           const std::string& id);
// The same, or CliError(kNoSuchSession).
asio::awaitable<proto::client::SessionSummary> require_session(HostLink& link,
                                                               const std::string& id);
// The createOrAttach that attaches to an existing session (ptyctl's pane).
proto::client::CreateOrAttachRequest attach_request(const std::string& id, int cols, int rows);
// "120x40" → 120, 40 (within proto::kMaxCols x kMaxRows).
bool parse_size(const std::string& text, int& cols, int& rows);
// Checks the id's alphabet before a round trip (kUsage otherwise).
void check_session_id(const std::string& id);
// The text of a snapshot: the screen, or scrollback + screen.
std::string snapshot_text(const proto::Snapshot& snapshot, bool scrollback);

}  // namespace ptyctl::cli
