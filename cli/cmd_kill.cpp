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
      const auto request = proto::client::KillAllRequest{};
      co_await link.call(request);
      co_return kOk;
    }
    co_await require_session(link, id);
    // (Requests are named before co_await throughout: GCC 12 destroys a
    // temporary in a co_await expression twice.)
    if (sig.empty()) {
      const auto request = proto::client::KillRequest{id, std::nullopt};
      co_await link.call(request);
    } else {
      const auto request = proto::client::SignalRequest{id, sig};
      co_await link.call(request);
    }
    co_return kOk;
  });
}

}  // namespace ptyctl::cli
