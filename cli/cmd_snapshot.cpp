// ptyctl snapshot ID [--format text|ansi|json] [--scrollback]

#include "options.hpp"
#include "session_util.hpp"

#include <iostream>

namespace ptyctl::cli {

namespace json = boost::json;

int cmd_snapshot(const Globals& globals, const std::vector<std::string>& args) {
  VerbOptions verb{po::options_description("Options"),
                   {},
                   po::options_description(),
                   "ptyctl snapshot ID [--format text|ansi|json] [--scrollback]",
                   "Prints the session's screen: text (plain, trailing blanks cut), ansi (the "
                   "bytes that repaint it, with colours and modes, for a terminal) or json (the "
                   "whole snapshot as terminal-host answers getSnapshot)."};
  std::string id, format = "text";
  verb.options.add_options()("format", po::value(&format)->default_value("text"),
                             "text, ansi or json")(
      "scrollback", "text: the scrollback above the screen (ansi and json always have it)");
  verb.hidden.add_options()("id", po::value(&id)->required());
  verb.positional.add("id", 1);
  auto vm = parse(verb, args);
  if (!vm) return kOk;
  check_session_id(id);
  if (format != "text" && format != "ansi" && format != "json")
    throw CliError(kUsage, "--format must be text, ansi or json");
  const bool scrollback = vm->count("scrollback") > 0;
  return run_verb([&](asio::io_context& io) -> asio::awaitable<int> {
    HostLink link(io, globals);
    co_await link.open();
    const auto request = proto::client::GetSnapshotRequest{id};
    const proto::Snapshot snap = (co_await link.call(request)).snapshot;
    if (format == "json") {
      std::cout << json::serialize(json::value_from(snap)) << "\n";
      co_return kOk;
    }
    if (format == "ansi")
      std::cout << snap.rehydrateSequences << snap.snapshotAnsi;
    else
      std::cout << snapshot_text(snap, scrollback) << "\n";
    co_return kOk;
  });
}

}  // namespace ptyctl::cli
