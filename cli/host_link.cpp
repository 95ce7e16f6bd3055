#include "host_link.hpp"

#include "process_util.hpp"
#include "ssh_channel.hpp"

#include <ptyctl/common/process.hpp>
#include <ptyctl/proto/envelope.hpp>
#include <ptyctl/proto/paths.hpp>
#include <ptyctl/proto/version.hpp>

#include <ptyctl/common/state_dir.hpp>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <exception>
#include <fstream>
#include <iostream>
#include <iterator>
#include <random>

namespace ptyctl::cli {

namespace json = boost::json;
using namespace std::chrono_literals;

namespace {
bool path_exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}
}  // namespace

HostLink::HostLink(asio::io_context& io, const Globals& globals, bool autostart)
    : io_(io),
      globals_(globals),
      autostart_(autostart && globals.autostart),
      where_(globals.remote() ? "--host " + globals.remote()->spec
                              : globals.state_dir + "/" + std::string(proto::kHostSocket)),
      s_(std::make_shared<Shared>(io)) {
  std::random_device rd;
  client_id_ = "ptyctl-" + std::to_string(::getpid()) + "-" + std::to_string(rd());
}

HostLink::~HostLink() {
  close();
}

namespace {
// As the app does: start it in the background; it starts the supervisor.
// Never while ptyctl stops or restarts one (the lock waits for that).
void start_host(const Globals& globals, const std::string& socket_path) {
  ControlLock lock(globals, 30s);
  if (socket_answers(socket_path)) return;
  start_detached(globals, "terminal-host", {"--state-dir", globals.state_dir, "--detach"});
}
}  // namespace

void check_server_peer(int fd, const std::string& socket_path) {
  ucred cred{};
  socklen_t len = sizeof cred;
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || cred.uid != ::geteuid())
    throw CliError(kUnreachable, "the server on " + socket_path + " runs as uid " +
                                     std::to_string(cred.uid) +
                                     ", not as you: refusing to talk "
                                     "to it");
}

void check_state_dir_to_connect(const Globals& globals) {
  try {
    check_socket_path(globals.state_dir + "/" + std::string(proto::kSupervisorSocket));
    if (path_exists(globals.state_dir)) check_state_dir(globals.state_dir);
  } catch (const StateDirError& e) {
    throw CliError(kUnreachable, e.what());
  }
}

asio::awaitable<void> connect_local_host(asio::io_context& io, const Globals& globals,
                                         bool autostart,
                                         asio::local::stream_protocol::socket& control,
                                         asio::local::stream_protocol::socket& stream) {
  boost::system::error_code ec;
  check_state_dir_to_connect(globals);
  const std::string socket_path = globals.state_dir + "/" + std::string(proto::kHostSocket);
  const auto endpoint = asio::local::stream_protocol::endpoint(socket_path);
  control.connect(endpoint, ec);
  if (ec && autostart) {
    start_host(globals, socket_path);
    const auto deadline = Clock::now() + 10s;
    asio::steady_timer pause(io);
    while (ec && Clock::now() < deadline) {
      control = asio::local::stream_protocol::socket(io);
      control.connect(endpoint, ec);
      if (!ec) break;
      pause.expires_after(20ms);
      co_await pause.async_wait(asio::use_awaitable);
    }
  }
  if (ec)
    throw CliError(kUnreachable, "terminal-host is not running on " + socket_path +
                                     (autostart ? " and could not be started"
                                                : " (start it: ptyctl start terminal-host)"));
  check_server_peer(control.native_handle(), socket_path);
  stream.connect(endpoint, ec);
  if (ec) throw CliError(kUnreachable, "cannot connect to " + socket_path + ": " + ec.message());
  check_server_peer(stream.native_handle(), socket_path);
}

std::string read_host_token(const Globals& globals) {
  try {
    return read_private_file(globals.state_dir + "/" + std::string(proto::kHostToken), 64);
  } catch (const StateDirError& e) {
    throw CliError(kUnreachable, e.what());
  }
}

asio::awaitable<void> HostLink::open() {
  if (const RemoteHost* host = globals_.remote()) {
    ssh_ = std::make_unique<SshChannel>(io_, globals_, *host, autostart_);
    co_await ssh_->open();
    s_->control = ssh_->take_control();
    s_->stream = ssh_->take_stream();
  } else {
    co_await connect_local_host(io_, globals_, autostart_, s_->control, s_->stream);
  }
  asio::co_spawn(io_, read_loop(s_, true), asio::detached);
  asio::co_spawn(io_, read_loop(s_, false), asio::detached);
  co_await hello(s_->control, "control");
  co_await hello(s_->stream, "stream");
}

void HostLink::close() {
  boost::system::error_code ignored;
  s_->control.close(ignored);
  s_->stream.close(ignored);
}

asio::awaitable<void> HostLink::read_loop(std::shared_ptr<Shared> sh, bool control) {
  auto& s = control ? sh->control : sh->stream;
  proto::LineDecoder decoder(64u * 1024 * 1024);
  std::array<char, 65536> buf;
  for (;;) {
    auto [ec, n] =
        co_await s.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
    if (ec) break;
    decoder.feed(std::string_view(buf.data(), n));
    try {
      while (auto m = decoder.next()) {
        proto::Envelope envelope = proto::parse_envelope(*m);
        if (auto* r = std::get_if<proto::Response>(&envelope))
          sh->responses[r->id] = std::move(*r);
        else if (!control && std::holds_alternative<proto::Event>(envelope))
          sh->events.push_back(proto::client::parse_stream_event(*m));
      }
    } catch (const std::exception&) {
      break;
    }
    sh->arrived.notify_all();
  }
  sh->closed = true;
  sh->arrived.notify_all();
}

asio::awaitable<void> HostLink::write_line(std::string line) {
  auto sh = s_;
  const bool written = co_await sh->writer.write(std::move(line));
  if (!written) {
    sh->closed = true;
    sh->arrived.notify_all();
  }
}

asio::awaitable<void> HostLink::hello(asio::local::stream_protocol::socket& s, const char* role) {
  // Over ssh the bridge puts the remote token in: it never leaves that host.
  const std::string token = globals_.remote() ? std::string() : read_host_token(globals_);
  const std::string id = std::string("hello-") + role;
  const proto::client::HelloRequest hello{token, proto::kClientProtocolVersion, client_id_, role};
  const std::string line = proto::encode_line(proto::make_request(id, hello));
  auto [ec, n] =
      co_await asio::async_write(s, asio::buffer(line), asio::as_tuple(asio::use_awaitable));
  if (ec)
    throw CliError(kUnreachable, "terminal-host on " + where_ + " went away: " + ec.message());
  const auto deadline = Clock::now() + 10s;
  while (!s_->responses.contains(id) && !s_->closed && Clock::now() < deadline)
    co_await s_->arrived.wait(deadline);
  auto it = s_->responses.find(id);
  if (it == s_->responses.end())
    throw CliError(kUnreachable, "terminal-host on " + where_ + " did not answer hello");
  const proto::Response r = std::move(it->second);
  s_->responses.erase(it);
  if (!r.ok)
    throw CliError(kUnreachable, "terminal-host refused hello: " +
                                     (r.error ? r.error->code + ": " + r.error->message : ""));
}

asio::awaitable<json::value> HostLink::send_request(std::string_view type, json::value payload) {
  // Only locals after the first suspension: the link may be dropped (a
  // reconnect) while this waits, its shared state lives on.
  auto sh = s_;
  const std::string id = "req_" + std::to_string(next_id_++);
  co_await write_line(proto::encode_line(proto::make_request(id, type, std::move(payload))));
  while (!sh->responses.contains(id) && !sh->closed)
    co_await sh->arrived.wait();
  auto it = sh->responses.find(id);
  if (it == sh->responses.end())
    throw CliError(kUnreachable, "terminal-host closed the connection");
  proto::Response r = std::move(it->second);
  sh->responses.erase(it);
  if (r.ok) co_return std::move(r.payload);
  const proto::ErrorInfo error = r.error.value_or(proto::ErrorInfo{"UNKNOWN", "no error given"});
  throw CliError(error.code == proto::code::kSessionNotFound ? kNoSuchSession : kFailed,
                 error.code + ": " + error.message);
}

asio::awaitable<void> HostLink::send_notify(std::string_view type, json::value payload) {
  const std::string id = "notify_" + std::to_string(next_id_++);
  co_await write_line(proto::encode_line(proto::make_request(id, type, std::move(payload))));
}

asio::awaitable<std::optional<proto::client::StreamEvent>> HostLink::next_event(
    Clock::time_point deadline) {
  auto sh = s_;
  while (sh->events.empty() && !sh->closed && Clock::now() < deadline)
    co_await sh->arrived.wait(deadline);
  if (sh->events.empty()) co_return std::nullopt;
  proto::client::StreamEvent e = std::move(sh->events.front());
  sh->events.pop_front();
  co_return e;
}

int run_verb(const std::function<asio::awaitable<int>(asio::io_context&)>& body) {
  asio::io_context io;
  int code = kFailed;
  std::exception_ptr error;
  asio::co_spawn(io, body(io), [&](std::exception_ptr e, int c) {
    error = e;
    code = c;
    io.stop();
  });
  io.run();
  if (error) std::rethrow_exception(error);
  return code;
}

}  // namespace ptyctl::cli
