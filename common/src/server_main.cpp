#include <ptyctl/common/log.hpp>
#include <ptyctl/common/process.hpp>
#include <ptyctl/common/registry.hpp>
#include <ptyctl/common/server_main.hpp>

#include <ptyctl/proto/paths.hpp>
#include <ptyctl/proto/version.hpp>

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/program_options.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <iostream>

namespace ptyctl {

namespace asio = boost::asio;
namespace po = boost::program_options;

void add_server_options(po::options_description& shown, ServerCommandLine& line,
                        std::string_view name_help) {
  shown.add_options()("help,h", "show this help")("version", "print the version")(
      "state-dir", po::value(&line.state_dir),
      "state directory (default: $PTYCTL_STATE_DIR, else ~/.superset)")(
      "log-level", po::value(&line.log_level)->default_value(line.log_level),
      "debug, info, warn or error")(
      "detach,d", po::bool_switch(&line.detach),
      ("run in the background, logging to <state-dir>/" + line.program + ".log").c_str())(
      "name", po::value(&line.instance), std::string(name_help).c_str());
}

int usage_error(const ServerCommandLine& line, std::string_view message) {
  std::cerr << line.program << ": " << message << "\n";
  return 2;
}

std::optional<int> parse_server_command_line(int argc, char** argv,
                                             const po::options_description& shown,
                                             const po::options_description& all,
                                             std::string_view version_line,
                                             ServerCommandLine& line) {
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, all), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    return usage_error(line, e.what());
  }
  if (vm.count("help")) {
    std::cout << shown << "\n";
    return 0;
  }
  if (vm.count("version")) {
    std::cout << version_line << "\n";
    return 0;
  }
  LogLevel level;
  if (!parse_log_level(line.log_level, level))
    return usage_error(line, "unknown log level " + line.log_level);
  set_log_level(level);
  if (!line.instance.empty() && !valid_instance_name(line.instance))
    return usage_error(line, "--name must be 1 to 64 of a-z, 0-9 and -");
  line.state_dir = proto::resolve_state_dir(line.state_dir);
  if (line.instance.empty()) line.instance = default_instance_name(line.state_dir);
  return std::nullopt;
}

int run_server(const ServerCommandLine& line, const ServerStart& start,
               const std::function<int(asio::io_context&, ServerInstance&,
                                       asio::local::stream_protocol::acceptor)>& serve) {
  ::signal(SIGPIPE, SIG_IGN);
  asio::io_context io;
  std::optional<ServerInstance> server;
  std::optional<asio::local::stream_protocol::acceptor> acceptor;
  try {
    if (start.inherited_lock) {
      server.emplace(start.files, *start.inherited_lock);
    } else {
      server.emplace(start.files);
      check_instance_name_free(start.registry_kind, line.instance, line.state_dir);
    }
    if (start.before_listen) start.before_listen(*server);
    if (start.inherited_listener) {
      acceptor.emplace(io, asio::local::stream_protocol(), *start.inherited_listener);
      ::fcntl(*start.inherited_listener, F_SETFD, FD_CLOEXEC);
      if (start.service_manager_socket) server->adopt_socket();
    } else {
      acceptor.emplace(server->listen(io));
    }
    if (!start.inherited_lock) {
      if (line.detach) server->detach(io);
      server->write_pid_file();
    }
  } catch (const std::exception& e) {
    if (start.refused) return start.refused(e.what());
    std::cerr << line.program << ": " << e.what() << "\n";
    return 1;
  }
  register_server(
      start.registry_kind, line.instance, start.argc, start.argv, line.state_dir,
      server->files().socket,
      start.logged || line.detach ? std::optional(server->files().log_file) : std::nullopt,
      std::string(proto::kPtyctlVersion));
  const int code = serve(io, *server, std::move(*acceptor));
  server.reset();  // the socket (not systemd's) and pid file go if still ours, then the lock
  if (code == 0) log_info(line.program + " stopped");
  return code;
}

void serve_until_stopped(asio::io_context& io, const ServerCommandLine& line,
                         const ServerInstance& server) {
  log_info(line.program + " " + std::string(proto::kPtyctlVersion) + " (pid " +
           std::to_string(::getpid()) + ") listening on " + server.files().socket);
  notify_ready();  // after an upgrade too: systemd's ExecReload waits for READY=1
  io.run();
}

}  // namespace ptyctl
