#pragma once
// What both servers' main() share, from the command line to exit: the
// options every server has and their checks, then run_server(): the start-up
// sequence (ServerInstance's lock, socket, -d and pid file; the process
// registry) and the event loop until the server stops. Each main adds its
// own options and builds its server in `serve`.

#include <ptyctl/common/server_instance.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/program_options/options_description.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace ptyctl {

// The options every server has: --state-dir, --log-level, --detach, --name.
struct ServerCommandLine {
  std::string program;    // "terminal-host", "pty-supervisor"
  std::string state_dir;  // resolved by parse_server_command_line
  std::string log_level = "info";
  std::string instance;  // the registry's name; the default when none is given
  bool detach = false;
};

// Adds --help, --version and the options above to `shown`.
void add_server_options(boost::program_options::options_description& shown, ServerCommandLine& line,
                        std::string_view name_help);

// Parses argv against `all` (`shown` plus any hidden ones). nullopt: go on;
// else main's exit code, with what to say printed (--help, --version, a bad
// option, log level or name). Applies the log level and resolves the state
// directory and the instance name.
std::optional<int> parse_server_command_line(
    int argc, char** argv, const boost::program_options::options_description& shown,
    const boost::program_options::options_description& all, std::string_view version_line,
    ServerCommandLine& line);

// Prints "<program>: <message>" and returns 2, for a main's own option checks.
int usage_error(const ServerCommandLine& line, std::string_view message);

struct ServerStart {
  ServerFiles files;
  std::string registry_kind;  // process/<kind>-<name> (registry.hpp)
  // What the registry shows as its command line.
  int argc = 0;
  char** argv = nullptr;
  // An upgrade's image: the lock is inherited (no name check, -d or pid
  // file: the process has them already).
  std::optional<int> inherited_lock;
  // A listening socket to serve instead of binding one: systemd's or
  // launchd's (service_manager_socket: then it stays when we exit) or an
  // upgrade's.
  std::optional<int> inherited_listener;
  bool service_manager_socket = false;
  // Logs to the state dir's log file (the registry says so): -d, or the
  // image before an upgrade was detached.
  bool logged = false;
  // Checks and files that must exist before the socket does (a client that
  // can connect must find them). Throws StartupError.
  std::function<void(ServerInstance&)> before_listen;
  // Start-up refused: prints "<program>: <what>" and returns 1 unless given.
  std::function<int(const std::string& what)> refused;
};

// Makes the server's files and socket, registers it, then `serve` builds the
// server on `io` with the listening socket and returns main's exit code once
// it has stopped; serve_until_stopped() is its last step. The socket and pid
// file go after, if still ours, then the lock.
int run_server(
    const ServerCommandLine& line, const ServerStart& start,
    const std::function<int(boost::asio::io_context& io, ServerInstance& server,
                            boost::asio::local::stream_protocol::acceptor acceptor)>& serve);

// Logs that it listens, tells systemd it is ready, and runs `io` until the
// server stops (run_server logs that, once its files are gone).
void serve_until_stopped(boost::asio::io_context& io, const ServerCommandLine& line,
                         const ServerInstance& server);

}  // namespace ptyctl
