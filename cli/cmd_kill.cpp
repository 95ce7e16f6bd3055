// ptyctl kill ID [--signal NAME] | ptyctl kill --all

#include "options.hpp"
#include "session_util.hpp"

namespace ptyctl::cli {

namespace json = boost::json;

int cmd_kill(const Globals& globals, const std::vector<std::string>& args) {
  VerbOptions verb{po::options_description("Options"),
                   {},
                   po::options_description(),
                   "ptyctl kill ID [--signal NAME] | ptyctl kill --all",
                   "Ends a session: SIGHUP to its process group, SIGKILL 3 s later if it is "
                   "still there. With --signal, sends that signal (e.g. INT, TERM) to the "
                   "program in the foreground instead, as a key like Ctrl-C would. An ended "
                   "session is removed from the list. --all ends every session."};
  std::string id, sig;
  verb.options.add_options()("signal", po::value(&sig), "a signal name (INT, SIGTERM) or number")(
      "all", "every session");
  verb.hidden.add_options()("id", po::value(&id));
  verb.positional.add("id", 1);
  auto vm = parse(verb, args);
  if (!vm) return kOk;
  const bool all = vm->count("all") > 0;
  if (all == !id.empty()) throw CliError(kUsage, "give a session ID or --all");
  if (!all) check_session_id(id);
  return run_verb([&](asio::io_context& io) -> asio::awaitable<int> {
    HostLink link(io, globals);
    co_await link.open();
    if (all) {
      json::object none;
      co_await link.request("killAll", std::move(none));
      co_return kOk;
    }
    co_await require_session(link, id);
    json::object payload{{"sessionId", id}};
    if (!sig.empty()) payload["signal"] = sig;
    const std::string_view type = sig.empty() ? "kill" : "signal";
    co_await link.request(type, std::move(payload));
    co_return kOk;
  });
}

}  // namespace ptyctl::cli
