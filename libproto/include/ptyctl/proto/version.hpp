#pragma once
// Protocol and product versions. Every hello carries one of the protocol numbers.

#include <string_view>

namespace ptyctl::proto {

// Client protocol (terminal-host.sock): the desktop app's version 2.
inline constexpr int kClientProtocolVersion = 2;
// Supervisor protocol (pty-supervisor.sock), ours alone.
inline constexpr int kSupervisorProtocolVersion = 1;
// Product version reported as daemonVersion / supervisorVersion.
inline constexpr std::string_view kPtyctlVersion = "0.1.0";

}  // namespace ptyctl::proto
