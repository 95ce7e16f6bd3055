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
    json::object restorable{{"includeRestorable", true}};
    const json::value list = co_await link.request("listSessions", std::move(restorable));
    const json::array& sessions = list.at("sessions").as_array();
    if (as_json) {
      std::cout << json::serialize(sessions) << "\n";
      co_return kOk;
    }
    auto str = [](const json::object& o, const char* k) {
      const json::value* v = o.if_contains(k);
      return v && v->is_string() ? std::string(v->as_string()) : std::string("-");
    };
    auto num = [](const json::object& o, const char* k) {
      const json::value* v = o.if_contains(k);
      return v && v->is_number() ? std::to_string(v->to_number<std::int64_t>()) : std::string("-");
    };
    std::printf("%-20s %7s %-5s %7s %-7s %-24s %-24s %-24s %s\n", "ID", "PID", "ALIVE", "CLIENTS",
                "SIZE", "CREATED", "LAST ATTACHED", "CWD", "COMMAND");
    for (const auto& v : sessions) {
      const json::object& s = v.as_object();
      const std::string size = num(s, "cols") + "x" + num(s, "rows");
      std::string command = str(s, "command");
      if (command == "-") command = str(s, "shell");
      const bool alive = s.at("isAlive").as_bool();
      const json::value* record = s.if_contains("restorable");
      const bool restorable = record && record->is_bool() && record->as_bool();
      std::printf("%-20s %7s %-5s %7s %-7s %-24s %-24s %-24s %s\n", str(s, "sessionId").c_str(),
                  num(s, "pid").c_str(),
                  alive        ? "yes"
                  : restorable ? "restorable"
                               : ("exit " + num(s, "exitCode")).c_str(),
                  num(s, "attachedClients").c_str(), size.c_str(), str(s, "createdAt").c_str(),
                  str(s, "lastAttachedAt").c_str(), str(s, "cwd").c_str(), command.c_str());
    }
    co_return kOk;
  });
}

}  // namespace ptyctl::cli
