#include "host_link.hpp"

#include "process_util.hpp"

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
      socket_path_(globals.state_dir + "/" + std::string(proto::kHostSocket)),
      s_(std::make_shared<Shared>(io)) {
  std::random_device rd;
  client_id_ = "ptyctl-" + std::to_string(::getpid()) + "-" + std::to_string(rd());
}

HostLink::~HostLink() {
  close();
}

void HostLink::start_host() {
  // As the app does: start it in the background; it starts the supervisor.
  // Never while ptyctl stops or restarts one (the lock waits for that).
  ControlLock lock(globals_, 30s);
  if (socket_answers(socket_path_)) return;
  start_detached(globals_, "terminal-host", {"--state-dir", globals_.state_dir, "--detach"});
}

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

asio::awaitable<void> HostLink::open() {
  boost::system::error_code ec;
  check_state_dir_to_connect(globals_);
  const auto endpoint = asio::local::stream_protocol::endpoint(socket_path_);
  s_->control.connect(endpoint, ec);
  if (ec && autostart_) {
    start_host();
    const auto deadline = Clock::now() + 10s;
    asio::steady_timer pause(io_);
    while (ec && Clock::now() < deadline) {
      s_->control = asio::local::stream_protocol::socket(io_);
      s_->control.connect(endpoint, ec);
      if (!ec) break;
      pause.expires_after(20ms);
      co_await pause.async_wait(asio::use_awaitable);
    }
  }
  if (ec)
    throw CliError(kUnreachable, "terminal-host is not running on " + socket_path_ +
                                     (autostart_ ? " and could not be started"
                                                 : " (start it: ptyctl start terminal-host)"));
  check_server_peer(s_->control.native_handle(), socket_path_);
  s_->stream.connect(endpoint, ec);
  if (ec) throw CliError(kUnreachable, "cannot connect to " + socket_path_ + ": " + ec.message());
  check_server_peer(s_->stream.native_handle(), socket_path_);
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
  while (sh->writing)
    co_await sh->write_done.wait();
  sh->writing = true;
  auto [ec, n] = co_await asio::async_write(sh->control, asio::buffer(line),
                                            asio::as_tuple(asio::use_awaitable));
  sh->writing = false;
  sh->write_done.notify_all();
  if (ec) {
    sh->closed = true;
    sh->arrived.notify_all();
  }
}

asio::awaitable<void> HostLink::hello(asio::local::stream_protocol::socket& s, const char* role) {
  std::string token;
  try {
    token = read_private_file(globals_.state_dir + "/" + std::string(proto::kHostToken), 64);
  } catch (const StateDirError& e) {
    throw CliError(kUnreachable, e.what());
  }
  const std::string id = std::string("hello-") + role;
  const proto::client::HelloRequest hello{token, proto::kClientProtocolVersion, client_id_, role};
  const std::string line = proto::encode_line(proto::make_request(id, hello));
  auto [ec, n] =
      co_await asio::async_write(s, asio::buffer(line), asio::as_tuple(asio::use_awaitable));
  if (ec)
    throw CliError(kUnreachable,
                   "terminal-host on " + socket_path_ + " went away: " + ec.message());
  const auto deadline = Clock::now() + 10s;
  while (!s_->responses.contains(id) && !s_->closed && Clock::now() < deadline)
    co_await s_->arrived.wait(deadline);
  auto it = s_->responses.find(id);
  if (it == s_->responses.end())
    throw CliError(kUnreachable, "terminal-host on " + socket_path_ + " did not answer hello");
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
