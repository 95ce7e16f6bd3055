#pragma once
// A session's entry in each wire's listing, from what it was made of. The
// fields of the same name are copied (json_struct.hpp's copy_same_named), so
// a field added to the spec and to a listing is carried without a line more.

#include <ptyctl/proto/client_messages.hpp>
#include <ptyctl/proto/session_spec.hpp>
#include <ptyctl/proto/supervisor_messages.hpp>

namespace ptyctl::proto {

// Wire 1's listSessions entry: the spec's part (the caller adds the program's).
sup::SessionInfo session_info_of(const SessionSpec& spec);
// Wire 2's: what wire 1 says of it, but the times (ISO 8601 there; the caller
// converts) and what only terminal-host knows (its viewers).
client::SessionSummary session_summary_of(const sup::SessionInfo& info);

}  // namespace ptyctl::proto
