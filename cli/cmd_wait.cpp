// ptyctl wait ID (--text REGEX | --exit) [--timeout SECONDS] [--scrollback]

#include "options.hpp"
#include "session_util.hpp"

#include "emulator/emulator.hpp"

#include <iostream>
#include <regex>

namespace ptyctl::cli {

namespace json = boost::json;

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
    auto session = co_await require_session(link, id);
    auto exit_code = [](const json::object& o) {
      const json::value* c = o.if_contains("exitCode");
      return c && c->is_number() ? c->to_number<std::int64_t>() : 0;
    };
    auto matches = [&](const std::string& screen) { return std::regex_search(screen, *pattern); };
    if (!session.at("isAlive").as_bool()) {
      if (for_exit) {
        std::cout << exit_code(session) << "\n";
        co_return kOk;
      }
      json::object which{{"sessionId", id}};
      const json::value r = co_await link.request("getSnapshot", std::move(which));
      const auto snap = json::value_to<proto::Snapshot>(r.at("snapshot"));
      if (matches(snapshot_text(snap, scrollback))) co_return kOk;
      throw CliError(kFailed, "session " + id + " has ended without showing the text");
    }
    // Attach: the snapshot, then the live output into our own emulator.
    const int cols = static_cast<int>(session.at("cols").to_number<std::int64_t>());
    const int rows = static_cast<int>(session.at("rows").to_number<std::int64_t>());
    json::object attach = attach_payload(id, cols, rows);
    const json::value r = co_await link.request("createOrAttach", std::move(attach));
    if (r.at("isNew").as_bool()) {
      // It ended between our two requests and createOrAttach started a new one.
      json::object which{{"sessionId", id}};
      co_await link.request("kill", std::move(which));
      throw CliError(kFailed, "session " + id + " ended while attaching");
    }
    const auto snap = json::value_to<proto::Snapshot>(r.at("snapshot"));
    emu::Emulator screen(snap.cols, snap.rows);
    screen.feed(snap.rehydrateSequences);
    screen.feed(snap.snapshotAnsi);
    std::uint64_t next = snap.offset;
    if (!for_exit && matches(screen.text(scrollback))) co_return kOk;
    for (;;) {
      auto ev = co_await link.next_event(deadline);
      if (!ev) {
        if (link.closed()) throw CliError(kUnreachable, "terminal-host closed the connection");
        std::cerr << "ptyctl wait: timed out after " << timeout << " s\n";
        co_return kFailed;
      }
      if (ev->at("sessionId").as_string() != id) continue;
      const json::object& p = ev->at("payload").as_object();
      const std::string_view type = p.at("type").as_string();
      if (type == "exit") {
        if (for_exit) {
          std::cout << exit_code(p) << "\n";
          co_return kOk;
        }
        throw CliError(kFailed, "session " + id + " has ended without showing the text");
      }
      if (type != "data") continue;
      const auto end = p.at("endOffset").to_number<std::uint64_t>();
      if (end <= next) continue;  // older than the snapshot
      next = end;
      if (for_exit) continue;
      screen.feed(std::string_view(p.at("data").as_string()));
      if (matches(screen.text(scrollback))) co_return kOk;
    }
  });
}

}  // namespace ptyctl::cli
