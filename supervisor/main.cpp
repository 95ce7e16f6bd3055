// pty-supervisor: owns the PTYs, the shells, one headless emulator per
// session and an output log numbered by byte offset. See docs/operations.md.

#include "emulator/emulator.hpp"
#include "server/supervisor.hpp"
#include "server/upgrade.hpp"

#include <ptyctl/common/process.hpp>
#include <ptyctl/common/server_main.hpp>
#include <ptyctl/common/watchdog.hpp>

#include <ptyctl/proto/paths.hpp>
#include <ptyctl/proto/version.hpp>

#include <boost/asio.hpp>
#include <boost/program_options.hpp>

#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <optional>

namespace asio = boost::asio;
namespace po = boost::program_options;
using namespace ptyctl;

namespace {

// --check-upgrade: what the old image runs before it execs us (upgrade.cpp):
// read its state and rebuild everything in memory; 0 if we can serve it.
int check_upgrade(int fd) {
  try {
    const sup::MappedState bytes(fd);
    const auto handed = proto::handover::decode(bytes.bytes());
    for (std::size_t i = 0; i < handed.state.sessions.size(); ++i) {
      const auto& st = handed.state.sessions[i];
      emu::Emulator e(st.spec.cols, st.spec.rows);
      sup::restore_emulator(e, handed.bytes[i]);
    }
    std::cout << "ok: " << handed.state.sessions.size() << " sessions\n";
    return 0;
  } catch (const std::exception& e) {
    std::cout << e.what() << "\n";
    return 1;
  }
}

// The binary this process runs, as a path (an upgrade's default new binary is
// whatever is at that path then).
std::string own_binary() {
  char buf[4096];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "";
  std::string path(buf, static_cast<std::size_t>(n));
  constexpr std::string_view kDeleted = " (deleted)";
  if (path.ends_with(kDeleted)) path.resize(path.size() - kDeleted.size());
  return path;
}

}  // namespace

int main(int argc, char** argv) {
  ensure_standard_fds();
  hold_stop_signals();  // until the server's handlers exist (server_instance.hpp)
  ServerCommandLine line;
  line.program = "pty-supervisor";
  std::size_t ring_size = 4u * 1024 * 1024;
  bool no_records = false;
  int record_interval_ms = 2000, record_max_age_days = 30;
  std::uint64_t records_budget_mb = 256;
  po::options_description desc("Usage: pty-supervisor [options]\n\nOptions");
  add_server_options(desc, line,
                     "instance name in the process registry (process/supervisor-NAME; default: "
                     "derived from the state directory, \"default\" for ~/.superset)");
  desc.add_options()("ring-size", po::value(&ring_size)->default_value(ring_size),
                     "bytes of recent output kept per session")(
      "no-records", po::bool_switch(&no_records),
      "keep no session records in <state-dir>/sessions (no restore after a crash or reboot)")(
      "record-interval", po::value(&record_interval_ms)->default_value(record_interval_ms),
      "ms between two writes of a session's record (only when it changed)")(
      "record-max-age", po::value(&record_max_age_days)->default_value(record_max_age_days),
      "days a record of an ended supervisor's session is kept")(
      "records-budget", po::value(&records_budget_mb)->default_value(records_budget_mb),
      "MiB all records may take; past it the oldest restorable ones go");
  // Between the images of an in-place upgrade (docs/upgrade.md); not for people.
  int check_fd = -1, restore_fd = -1, rollback_exe = -1;
  std::string restore_failed;
  bool detached_before = false;
  po::options_description handover("Handover");
  handover.add_options()("check-upgrade", po::value(&check_fd))("restore", po::value(&restore_fd))(
      "rollback-exe", po::value(&rollback_exe))("restore-failed", po::value(&restore_failed))(
      "detached-before", po::bool_switch(&detached_before));
  po::options_description all;
  all.add(desc).add(handover);
  if (const auto done = parse_server_command_line(
          argc, argv, desc, all,
          "pty-supervisor " + std::string(proto::kPtyctlVersion) + " (supervisor protocol " +
              std::to_string(proto::kSupervisorProtocolVersion) + ")",
          line))
    return *done;
  if (check_fd >= 0) return check_upgrade(check_fd);
  if (record_interval_ms < 100 || record_interval_ms > 3600000 || record_max_age_days < 1 ||
      records_budget_mb < 1)
    return usage_error(line,
                       "--record-interval must be 100 to 3600000 ms, --record-max-age and "
                       "--records-budget at least 1");
  if (ring_size < 4096) return usage_error(line, "--ring-size must be at least 4096");

  const std::string& state_dir = line.state_dir;
  const auto file = [&](std::string_view name) { return state_dir + "/" + std::string(name); };
  std::vector<std::string> exec_args{"--state-dir",  state_dir,     "--log-level",
                                     line.log_level, "--ring-size", std::to_string(ring_size),
                                     "--name",       line.instance};
  if (line.detach || detached_before) exec_args.push_back("--detached-before");
  if (no_records) exec_args.push_back("--no-records");
  for (const auto& [name, value] :
       {std::pair{"--record-interval", std::to_string(record_interval_ms)},
        std::pair{"--record-max-age", std::to_string(record_max_age_days)},
        std::pair{"--records-budget", std::to_string(records_budget_mb)}}) {
    exec_args.push_back(name);
    exec_args.push_back(value);
  }
  std::optional<sup::MappedState> state_bytes;
  std::optional<proto::handover::Decoded> handed;
  // The image after an in-place upgrade's exec that cannot take over goes
  // back into the image that wrote the state (kept open as rollback_exe), which
  // answers the requester UPGRADE_FAILED with the reason.
  const auto roll_back = [&](const std::string& what) {
    const std::string reason = "the new binary cannot restore the state: " + what;
    std::cerr << "pty-supervisor: " << reason << "\n";
    if (rollback_exe < 0 || !restore_failed.empty()) return 1;  // nowhere to go back to
    std::vector<std::string> back{"pty-supervisor", "--restore", std::to_string(restore_fd),
                                  "--restore-failed", reason};
    back.insert(back.end(), exec_args.begin(), exec_args.end());
    // Not decoded: the fds are as the exec left them (inherited), so touch none.
    const std::string why =
        handed ? sup::exec_keeping(rollback_exe, back, sup::fds_of(handed->state, restore_fd))
               : sup::exec_keeping(rollback_exe, back, {restore_fd}, false);
    std::cerr << "pty-supervisor: " << why << "\n";
    return 1;
  };
  ServerStart start;
  start.files = ServerFiles{"pty-supervisor",
                            state_dir,
                            file(proto::kSupervisorSocket),
                            file(proto::kSupervisorPidFile),
                            file(proto::kSupervisorLock),
                            file(proto::kSupervisorLog)};
  start.registry_kind = "supervisor";
  start.argc = argc;
  start.argv = argv;
  start.logged = detached_before;
  // Registered as started: an upgrade's image with its own binary's path.
  const std::string binary = own_binary();
  std::vector<std::string> shown{binary};
  shown.insert(shown.end(), exec_args.begin(), exec_args.end());
  std::vector<char*> shown_argv = c_strings(shown);
  if (restore_fd >= 0) {
    // The image after an in-place upgrade's exec: the same process, with the
    // state, the lock, the socket and every PTY inherited.
    try {
      state_bytes.emplace(restore_fd);
      handed = proto::handover::decode(state_bytes->bytes());
    } catch (const std::exception& e) {
      return roll_back(e.what());
    }
    start.inherited_lock = handed->state.lockFd;
    start.inherited_listener = handed->state.listenFd;
    start.refused = roll_back;
    start.argc = static_cast<int>(shown.size());
    start.argv = shown_argv.data();
  }
  return run_server(line, start,
                    [&](asio::io_context& io, ServerInstance& server,
                        asio::local::stream_protocol::acceptor acceptor) {
                      sup::SupervisorOptions options;
                      options.ring_size = ring_size;
                      options.state_dir = state_dir;
                      const char* shell = std::getenv("SHELL");
                      options.default_shell = shell && *shell ? shell : "/bin/sh";
                      const char* home = std::getenv("HOME");
                      options.default_cwd = home && *home ? home : "/";
                      options.own_binary = binary;
                      options.exec_args = exec_args;
                      options.lock_fd = server.lock_fd();
                      options.records.enabled = !no_records;
                      options.records.interval = std::chrono::milliseconds(record_interval_ms);
                      options.records.max_age = std::chrono::hours(24) * record_max_age_days;
                      options.records.budget_bytes = records_budget_mb * 1024 * 1024;
                      sup::Supervisor supervisor(io, std::move(acceptor), options);
                      if (handed) {
                        try {
                          supervisor.adopt(*handed,
                                           restore_failed.empty()
                                               ? std::nullopt
                                               : std::optional<std::string>(restore_failed));
                        } catch (const std::exception& e) {
                          return roll_back(e.what());
                        }
                        ::close(restore_fd);
                        if (rollback_exe >= 0) ::close(rollback_exe);
                        handed.reset();
                        state_bytes.reset();
                      }
                      supervisor.start();
                      // SIGTERM works even when the loop is stuck: the watchdog's thread takes
                      // the stop signals (still blocked here, see hold_stop_signals).
                      Watchdog::Options watch;
                      watch.on_stop = [&](int sig) { supervisor.request_stop(sig); };
                      watch.emergency = [&supervisor, files = server.files()] {
                        supervisor.emergency_stop();
                        ::unlink(files.socket.c_str());
                        ::unlink(files.pid_file.c_str());
                      };
                      Watchdog watchdog(io, std::move(watch));
                      watchdog.start();
                      serve_until_stopped(io, line, server);
                      watchdog.stop();
                      return 0;
                    });
}
