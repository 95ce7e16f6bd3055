// ptyctl restore ID [--rerun] | ptyctl restore --all [--rerun]

#include "options.hpp"
#include "session_util.hpp"

#include <iostream>

namespace ptyctl::cli {

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
    std::vector<proto::client::SessionSummary> targets;
    if (all) {
      auto sessions = co_await list_sessions(link);
      for (auto& s : sessions)
        if (s.restorable.value_or(false)) targets.push_back(std::move(s));
    } else {
      auto s = co_await require_session(link, id);
      if (!s.restorable.value_or(false))
        throw CliError(kFailed, "session " + id + " is not restorable (" +
                                    (s.isAlive ? "it is running" : "it has ended") + ")");
      targets.push_back(std::move(s));
    }
    int code = kOk;
    for (const auto& s : targets) {
      auto request = attach_request(s.sessionId, s.cols.value_or(80), s.rows.value_or(24));
      request.restore = true;
      if (rerun) request.rerun = true;
      const auto r = co_await link.call(request);
      const auto detach = proto::client::DetachRequest{s.sessionId};
      co_await link.call(detach);
      if (r.restored.value_or(false)) {
        std::cout << s.sessionId << "\n";
      } else {
        std::cerr << "ptyctl: session " << s.sessionId
                  << " could not be restored from its record (see the supervisor's log); a new "
                     "session was started instead\n";
        code = kFailed;
      }
    }
    co_return kOk == code ? kOk : code;
  });
}

}  // namespace ptyctl::cli
