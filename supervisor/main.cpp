// pty-supervisor: owns the PTYs, the shells, one headless emulator per
// session and an output log numbered by byte offset. See docs/operations.md.

#include "server/supervisor.hpp"

#include <ptyctl/common/log.hpp>
#include <ptyctl/common/process.hpp>
#include <ptyctl/common/registry.hpp>

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
  std::string state_dir_opt, log_level = "info", instance = "default";
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
      "name", po::value(&instance)->default_value("default"),
      "instance name in the process registry (process/supervisor-NAME)");
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
  if (!valid_instance_name(instance)) {
    std::cerr << "pty-supervisor: --name must be 1 to 64 of a-z, 0-9 and -\n";
    return 2;
  }
  if (ring_size < 4096) {
    std::cerr << "pty-supervisor: --ring-size must be at least 4096\n";
    return 2;
  }

  const std::string state_dir = proto::resolve_state_dir(state_dir_opt);
  try {
    proto::ensure_private_dir(state_dir);
  } catch (const std::exception& e) {
    std::cerr << "pty-supervisor: cannot use state directory " << state_dir << ": " << e.what()
              << "\n";
    return 1;
  }
  const std::string socket_path = state_dir + "/" + std::string(proto::kSupervisorSocket);
  const std::string pid_path = state_dir + "/" + std::string(proto::kSupervisorPidFile);
  if (socket_path.size() >= sizeof(sockaddr_un::sun_path)) {
    std::cerr << "pty-supervisor: socket path too long: " << socket_path << "\n";
    return 1;
  }
  if (socket_answers(socket_path)) {
    std::cerr << "pty-supervisor: another supervisor (pid " << read_pid_file(pid_path)
              << ") is already serving " << socket_path << "\n";
    return 1;
  }

  ::signal(SIGPIPE, SIG_IGN);
  asio::io_context io;
  std::optional<sup::UnixAcceptor> acceptor;
  try {
    acceptor.emplace(listen_private_socket(io, socket_path));
  } catch (const std::exception& e) {
    std::cerr << "pty-supervisor: cannot listen on " << socket_path << ": " << e.what() << "\n";
    return 1;
  }
  const std::string log_path = state_dir + "/" + std::string(proto::kSupervisorLog);
  if (detach_mode) detach_to_log(io, log_path);
  write_pid_file(pid_path);
  register_server("supervisor", instance, argc, argv, state_dir, socket_path,
                  detach_mode ? std::optional(log_path) : std::nullopt,
                  std::string(proto::kPtyctlVersion));

  sup::SupervisorOptions options;
  options.ring_size = ring_size;
  const char* shell = std::getenv("SHELL");
  options.default_shell = shell && *shell ? shell : "/bin/sh";
  const char* home = std::getenv("HOME");
  options.default_cwd = home && *home ? home : "/";
  sup::Supervisor supervisor(io, std::move(*acceptor), options);
  supervisor.start();
  log_info("pty-supervisor " + std::string(proto::kPtyctlVersion) + " (pid " +
           std::to_string(::getpid()) + ") listening on " + socket_path);
  notify_ready();
  io.run();
  ::unlink(socket_path.c_str());
  ::unlink(pid_path.c_str());
  log_info("pty-supervisor stopped");
  return 0;
}
