// ptyctl send ID [--enter] TEXT... | ptyctl send ID -: types into a session.

#include "options.hpp"
#include "session_util.hpp"

#include <ptyctl/proto/utf8.hpp>

#include <iostream>
#include <iterator>

namespace ptyctl::cli {

namespace json = boost::json;

int cmd_send(const Globals& globals, const std::vector<std::string>& args) {
  VerbOptions verb{po::options_description("Options"),
                   {},
                   po::options_description(),
                   "ptyctl send ID [--enter] TEXT... | ptyctl send ID -",
                   "Types TEXT (words joined by spaces) into the session, as if typed at its "
                   "terminal; --enter adds a carriage return (the Enter key). With - the bytes "
                   "of standard input are sent as they are (they must be UTF-8 text: the "
                   "protocol carries text; control characters are fine)."};
  std::string id;
  std::vector<std::string> text;
  verb.options.add_options()("enter", "press Enter after the text");
  verb.hidden.add_options()("id", po::value(&id)->required())("text", po::value(&text));
  verb.positional.add("id", 1).add("text", -1);
  auto vm = parse(verb, args);
  if (!vm) return kOk;
  check_session_id(id);
  std::string data;
  if (text.size() == 1 && text[0] == "-") {
    data.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    if (!proto::utf8_is_valid(data))
      throw CliError(kUsage, "standard input is not UTF-8 text; it cannot be sent");
  } else {
    for (const auto& t : text)
      data += (data.empty() ? "" : " ") + t;
  }
  if (vm->count("enter")) data += "\r";
  return run_verb([&](asio::io_context& io) -> asio::awaitable<int> {
    HostLink link(io, globals);
    co_await link.open();
    const auto s = co_await require_session(link, id);
    if (!s.isAlive) throw CliError(kFailed, "session " + id + " has ended");
    // In pieces of at most 1 MiB, cut at character boundaries.
    std::string_view rest = data;
    while (!rest.empty()) {
      std::size_t n = std::min<std::size_t>(rest.size(), 1u << 20);
      if (n < rest.size()) n = proto::utf8_complete_prefix(rest.substr(0, n));
      const auto request = proto::client::WriteRequest{id, std::string(rest.substr(0, n))};
      co_await link.call(request);
      rest.remove_prefix(n);
    }
    co_return kOk;
  });
}

}  // namespace ptyctl::cli
