// ptyctl bridge: what `ptyctl --host HOST` runs on HOST over ssh. Connects to
// this machine's terminal-host (starting it as any verb does) and carries
// wire 2's control and stream connections over stdin and stdout as the
// bridge's tagged lines (libproto bridge.hpp), putting this host's token into
// each hello: the token never leaves this host.

#include "bridge_pump.hpp"
#include "host_link.hpp"
#include "options.hpp"

#include <ptyctl/common/async_event.hpp>
#include <ptyctl/proto/bridge.hpp>

#include <unistd.h>

#include <memory>
#include <optional>

namespace ptyctl::cli {

namespace bridge = proto::bridge;

namespace {

struct BridgeState {
  explicit BridgeState(asio::io_context& io)
      : in(io),
        out(io),
        control(io),
        stream(io),
        writer(out, io.get_executor()),
        ended(io.get_executor()) {}
  asio::posix::stream_descriptor in, out;
  asio::local::stream_protocol::socket control, stream;
  SerialWriter<asio::posix::stream_descriptor> writer;  // ssh's stdout
  std::string token;
  bool done = false;
  AsyncEvent ended;
  void end() {
    boost::system::error_code ignored;
    control.close(ignored);
    stream.close(ignored);
    in.cancel(ignored);
    done = true;
    ended.notify_all();
  }
};

// ssh → terminal-host, with this host's token put into each hello.
asio::awaitable<void> from_ssh(std::shared_ptr<BridgeState> b) {
  bridge::LineSplitter lines;
  co_await dispatch_tagged(b->in, lines, b->control, b->stream, &b->token);
  b->end();
}

// terminal-host → ssh.
asio::awaitable<void> to_ssh(std::shared_ptr<BridgeState> b, char tag) {
  co_await forward_tagged(tag == bridge::kControl ? b->control : b->stream, tag, b->writer);
  b->end();
}

}  // namespace

int cmd_bridge(const Globals& globals, const std::vector<std::string>& args) {
  VerbOptions verb{po::options_description("Options"),
                   {},
                   {},
                   "ptyctl bridge",
                   "What ptyctl --host HOST runs on HOST (over ssh): carries the desktop app's "
                   "protocol between stdin/stdout and this machine's terminal-host, starting "
                   "it when none answers (unless --no-start). Not for typing at: it speaks "
                   "ptyctl's bridge framing (docs/protocol.md, \"The ssh bridge\")."};
  auto vm = parse(verb, args);
  if (!vm) return kOk;
  return run_verb([&](asio::io_context& io) -> asio::awaitable<int> {
    auto b = std::make_shared<BridgeState>(io);
    b->in.assign(::dup(0));
    b->out.assign(::dup(1));
    std::optional<CliError> failed;
    try {
      co_await connect_local_host(io, globals, globals.autostart, b->control, b->stream);
      b->token = read_host_token(globals);
    } catch (const CliError& e) {
      failed = e;
    }
    if (failed) {
      // Said on the channel (the other side prints it as its own error).
      co_await b->writer.write(bridge::encode_failure(bridge::kUnreachableCode, failed->what()));
      co_return failed->exit_code;
    }
    co_await b->writer.write(bridge::encode_greeting());
    asio::co_spawn(io, from_ssh(b), asio::detached);
    asio::co_spawn(io, to_ssh(b, bridge::kControl), asio::detached);
    asio::co_spawn(io, to_ssh(b, bridge::kStream), asio::detached);
    while (!b->done)
      co_await b->ended.wait();
    co_return kOk;
  });
}

}  // namespace ptyctl::cli
