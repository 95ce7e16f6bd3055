// ptyctl ls [--json]: the sessions terminal-host knows.

#include "options.hpp"
#include "session_util.hpp"

#include <cstdio>
#include <iostream>

namespace ptyctl::cli {

namespace json = boost::json;

int cmd_ls(const Globals& globals, const std::vector<std::string>& args) {
  VerbOptions verb{po::options_description("Options"),
                   {},
                   {},
                   "ptyctl ls [--json]",
                   "Lists sessions: id, pid, alive, attached clients, size, cwd, command or "
                   "shell, created, last attached. A session that did not outlive the last "
                   "pty-supervisor (a crash, a reboot, a stop) is listed as restorable: "
                   "`ptyctl restore ID` or `ptyctl attach ID` brings it back, `ptyctl kill ID` "
                   "removes its record."};
  verb.options.add_options()("json", "print listSessions' answer as a JSON array");
  auto vm = parse(verb, args);
  if (!vm) return kOk;
  const bool as_json = vm->count("json") > 0;
  return run_verb([&](asio::io_context& io) -> asio::awaitable<int> {
    HostLink link(io, globals);
    co_await link.open();
    const auto sessions = co_await list_sessions(link);
    if (as_json) {
      std::cout << json::serialize(json::value_from(sessions)) << "\n";
      co_return kOk;
    }
    const auto or_dash = [](const std::optional<std::string>& s) { return s ? *s : "-"; };
    const auto number = [](auto v) { return v ? std::to_string(*v) : std::string("-"); };
    std::printf("%-20s %7s %-5s %7s %-7s %-24s %-24s %-24s %s\n", "ID", "PID", "ALIVE", "CLIENTS",
                "SIZE", "CREATED", "LAST ATTACHED", "CWD", "COMMAND");
    for (const auto& s : sessions) {
      const std::string size = number(s.cols) + "x" + number(s.rows);
      const std::string command = s.command ? *s.command : or_dash(s.shell);
      const std::string alive = s.isAlive                      ? "yes"
                                : s.restorable.value_or(false) ? "restorable"
                                                               : "exit " + number(s.exitCode);
      std::printf("%-20s %7d %-5s %7d %-7s %-24s %-24s %-24s %s\n", s.sessionId.c_str(), s.pid,
                  alive.c_str(), s.attachedClients, size.c_str(), or_dash(s.createdAt).c_str(),
                  or_dash(s.lastAttachedAt).c_str(), or_dash(s.cwd).c_str(), command.c_str());
    }
    co_return kOk;
  });
}

}  // namespace ptyctl::cli
