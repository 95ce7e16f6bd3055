// pty-supervisor: owns the PTYs, the shells, one headless emulator per
// session and an output log numbered by byte offset. See docs/operations.md.

#include "server/supervisor.hpp"

#include <ptyctl/common/log.hpp>
#include <ptyctl/common/process.hpp>
#include <ptyctl/common/registry.hpp>
#include <ptyctl/common/server_instance.hpp>
#include <ptyctl/common/watchdog.hpp>

#include <ptyctl/proto/paths.hpp>
#include <ptyctl/proto/version.hpp>

#include <boost/asio.hpp>
#include <boost/program_options.hpp>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>

namespace asio = boost::asio;
namespace po = boost::program_options;
using namespace ptyctl;

int main(int argc, char** argv) {
  ensure_standard_fds();
  hold_stop_signals();  // until the server's handlers exist (server_instance.hpp)
  std::string state_dir_opt, log_level = "info", instance;
  std::size_t ring_size = 4u * 1024 * 1024;
  bool detach_mode = false;
  po::options_description desc("Usage: pty-supervisor [options]\n\nOptions");
  desc.add_options()("help,h", "show this help")("version", "print the version")(
      "state-dir", po::value(&state_dir_opt),
      "state directory (default: $PTYCTL_STATE_DIR, else ~/.superset)")(
      "log-level", po::value(&log_level)->default_value("info"), "debug, info, warn or error")(
      "ring-size", po::value(&ring_size)->default_value(ring_size),
      "bytes of recent output kept per session")(
      "detach,d", po::bool_switch(&detach_mode),
      "run in the background, logging to <state-dir>/pty-supervisor.log")(
      "name", po::value(&instance),
      "instance name in the process registry (process/supervisor-NAME; default: derived from "
      "the state directory, \"default\" for ~/.superset)");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    std::cerr << "pty-supervisor: " << e.what() << "\n";
    return 2;
  }
  if (vm.count("help")) {
    std::cout << desc << "\n";
    return 0;
  }
  if (vm.count("version")) {
    std::cout << "pty-supervisor " << proto::kPtyctlVersion << " (supervisor protocol "
              << proto::kSupervisorProtocolVersion << ")\n";
    return 0;
  }
  LogLevel level;
  if (!parse_log_level(log_level, level)) {
    std::cerr << "pty-supervisor: unknown log level " << log_level << "\n";
    return 2;
  }
  set_log_level(level);
  if (!instance.empty() && !valid_instance_name(instance)) {
    std::cerr << "pty-supervisor: --name must be 1 to 64 of a-z, 0-9 and -\n";
    return 2;
  }
  if (ring_size < 4096) {
    std::cerr << "pty-supervisor: --ring-size must be at least 4096\n";
    return 2;
  }

  const std::string state_dir = proto::resolve_state_dir(state_dir_opt);
  if (instance.empty()) instance = default_instance_name(state_dir);
  const auto file = [&](std::string_view name) { return state_dir + "/" + std::string(name); };
  ::signal(SIGPIPE, SIG_IGN);
  asio::io_context io;
  std::optional<ServerInstance> server;
  std::optional<sup::UnixAcceptor> acceptor;
  try {
    server.emplace(ServerFiles{"pty-supervisor", state_dir, file(proto::kSupervisorSocket),
                               file(proto::kSupervisorPidFile), file(proto::kSupervisorLock),
                               file(proto::kSupervisorLog)});
    check_instance_name_free("supervisor", instance, state_dir);
    acceptor.emplace(server->listen(io));
    if (detach_mode) server->detach(io);
    server->write_pid_file();
  } catch (const std::exception& e) {
    std::cerr << "pty-supervisor: " << e.what() << "\n";
    return 1;
  }
  const std::string& socket_path = server->files().socket;
  register_server("supervisor", instance, argc, argv, state_dir, socket_path,
                  detach_mode ? std::optional(server->files().log_file) : std::nullopt,
                  std::string(proto::kPtyctlVersion));

  sup::SupervisorOptions options;
  options.ring_size = ring_size;
  options.state_dir = state_dir;
  const char* shell = std::getenv("SHELL");
  options.default_shell = shell && *shell ? shell : "/bin/sh";
  const char* home = std::getenv("HOME");
  options.default_cwd = home && *home ? home : "/";
  sup::Supervisor supervisor(io, std::move(*acceptor), options);
  supervisor.start();
  // SIGTERM works even when the loop is stuck: the watchdog's thread takes
  // the stop signals (still blocked here, see hold_stop_signals).
  Watchdog::Options watch;
  watch.on_stop = [&](int sig) { supervisor.request_stop(sig); };
  const ServerFiles files = server->files();
  watch.emergency = [&supervisor, files] {
    supervisor.emergency_stop();
    ::unlink(files.socket.c_str());
    ::unlink(files.pid_file.c_str());
  };
  Watchdog watchdog(io, std::move(watch));
  watchdog.start();
  log_info("pty-supervisor " + std::string(proto::kPtyctlVersion) + " (pid " +
           std::to_string(::getpid()) + ") listening on " + socket_path);
  notify_ready();
  io.run();
  watchdog.stop();
  server.reset();  // the socket and pid file go if still ours, then the lock
  log_info("pty-supervisor stopped");
  return 0;
}
