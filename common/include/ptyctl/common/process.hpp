#pragma once
// What both servers (pty-supervisor, terminal-host) do around their event
// loop besides ServerInstance (server_instance.hpp): take a socket from
// systemd, register in the process registry, tell systemd they are ready.

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ptyctl {

// True when something accepts connections on the Unix socket `path`.
bool socket_answers(const std::string& path);

// The first word of a pid file, or "unknown".
std::string read_pid_file(const std::string& path);

// The listening socket systemd passed (socket activation: LISTEN_PID is us,
// LISTEN_FDS >= 1): fd 3, made close-on-exec; the variables are removed so no
// child inherits them. nullopt when none was passed.
std::optional<int> systemd_listen_fd();
// The same from launchd (macOS, the plist's Sockets entry "Listeners",
// launch_activate_socket); nullopt elsewhere and when none was passed.
std::optional<int> launchd_listen_fd();

// Throws StartupError when process/<kind>-<name> is registered by a running
// server of another state directory (names are per state dir: registry.hpp).
void check_instance_name_free(const std::string& kind, const std::string& name,
                              const std::string& state_dir);

// Writes this server's entry in the process registry (see registry.hpp).
void register_server(const std::string& kind, const std::string& name, int argc, char** argv,
                     const std::string& state_dir, const std::string& socket,
                     const std::optional<std::string>& log_file, const std::string& version);

// argv/envp for exec: pointers into `strings`, then a null one.
std::vector<char*> c_strings(std::vector<std::string>& strings);

// systemd's readiness notification (READY=1 to $NOTIFY_SOCKET), if asked for.
void notify_ready();
// Any notify message ("RELOADING=1\nMONOTONIC_USEC=..."), if asked for.
void notify_systemd(std::string_view message);

}  // namespace ptyctl
