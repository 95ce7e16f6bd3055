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
  std::string state_dir_opt, log_level = "info", spawn = "auto", supervisor_binary,
                             instance = "default";
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
      "name", po::value(&instance)->default_value("default"),
      "instance name in the process registry (process/terminal-host-NAME); a supervisor it "
      "starts gets the same name");
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
  if (!valid_instance_name(instance)) {
    std::cerr << "terminal-host: --name must be 1 to 64 of a-z, 0-9 and -\n";
    return 2;
  }
  if (stream_queue_mib < 1) {
    std::cerr << "terminal-host: --stream-queue-mib must be at least 1\n";
    return 2;
  }

  const std::string state_dir = proto::resolve_state_dir(state_dir_opt);
  try {
    proto::ensure_private_dir(state_dir);
  } catch (const std::exception& e) {
    std::cerr << "terminal-host: cannot use state directory " << state_dir << ": " << e.what()
              << "\n";
    return 1;
  }
  const std::string socket_path = state_dir + "/" + std::string(proto::kHostSocket);
  const std::string pid_path = state_dir + "/" + std::string(proto::kHostPidFile);
  if (socket_path.size() >= sizeof(sockaddr_un::sun_path)) {
    std::cerr << "terminal-host: socket path too long: " << socket_path << "\n";
    return 1;
  }
  // Socket activation: systemd holds the socket across our restarts, and a
  // client connecting meanwhile waits instead of failing.
  const std::optional<int> inherited = systemd_listen_fd();
  if (!inherited && socket_answers(socket_path)) {
    std::cerr << "terminal-host: another terminal-host (pid " << read_pid_file(pid_path)
              << ") is already serving " << socket_path << "\n";
    return 1;
  }
  host::HostOptions options;
  try {
    options.token = host::load_or_create_token(state_dir + "/" + std::string(proto::kHostToken));
  } catch (const std::exception& e) {
    std::cerr << "terminal-host: cannot create the token file: " << e.what() << "\n";
    return 1;
  }

  ::signal(SIGPIPE, SIG_IGN);
  asio::io_context io;
  std::optional<asio::local::stream_protocol::acceptor> acceptor;
  try {
    if (inherited) {
      acceptor.emplace(io, asio::local::stream_protocol(), *inherited);
    } else {
      acceptor.emplace(listen_private_socket(io, socket_path));
    }
  } catch (const std::exception& e) {
    std::cerr << "terminal-host: cannot listen on " << socket_path << ": " << e.what() << "\n";
    return 1;
  }
  const std::string log_path = state_dir + "/" + std::string(proto::kHostLog);
  if (detach_mode) detach_to_log(io, log_path);
  write_pid_file(pid_path);
  register_server("terminal-host", instance, argc, argv, state_dir, socket_path,
                  detach_mode ? std::optional(log_path) : std::nullopt,
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
  if (!inherited) ::unlink(socket_path.c_str());  // systemd's socket stays
  ::unlink(pid_path.c_str());
  log_info("terminal-host stopped");
  return 0;
}
