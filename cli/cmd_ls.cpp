// ptyctl ls [--json]: the sessions terminal-host knows.

#include "options.hpp"
#include "session_util.hpp"

#include <ptyctl/proto/bridge.hpp>

#include <cstdio>
#include <iostream>

namespace ptyctl::cli {

namespace json = boost::json;

int cmd_ls(const Globals& globals, const std::vector<std::string>& args) {
  VerbOptions verb{
      po::options_description("Options"),
      {},
      {},
      "ptyctl ls [--json]",
      "Lists sessions: id, pid, alive, attached clients, size, cwd, command or "
      "shell, created, last attached. A session that did not outlive the last "
      "pty-supervisor (a crash, a reboot, a stop) is listed as restorable: "
      "`ptyctl restore ID` or `ptyctl attach ID` brings it back, `ptyctl kill ID` "
      "removes its record. With the global --host given more than once, a HOST column (and "
      "--json: one {host, sessions, error} per host); a host that cannot be "
      "reached is said on stderr, the others are listed, and the exit code is 3."};
  verb.options.add_options()("json", "print listSessions' answer as a JSON array");
  auto vm = parse(verb, args);
  if (!vm) return kOk;
  const bool as_json = vm->count("json") > 0;
  // Each host through its own link (--host more than once: a HOST column).
  std::vector<Globals> each;
  if (globals.hosts.size() <= 1) each.push_back(globals);
  for (std::size_t h = 0; globals.hosts.size() > 1 && h < globals.hosts.size(); ++h) {
    each.push_back(globals);
    each.back().hosts = {globals.hosts[h]};
  }
  const bool by_host = each.size() > 1;
  return run_verb([&](asio::io_context& io) -> asio::awaitable<int> {
    std::vector<proto::bridge::HostListing> listings;
    int code = kOk;
    for (const Globals& g : each) {
      proto::bridge::HostListing l;
      l.host = g.remote() ? g.remote()->spec : "";
      try {
        HostLink link(io, g);
        co_await link.open();
        l.sessions = co_await list_sessions(link);
      } catch (const CliError& e) {
        if (!by_host) throw;
        // The other hosts are still listed; the exit code says one was not.
        l.error = proto::ErrorInfo{std::string(proto::bridge::kUnreachableCode), e.what()};
        std::cerr << "ptyctl ls: " << e.what() << "\n";
        code = e.exit_code;
      }
      listings.push_back(std::move(l));
    }
    if (as_json) {
      if (by_host)
        std::cout << json::serialize(json::value_from(listings)) << "\n";
      else
        std::cout << json::serialize(json::value_from(listings.front().sessions)) << "\n";
      co_return code;
    }
    const auto or_dash = [](const std::optional<std::string>& s) { return s ? *s : "-"; };
    const auto number = [](auto v) { return v ? std::to_string(*v) : std::string("-"); };
    if (by_host) std::printf("%-20s ", "HOST");
    std::printf("%-20s %7s %-5s %7s %-7s %-24s %-24s %-24s %s\n", "ID", "PID", "ALIVE", "CLIENTS",
                "SIZE", "CREATED", "LAST ATTACHED", "CWD", "COMMAND");
    for (const auto& l : listings) {
      for (const auto& s : l.sessions) {
        const std::string size = number(s.cols) + "x" + number(s.rows);
        const std::string command = s.command ? *s.command : or_dash(s.shell);
        const std::string alive = s.isAlive                      ? "yes"
                                  : s.restorable.value_or(false) ? "restorable"
                                                                 : "exit " + number(s.exitCode);
        if (by_host) std::printf("%-20s ", l.host.c_str());
        std::printf("%-20s %7d %-5s %7d %-7s %-24s %-24s %-24s %s\n", s.sessionId.c_str(), s.pid,
                    alive.c_str(), s.attachedClients, size.c_str(), or_dash(s.createdAt).c_str(),
                    or_dash(s.lastAttachedAt).c_str(), or_dash(s.cwd).c_str(), command.c_str());
      }
    }
    co_return code;
  });
}

}  // namespace ptyctl::cli
