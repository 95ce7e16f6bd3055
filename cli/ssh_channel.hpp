#pragma once
// ptyctl --host: wire 2 to another host's terminal-host through `ssh HOST
// ptyctl bridge`. The ssh process's stdin and stdout are one socket carrying
// the bridge's tagged lines (libproto bridge.hpp); the channel hands HostLink
// two ordinary sockets, control and stream, and copies lines between them and
// ssh.

#include "bridge_pump.hpp"
#include "cli.hpp"

#include <ptyctl/common/async_event.hpp>
#include <ptyctl/proto/bridge.hpp>

#include <boost/asio.hpp>

#include <sys/types.h>

#include <memory>
#include <string>

namespace ptyctl::cli {

namespace asio = boost::asio;

class SshChannel {
 public:
  SshChannel(asio::io_context& io, const Globals& globals, const RemoteHost& host, bool autostart);
  ~SshChannel();  // ends ssh (SIGTERM) and reaps it
  SshChannel(const SshChannel&) = delete;

  // Starts ssh and waits for the bridge's greeting. CliError(kUnreachable)
  // with ssh's own last line of error, the remote side's failure, or the
  // version skew, in one line.
  asio::awaitable<void> open();
  // The near ends of wire 2's two connections (once, after open()).
  asio::local::stream_protocol::socket take_control();
  asio::local::stream_protocol::socket take_stream();

 private:
  struct Shared {
    explicit Shared(asio::io_context& io)
        : ssh(io), control(io), stream(io), errors(io), writer(ssh, io.get_executor()) {}
    asio::local::stream_protocol::socket ssh;              // ssh's stdin and stdout
    asio::local::stream_protocol::socket control, stream;  // far ends
    asio::posix::stream_descriptor errors;                 // ssh's stderr
    std::string error_tail;                                // its last bytes
    proto::bridge::LineSplitter from_ssh;
    SerialWriter<asio::local::stream_protocol::socket> writer;  // to ssh
    void close();
  };
  static asio::awaitable<void> to_sockets(std::shared_ptr<Shared> sh);
  static asio::awaitable<void> to_ssh(std::shared_ptr<Shared> sh, char tag);
  static asio::awaitable<void> read_errors(std::shared_ptr<Shared> sh);
  std::string ssh_failure();

  asio::io_context& io_;
  const Globals& globals_;
  RemoteHost host_;
  bool autostart_;
  std::shared_ptr<Shared> s_;
  asio::local::stream_protocol::socket near_control_, near_stream_;
  pid_t pid_ = -1;
};

}  // namespace ptyctl::cli
