#include "host_link.hpp"

#include <ptyctl/common/process.hpp>
#include <ptyctl/proto/envelope.hpp>
#include <ptyctl/proto/paths.hpp>
#include <ptyctl/proto/version.hpp>

#include <sys/wait.h>
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

HostLink::HostLink(asio::io_context& io, const Globals& globals)
    : io_(io),
      globals_(globals),
      socket_path_(globals.state_dir + "/" + std::string(proto::kHostSocket)),
      control_(io),
      stream_(io),
      arrived_(io.get_executor()),
      write_done_(io.get_executor()) {
  std::random_device rd;
  client_id_ = "ptyctl-" + std::to_string(::getpid()) + "-" + std::to_string(rd());
}

void HostLink::start_host() {
  // As the app does: start it in the background; it starts the supervisor.
  const std::string bin = sibling_binary(globals_, "terminal-host");
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close_range(3, ~0U, 0);
    ::execlp(bin.c_str(), bin.c_str(), "--state-dir", globals_.state_dir.c_str(), "--detach",
             static_cast<char*>(nullptr));
    ::_exit(127);
  }
  if (pid > 0) {
    int status = 0;
    ::waitpid(pid, &status, 0);  // --detach returns once it listens
  }
}

asio::awaitable<void> HostLink::open() {
  const auto endpoint = asio::local::stream_protocol::endpoint(socket_path_);
  boost::system::error_code ec;
  control_.connect(endpoint, ec);
  if (ec && globals_.autostart) {
    start_host();
    const auto deadline = Clock::now() + 10s;
    asio::steady_timer pause(io_);
    while (ec && Clock::now() < deadline) {
      control_ = asio::local::stream_protocol::socket(io_);
      control_.connect(endpoint, ec);
      if (!ec) break;
      pause.expires_after(20ms);
      co_await pause.async_wait(asio::use_awaitable);
    }
  }
  if (ec)
    throw CliError(kUnreachable,
                   "terminal-host is not running on " + socket_path_ +
                       (globals_.autostart ? " and could not be started"
                                           : " (start it: ptyctl start terminal-host)"));
  stream_.connect(endpoint, ec);
  if (ec) throw CliError(kUnreachable, "cannot connect to " + socket_path_ + ": " + ec.message());
  asio::co_spawn(io_, read_loop(control_, true), asio::detached);
  asio::co_spawn(io_, read_loop(stream_, false), asio::detached);
  co_await hello(control_, "control");
  co_await hello(stream_, "stream");
}

void HostLink::close() {
  boost::system::error_code ignored;
  control_.close(ignored);
  stream_.close(ignored);
}

asio::awaitable<void> HostLink::read_loop(asio::local::stream_protocol::socket& s, bool control) {
  proto::LineDecoder decoder(64u * 1024 * 1024);
  std::array<char, 65536> buf;
  for (;;) {
    auto [ec, n] =
        co_await s.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
    if (ec) break;
    decoder.feed(std::string_view(buf.data(), n));
    try {
      while (auto m = decoder.next()) {
        const json::value* id = m->if_contains("id");
        if (id && id->is_string())
          responses_[std::string(id->as_string())] = std::move(*m);
        else if (!control)
          events_.push_back(std::move(*m));
      }
    } catch (const std::exception&) {
      break;
    }
    arrived_.notify_all();
  }
  closed_ = true;
  arrived_.notify_all();
}

asio::awaitable<void> HostLink::write_line(std::string line) {
  while (writing_)
    co_await write_done_.wait();
  writing_ = true;
  auto [ec, n] =
      co_await asio::async_write(control_, asio::buffer(line), asio::as_tuple(asio::use_awaitable));
  writing_ = false;
  write_done_.notify_all();
  if (ec) {
    closed_ = true;
    arrived_.notify_all();
  }
}

asio::awaitable<void> HostLink::hello(asio::local::stream_protocol::socket& s, const char* role) {
  std::ifstream in(globals_.state_dir + "/" + std::string(proto::kHostToken));
  const std::string token((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string id = std::string("hello-") + role;
  const json::object payload{{"token", token},
                             {"protocolVersion", proto::kClientProtocolVersion},
                             {"clientId", client_id_},
                             {"role", role}};
  const std::string line = proto::encode_line(proto::make_request(id, "hello", payload));
  co_await asio::async_write(s, asio::buffer(line), asio::use_awaitable);
  const auto deadline = Clock::now() + 10s;
  while (!responses_.contains(id) && !closed_ && Clock::now() < deadline)
    co_await arrived_.wait(deadline);
  auto it = responses_.find(id);
  if (it == responses_.end())
    throw CliError(kUnreachable, "terminal-host on " + socket_path_ + " did not answer hello");
  const json::object r = std::move(it->second);
  responses_.erase(it);
  if (!r.at("ok").as_bool())
    throw CliError(kUnreachable, "terminal-host refused hello: " +
                                     std::string(r.at("error").at("code").as_string()) + ": " +
                                     std::string(r.at("error").at("message").as_string()));
}

asio::awaitable<json::value> HostLink::request(std::string_view type, json::value payload) {
  const std::string id = "req_" + std::to_string(next_id_++);
  co_await write_line(proto::encode_line(proto::make_request(id, type, std::move(payload))));
  while (!responses_.contains(id) && !closed_)
    co_await arrived_.wait();
  auto it = responses_.find(id);
  if (it == responses_.end()) throw CliError(kUnreachable, "terminal-host closed the connection");
  json::object r = std::move(it->second);
  responses_.erase(it);
  if (r.at("ok").as_bool()) co_return std::move(r["payload"]);
  const std::string code(r.at("error").at("code").as_string());
  const std::string message(r.at("error").at("message").as_string());
  throw CliError(code == "SESSION_NOT_FOUND" ? kNoSuchSession : kFailed, code + ": " + message);
}

asio::awaitable<void> HostLink::notify(std::string_view type, json::value payload) {
  const std::string id = "notify_" + std::to_string(next_id_++);
  co_await write_line(proto::encode_line(proto::make_request(id, type, std::move(payload))));
}

asio::awaitable<std::optional<json::object>> HostLink::next_event(Clock::time_point deadline) {
  while (events_.empty() && !closed_ && Clock::now() < deadline)
    co_await arrived_.wait(deadline);
  if (events_.empty()) co_return std::nullopt;
  json::object e = std::move(events_.front());
  events_.pop_front();
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
