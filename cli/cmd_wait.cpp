// ptyctl wait ID (--text REGEX | --exit) [--timeout SECONDS] [--scrollback]

#include "options.hpp"
#include "session_follower.hpp"
#include "session_util.hpp"

#include "emulator/emulator.hpp"

#include <iostream>
#include <regex>

namespace ptyctl::cli {

int cmd_wait(const Globals& globals, const std::vector<std::string>& args) {
  VerbOptions verb{po::options_description("Options"),
                   {},
                   po::options_description(),
                   "ptyctl wait ID (--text REGEX | --exit) [--timeout SECONDS] [--scrollback]",
                   "For scripts. --text: exit 0 once REGEX (ECMAScript syntax) matches a line "
                   "of the screen (with --scrollback, of the scrollback too). --exit: exit 0 "
                   "once the session has ended, printing its exit code. Exit 1 on timeout (by "
                   "default there is none) or when the session ends before the text appears."};
  std::string id, text;
  double timeout = 0;
  verb.options.add_options()("text", po::value(&text), "a regular expression to wait for")(
      "exit", "wait for the session to end")("timeout", po::value(&timeout)->default_value(0),
                                             "seconds; 0 waits for ever")(
      "scrollback", "--text also searches the scrollback");
  verb.hidden.add_options()("id", po::value(&id)->required());
  verb.positional.add("id", 1);
  auto vm = parse(verb, args);
  if (!vm) return kOk;
  check_session_id(id);
  const bool for_exit = vm->count("exit") > 0;
  if (for_exit == (vm->count("text") > 0)) throw CliError(kUsage, "give --text REGEX or --exit");
  std::optional<std::regex> pattern;
  if (!for_exit) {
    try {
      pattern.emplace(text, std::regex::ECMAScript | std::regex::multiline);
    } catch (const std::regex_error& e) {
      throw CliError(kUsage, "--text: not a regular expression: " + std::string(e.what()));
    }
  }
  const bool scrollback = vm->count("scrollback") > 0;
  const auto deadline =
      timeout > 0 ? Clock::now() + std::chrono::milliseconds(static_cast<long>(timeout * 1000))
                  : Clock::time_point::max();
  return run_verb([&](asio::io_context& io) -> asio::awaitable<int> {
    HostLink link(io, globals);
    co_await link.open();
    const auto session = co_await require_session(link, id);
    auto matches = [&](const std::string& screen) { return std::regex_search(screen, *pattern); };
    if (!session.isAlive) {
      if (for_exit) {
        std::cout << session.exitCode.value_or(0) << "\n";
        co_return kOk;
      }
      const auto request = proto::client::GetSnapshotRequest{id};
      const auto snap = (co_await link.call(request)).snapshot;
      if (matches(snapshot_text(snap, scrollback))) co_return kOk;
      throw CliError(kFailed, "session " + id + " has ended without showing the text");
    }
    // Attach: the snapshot, then the live output into our own emulator.
    SessionFollower follower(id);
    const auto request = attach_request(id, session.cols.value_or(80), session.rows.value_or(24));
    const auto attached = co_await follower.attach(link, request);
    if (!attached) throw CliError(kFailed, "session " + id + " ended while attaching");
    const proto::Snapshot& snap = attached->snapshot;
    emu::Emulator screen(snap.cols, snap.rows);
    screen.feed(snap.rehydrateSequences);
    screen.feed(snap.snapshotAnsi);
    if (!for_exit && matches(screen.text(scrollback))) co_return kOk;
    for (;;) {
      auto n = co_await follower.next(link, deadline);
      if (!n) {
        if (link.closed()) throw CliError(kUnreachable, "terminal-host closed the connection");
        std::cerr << "ptyctl wait: timed out after " << timeout << " s\n";
        co_return kFailed;
      }
      if (n->exit_code) {
        if (!for_exit)
          throw CliError(kFailed, "session " + id + " has ended without showing the text");
        std::cout << *n->exit_code << "\n";
        co_return kOk;
      }
      if (for_exit) continue;
      screen.feed(n->data);
      if (matches(screen.text(scrollback))) co_return kOk;
    }
  });
}

}  // namespace ptyctl::cli
