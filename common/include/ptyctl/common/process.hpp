#pragma once
// What both servers (pty-supervisor, terminal-host) do around their event
// loop: refuse to replace a live server, listen on a private socket, detach
// into the background, write a pid file, tell systemd they are ready.

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>

#include <optional>
#include <string>

namespace ptyctl {

// True when something accepts connections on the Unix socket `path`.
bool socket_answers(const std::string& path);

// The first word of a pid file, or "unknown".
std::string read_pid_file(const std::string& path);

// Writes our pid (no newline), mode 0600.
void write_pid_file(const std::string& path);

// Binds `path` with mode 0600 (created so, never wider) and listens. The
// caller has checked that no live server answers there; a stale socket file
// is replaced. Throws std::system_error.
boost::asio::local::stream_protocol::acceptor listen_private_socket(boost::asio::io_context& io,
                                                                    const std::string& path);

// Double fork and setsid, stdin from /dev/null, stdout and stderr appended to
// `log_path` (0600). Only the grandchild returns; it has its own session and
// process group, so no terminal's Ctrl-C reaches it.
void detach_to_log(boost::asio::io_context& io, const std::string& log_path);

// The listening socket systemd passed (socket activation: LISTEN_PID is us,
// LISTEN_FDS >= 1): fd 3, made close-on-exec; the variables are removed so no
// child inherits them. nullopt when none was passed.
std::optional<int> systemd_listen_fd();

// Writes this server's entry in the process registry (see registry.hpp).
void register_server(const std::string& kind, const std::string& name, int argc, char** argv,
                     const std::string& state_dir, const std::string& socket,
                     const std::optional<std::string>& log_file, const std::string& version);

// systemd's readiness notification (READY=1 to $NOTIFY_SOCKET), if asked for.
void notify_ready();

}  // namespace ptyctl
