// ptyctl restore ID [--rerun] | ptyctl restore --all [--rerun]

#include "options.hpp"
#include "session_util.hpp"

#include <iostream>

namespace ptyctl::cli {

namespace json = boost::json;

int cmd_restore(const Globals& globals, const std::vector<std::string>& args) {
  VerbOptions verb{po::options_description("Options"),
                   {},
                   po::options_description(),
                   "ptyctl restore ID [--rerun] | ptyctl restore --all [--rerun]",
                   "Brings back a session that did not outlive the last pty-supervisor (a crash, "
                   "a reboot, a stop; `ptyctl ls` lists it as restorable): a new shell in the "
                   "directory it was last in, at its size, below its recorded scrollback and "
                   "screen and a dim line saying when it ended. Every terminal mode starts "
                   "afresh. A session that ran a command gets the shell, and the marker shows "
                   "the command; --rerun runs it again instead. Prints the id; `ptyctl attach "
                   "ID` shows it."};
  std::string id;
  verb.options.add_options()("all", "every restorable session")(
      "rerun", "run the recorded command again instead of a shell");
  verb.hidden.add_options()("id", po::value(&id));
  verb.positional.add("id", 1);
  auto vm = parse(verb, args);
  if (!vm) return kOk;
  const bool all = vm->count("all") > 0;
  const bool rerun = vm->count("rerun") > 0;
  if (all == !id.empty()) throw CliError(kUsage, "give a session ID or --all");
  if (!all) check_session_id(id);
  return run_verb([&](asio::io_context& io) -> asio::awaitable<int> {
    HostLink link(io, globals);
    co_await link.open();
    std::vector<json::object> targets;
    if (all) {
      json::object restorable{{"includeRestorable", true}};
      const json::value list = co_await link.request("listSessions", std::move(restorable));
      for (const auto& s : list.at("sessions").as_array()) {
        const json::value* r = s.as_object().if_contains("restorable");
        if (r && r->is_bool() && r->as_bool()) targets.push_back(s.as_object());
      }
    } else {
      const json::object s = co_await require_session(link, id);
      const json::value* r = s.if_contains("restorable");
      if (!r || !r->is_bool() || !r->as_bool())
        throw CliError(kFailed, "session " + id + " is not restorable (" +
                                    (s.at("isAlive").as_bool() ? "it is running" : "it has ended") +
                                    ")");
      targets.push_back(s);
    }
    int code = kOk;
    for (const auto& s : targets) {
      const std::string sid(s.at("sessionId").as_string());
      const int cols = static_cast<int>(s.at("cols").to_number<std::int64_t>());
      const int rows = static_cast<int>(s.at("rows").to_number<std::int64_t>());
      json::object p = attach_payload(sid, cols, rows);
      p["restore"] = true;
      if (rerun) p["rerun"] = true;
      const json::value r = co_await link.request("createOrAttach", std::move(p));
      json::object detach{{"sessionId", sid}};
      co_await link.request("detach", std::move(detach));
      const json::value* restored = r.as_object().if_contains("restored");
      if (restored && restored->is_bool() && restored->as_bool()) {
        std::cout << sid << "\n";
      } else {
        std::cerr << "ptyctl: session " << sid
                  << " could not be restored from its record (see the supervisor's log); a new "
                     "session was started instead\n";
        code = kFailed;
      }
    }
    co_return code;
  });
}

}  // namespace ptyctl::cli
