// terminal-host: the desktop app's terminal daemon protocol (version 2) on
// terminal-host.sock, in front of pty-supervisor. Restartable at any time:
// sessions live in the supervisor and clients resume by offset.
// See docs/operations.md.

#include "host.hpp"
#include "session_env.hpp"
#include "supervisor_client.hpp"
#include "token.hpp"

#include <ptyctl/common/log.hpp>
#include <ptyctl/common/process.hpp>
#include <ptyctl/common/registry.hpp>
#include <ptyctl/common/server_instance.hpp>
#include <ptyctl/common/state_dir.hpp>
#include <ptyctl/proto/paths.hpp>
#include <ptyctl/proto/version.hpp>

#include <boost/asio.hpp>
#include <boost/program_options.hpp>

#include <sys/un.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <optional>

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
  std::string state_dir_opt, log_level = "info", spawn = "auto", supervisor_binary, instance;
  std::size_t stream_queue_mib = 16;
  bool detach_mode = false;
  po::options_description desc("Usage: terminal-host [options]\n\nOptions");
  desc.add_options()("help,h", "show this help")("version", "print the version")(
      "state-dir", po::value(&state_dir_opt),
      "state directory (default: $PTYCTL_STATE_DIR, else ~/.superset)")(
      "log-level", po::value(&log_level)->default_value("info"), "debug, info, warn or error")(
      "spawn-supervisor", po::value(&spawn)->default_value("auto"),
      "auto: start pty-supervisor when none answers; never: wait for one (systemd)")(
      "supervisor-binary", po::value(&supervisor_binary),
      "pty-supervisor to start (default: the one beside this binary, else $PATH)")(
      "stream-queue-mib", po::value(&stream_queue_mib)->default_value(stream_queue_mib),
      "events queued for a stream socket that does not read before it is disconnected")(
      "detach,d", po::bool_switch(&detach_mode),
      "run in the background, logging to <state-dir>/terminal-host.log")(
      "name", po::value(&instance),
      "instance name in the process registry (process/terminal-host-NAME; default: derived "
      "from the state directory, \"default\" for ~/.superset); a supervisor it starts gets "
      "the same name");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    std::cerr << "terminal-host: " << e.what() << "\n";
    return 2;
  }
  if (vm.count("help")) {
    std::cout << desc << "\n";
    return 0;
  }
  if (vm.count("version")) {
    std::cout << "terminal-host " << proto::kPtyctlVersion << " (client protocol "
              << proto::kClientProtocolVersion << ")\n";
    return 0;
  }
  LogLevel level;
  if (!parse_log_level(log_level, level)) {
    std::cerr << "terminal-host: unknown log level " << log_level << "\n";
    return 2;
  }
  set_log_level(level);
  if (spawn != "auto" && spawn != "never") {
    std::cerr << "terminal-host: --spawn-supervisor must be auto or never\n";
    return 2;
  }
  if (!instance.empty() && !valid_instance_name(instance)) {
    std::cerr << "terminal-host: --name must be 1 to 64 of a-z, 0-9 and -\n";
    return 2;
  }
  if (stream_queue_mib < 1) {
    std::cerr << "terminal-host: --stream-queue-mib must be at least 1\n";
    return 2;
  }

  const std::string state_dir = proto::resolve_state_dir(state_dir_opt);
  if (instance.empty()) instance = default_instance_name(state_dir);
  const auto file = [&](std::string_view name) { return state_dir + "/" + std::string(name); };
  ::signal(SIGPIPE, SIG_IGN);
  asio::io_context io;
  std::optional<ServerInstance> server;
  std::optional<asio::local::stream_protocol::acceptor> acceptor;
  host::HostOptions options;
  try {
    server.emplace(ServerFiles{"terminal-host", state_dir, file(proto::kHostSocket),
                               file(proto::kHostPidFile), file(proto::kHostLock),
                               file(proto::kHostLog)});
    try {
      // The supervisor's socket too: it is the longer name, and a reconnect
      // to a path that cannot exist would fail every request after 10 s.
      check_socket_path(file(proto::kSupervisorSocket));
    } catch (const StateDirError& e) {
      throw StartupError(e.what());
    }
    check_instance_name_free("terminal-host", instance, state_dir);
    // Before the socket: a client that can connect must find the token.
    try {
      options.token = host::load_or_create_token(file(proto::kHostToken));
    } catch (const std::exception& e) {
      throw StartupError(std::string("cannot create the token file: ") + e.what());
    }
    // Socket activation: systemd holds the socket across our restarts, and a
    // client connecting meanwhile waits instead of failing.
    if (const std::optional<int> inherited = systemd_listen_fd()) {
      acceptor.emplace(io, asio::local::stream_protocol(), *inherited);
      server->adopt_socket();
    } else {
      acceptor.emplace(server->listen(io));
    }
    if (detach_mode) server->detach(io);
    server->write_pid_file();
  } catch (const std::exception& e) {
    std::cerr << "terminal-host: " << e.what() << "\n";
    return 1;
  }
  const std::string& socket_path = server->files().socket;
  register_server("terminal-host", instance, argc, argv, state_dir, socket_path,
                  detach_mode ? std::optional(server->files().log_file) : std::nullopt,
                  std::string(proto::kPtyctlVersion));

  host::SupervisorClientOptions sup_options;
  sup_options.state_dir = state_dir;
  sup_options.spawn = spawn == "auto";
  sup_options.supervisor_binary = supervisor_binary;
  sup_options.log_level = log_level;
  sup_options.instance = instance;
  host::SupervisorClient supervisor(io, sup_options);

  options.stream_queue_limit = stream_queue_mib * 1024 * 1024;
  options.default_shell = default_shell();
  options.default_cwd = env_or("HOME", "/");
  options.environment = host::current_environment();
  host::Host host(io, std::move(*acceptor), std::move(options), supervisor);
  host.start();
  supervisor.start();
  log_info("terminal-host " + std::string(proto::kPtyctlVersion) + " (pid " +
           std::to_string(::getpid()) + ") listening on " + socket_path);
  notify_ready();
  io.run();
  server.reset();  // our socket (not systemd's) and pid file go if still ours, then the lock
  log_info("terminal-host stopped");
  return 0;
}
