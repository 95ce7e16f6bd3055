// terminal-host: the desktop app's terminal daemon protocol (version 2) on
// terminal-host.sock, in front of pty-supervisor. Restartable at any time:
// sessions live in the supervisor and clients resume by offset.
// See docs/operations.md.

#include "host.hpp"
#include "session_env.hpp"
#include "supervisor_client.hpp"
#include "token.hpp"

#include <ptyctl/common/process.hpp>
#include <ptyctl/common/server_main.hpp>
#include <ptyctl/common/state_dir.hpp>
#include <ptyctl/proto/paths.hpp>
#include <ptyctl/proto/version.hpp>

#include <boost/asio.hpp>
#include <boost/program_options.hpp>

#include <unistd.h>

#include <cstdlib>

namespace asio = boost::asio;
namespace po = boost::program_options;
using namespace ptyctl;

namespace {

std::string env_or(const char* name, std::string fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

std::string default_shell() {
  if (const char* s = std::getenv("SHELL"); s && *s) return s;
  // The app's default is /bin/zsh; not every machine has it.
  return ::access("/bin/zsh", X_OK) == 0 ? "/bin/zsh" : "/bin/sh";
}

}  // namespace

int main(int argc, char** argv) {
  ensure_standard_fds();
  hold_stop_signals();  // until the server's handlers exist (server_instance.hpp)
  ServerCommandLine line;
  line.program = "terminal-host";
  std::string spawn = "auto", supervisor_binary;
  std::size_t stream_queue_mib = 16;
  po::options_description desc("Usage: terminal-host [options]\n\nOptions");
  add_server_options(desc, line,
                     "instance name in the process registry (process/terminal-host-NAME; "
                     "default: derived from the state directory, \"default\" for ~/.superset); a "
                     "supervisor it starts gets the same name");
  desc.add_options()("spawn-supervisor", po::value(&spawn)->default_value("auto"),
                     "auto: start pty-supervisor when none answers; never: wait for one (systemd)")(
      "supervisor-binary", po::value(&supervisor_binary),
      "pty-supervisor to start (default: the one beside this binary, else $PATH)")(
      "stream-queue-mib", po::value(&stream_queue_mib)->default_value(stream_queue_mib),
      "events queued for a stream socket that does not read before it is disconnected");
  if (const auto done = parse_server_command_line(
          argc, argv, desc, desc,
          "terminal-host " + std::string(proto::kPtyctlVersion) + " (client protocol " +
              std::to_string(proto::kClientProtocolVersion) + ")",
          line))
    return *done;
  if (spawn != "auto" && spawn != "never")
    return usage_error(line, "--spawn-supervisor must be auto or never");
  if (stream_queue_mib < 1) return usage_error(line, "--stream-queue-mib must be at least 1");

  const auto file = [&](std::string_view name) { return line.state_dir + "/" + std::string(name); };
  host::HostOptions options;
  ServerStart start;
  start.files =
      ServerFiles{"terminal-host",           line.state_dir,         file(proto::kHostSocket),
                  file(proto::kHostPidFile), file(proto::kHostLock), file(proto::kHostLog)};
  start.registry_kind = "terminal-host";
  start.argc = argc;
  start.argv = argv;
  // Socket activation: systemd or launchd holds the socket across our
  // restarts, and a client connecting meanwhile waits instead of failing.
  start.inherited_listener = systemd_listen_fd();
  if (!start.inherited_listener) start.inherited_listener = launchd_listen_fd();
  start.service_manager_socket = start.inherited_listener.has_value();
  start.before_listen = [&](ServerInstance&) {
    try {
      // The supervisor's socket too: it is the longer name, and a reconnect
      // to a path that cannot exist would fail every request after 10 s.
      check_socket_path(file(proto::kSupervisorSocket));
    } catch (const StateDirError& e) {
      throw StartupError(e.what());
    }
    // Before the socket: a client that can connect must find the token.
    try {
      options.token = host::load_or_create_token(file(proto::kHostToken));
    } catch (const std::exception& e) {
      throw StartupError(std::string("cannot create the token file: ") + e.what());
    }
  };
  return run_server(line, start,
                    [&](asio::io_context& io, ServerInstance& server,
                        asio::local::stream_protocol::acceptor acceptor) {
                      host::SupervisorClientOptions sup_options;
                      sup_options.state_dir = line.state_dir;
                      sup_options.spawn = spawn == "auto";
                      sup_options.supervisor_binary = supervisor_binary;
                      sup_options.log_level = line.log_level;
                      sup_options.instance = line.instance;
                      host::SupervisorClient supervisor(io, sup_options);

                      options.stream_queue_limit = stream_queue_mib * 1024 * 1024;
                      options.default_shell = default_shell();
                      options.default_cwd = env_or("HOME", "/");
                      options.environment = host::current_environment();
                      host::Host host(io, std::move(acceptor), std::move(options), supervisor);
                      host.start();
                      supervisor.start();
                      serve_until_stopped(io, line, server);
                      return 0;
                    });
}
