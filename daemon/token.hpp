#pragma once
// The client token in <state-dir>/terminal-host.token: 64 lowercase hex
// characters (32 random bytes), mode 0600, no newline, reused across restarts.

#include <string>

namespace ptyctl::host {

// Reads the token, or creates the file when it is missing or does not hold a
// well-formed token. Throws std::system_error when it can do neither.
std::string load_or_create_token(const std::string& path);

bool is_well_formed_token(const std::string& token);

}  // namespace ptyctl::host
