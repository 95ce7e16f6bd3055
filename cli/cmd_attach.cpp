// ptyctl attach ID [--detach-key KEY]

#include "attach_session.hpp"
#include "options.hpp"
#include "session_util.hpp"

#include <termios.h>
#include <unistd.h>

#include <cctype>
#include <iostream>

namespace ptyctl::cli {

namespace {

// "^\" / "C-\" / "ctrl-]" → the control byte.
std::optional<unsigned char> parse_key(const std::string& key) {
  std::string k = key;
  for (const std::string prefix : {"^", "C-", "c-", "ctrl-", "Ctrl-"}) {
    if (k.rfind(prefix, 0) == 0 && k.size() == prefix.size() + 1) {
      const unsigned char c = static_cast<unsigned char>(std::toupper(k.back()));
      if (c >= '@' && c <= '_') return static_cast<unsigned char>(c - '@');
    }
  }
  return std::nullopt;
}

// Raw mode for the life of the attach; the saved mode comes back on every
// way out (the destructor runs on return and on exceptions).
class RawTerminal {
 public:
  RawTerminal() {
    if (::tcgetattr(0, &saved_) != 0) throw CliError(kUsage, "standard input is not a terminal");
    termios raw = saved_;
    ::cfmakeraw(&raw);
    ::tcsetattr(0, TCSADRAIN, &raw);
  }
  ~RawTerminal() { ::tcsetattr(0, TCSADRAIN, &saved_); }

 private:
  termios saved_{};
};

}  // namespace

int cmd_attach(const Globals& globals, const std::vector<std::string>& args) {
  VerbOptions verb{po::options_description("Options"),
                   {},
                   po::options_description(),
                   "ptyctl attach ID [--detach-key KEY]",
                   "Shows the session in this terminal, as tmux attach does: its screen, then "
                   "its output as it comes; keys go to it, window size changes reach it. Leave "
                   "with the detach key (default Ctrl-\\): the session keeps running. When "
                   "terminal-host restarts underneath (ptyctl restart terminal-host), attach "
                   "reconnects and goes on where it was."};
  std::string id, key = "^\\";
  verb.options.add_options()("detach-key", po::value(&key)->default_value("^\\"),
                             "the key that detaches: ^X, C-x or ctrl-x for a control key");
  verb.hidden.add_options()("id", po::value(&id)->required());
  verb.positional.add("id", 1);
  auto vm = parse(verb, args);
  if (!vm) return kOk;
  check_session_id(id);
  const auto detach = parse_key(key);
  if (!detach) throw CliError(kUsage, "--detach-key takes a control key like ^\\ or C-a");
  if (!::isatty(0))
    throw CliError(kUsage,
                   "attach needs a terminal on standard input (scripts: send, wait, snapshot)");
  std::string farewell;
  int code;
  {
    RawTerminal raw;
    code = run_verb([&](asio::io_context& io) -> asio::awaitable<int> {
      AttachSession session(io, globals, id, *detach);
      const int c = co_await session.run();
      farewell = session.farewell();
      co_return c;
    });
  }
  if (!farewell.empty()) std::cerr << farewell << "\n";
  return code;
}

}  // namespace ptyctl::cli
