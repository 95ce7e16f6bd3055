#include "host_client.hpp"

#include <algorithm>

#include <ptyctl/proto/envelope.hpp>

#include <signal.h>
#include <unistd.h>

#include <random>
#include <stdexcept>

namespace ptyctl::test {

namespace json = boost::json;

LineSocket::LineSocket(const std::string& path) : fd_(connect_unix(path)) {}

LineSocket::~LineSocket() {
  close();
}

void LineSocket::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void LineSocket::send_raw(std::string_view bytes) {
  send_all(fd_, bytes);
}

void LineSocket::send(const json::object& message) {
  send_raw(proto::encode_line(message));
}

bool LineSocket::read_some(Clock::time_point deadline) {
  if (eof_ || fd_ < 0) return false;
  std::string bytes;
  if (!read_with_deadline(fd_, deadline, bytes, eof_) || eof_) return false;
  decoder_.feed(bytes);
  while (auto m = decoder_.next())
    pending_.push_back(std::move(*m));
  return true;
}

std::optional<json::object> LineSocket::next(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (pending_.empty())
    if (!read_some(deadline)) return std::nullopt;
  json::object m = std::move(pending_.front());
  pending_.pop_front();
  return m;
}

std::optional<json::object> LineSocket::response(const std::string& id,
                                                 std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    for (auto it = pending_.begin(); it != pending_.end(); ++it) {
      const json::value* mid = it->if_contains("id");
      if (mid && mid->is_string() && mid->get_string() == id) {
        json::object out = std::move(*it);
        pending_.erase(it);
        return out;
      }
    }
    if (!read_some(deadline)) return std::nullopt;
  }
}

namespace {
std::string random_client_id() {
  std::random_device rd;
  return "test-client-" + std::to_string(rd()) + "-" + std::to_string(rd());
}

json::object hello_on(LineSocket& s, const std::string& token, const std::string& client_id,
                      const char* role) {
  s.send(proto::make_request(
      "hello-" + std::string(role), "hello",
      json::object{
          {"token", token}, {"protocolVersion", 2}, {"clientId", client_id}, {"role", role}}));
  auto r = s.response("hello-" + std::string(role), 20s);
  if (!r) throw std::runtime_error(std::string("no answer to the ") + role + " hello");
  if (!r->at("ok").as_bool()) throw std::runtime_error("hello refused: " + json::serialize(*r));
  return *r;
}
}  // namespace

HostClient::HostClient(const std::string& socket_path, const std::string& token,
                       std::string client_id)
    : control(socket_path),
      stream(socket_path),
      client_id_(client_id.empty() ? random_client_id() : std::move(client_id)) {
  hello_on(control, token, client_id_, "control");
  hello_on(stream, token, client_id_, "stream");
}

std::string HostClient::send(const std::string& type, json::value payload,
                             const std::string& id_prefix) {
  const std::string id = id_prefix + std::to_string(next_id_++);
  json::object m{{"id", id}, {"type", type}};
  if (!payload.is_null()) m["payload"] = std::move(payload);
  control.send(m);
  return id;
}

json::object HostClient::request(const std::string& type, json::value payload,
                                 std::chrono::milliseconds timeout) {
  const std::string id = send(type, std::move(payload));
  auto r = control.response(id, timeout);
  if (!r)
    throw std::runtime_error("no response to " + type +
                             (control.closed_by_peer() ? " (connection closed)" : ""));
  return *r;
}

std::optional<json::object> HostClient::next_event(std::chrono::milliseconds timeout) {
  return stream.next(timeout);
}

bool HostClient::collect(const std::string& session_id, Received& out,
                         const std::function<bool(const Received&)>& done,
                         std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  const auto of_session = [&](const json::object& ev) {
    const json::value* sid = ev.if_contains("sessionId");
    return sid && sid->is_string() && sid->get_string() == session_id;
  };
  while (!done(out)) {
    std::optional<json::object> ev;
    if (auto kept = std::find_if(others_.begin(), others_.end(), of_session);
        kept != others_.end()) {
      ev = std::move(*kept);
      others_.erase(kept);
    } else {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) return false;
      ev = stream.next(left);
      if (!ev) return false;
      if (!of_session(*ev)) {
        if (others_.size() < 100000) others_.push_back(std::move(*ev));
        continue;
      }
    }
    const json::object& payload = ev->at("payload").as_object();
    const std::string_view type = payload.at("type").as_string();
    if (type == "data") {
      const auto offset = payload.at("offset").to_number<std::uint64_t>();
      const auto end = payload.at("endOffset").to_number<std::uint64_t>();
      std::string data(payload.at("data").as_string());
      if (out.started && offset < out.next) {
        // Already have (some of) it: keep only what is new, as a client
        // that resumed while older events sat unread must.
        ++out.stale;
        if (end <= out.next) continue;
        if (data.size() != end - offset)
          throw std::runtime_error("overlapping event with replaced bytes at " +
                                   std::to_string(offset));
        data.erase(0, static_cast<std::size_t>(out.next - offset));
      } else if (out.started && offset != out.next) {
        throw std::runtime_error("data at offset " + std::to_string(offset) + ", expected " +
                                 std::to_string(out.next));
      }
      out.started = true;
      out.bytes += data;
      out.next = end;
      ++out.events;
    } else if (type == "exit") {
      out.exit = payload;
    }
  }
  return true;
}

std::string host_binary() {
  return PTYCTL_HOST_BIN;
}

HostFixture::HostFixture(std::vector<std::string> extra_args)
    : HostFixture(std::move(extra_args), {}) {}

HostFixture::HostFixture(std::vector<std::string> extra_args,
                         std::vector<std::string> supervisor_args) {
  if (!supervisor_args.empty()) {
    std::vector<std::string> sargs{"--state-dir", dir.path(), "--log-level", "debug"};
    sargs.insert(sargs.end(), supervisor_args.begin(), supervisor_args.end());
    supervisor = std::make_unique<Process>(supervisor_binary(), sargs);
    const std::string pid_file = dir.path() + "/pty-supervisor.pid";
    if (!wait_until([&] { return path_exists(pid_file); }, 20s))
      throw std::runtime_error("pty-supervisor did not start: " + supervisor->log());
    extra_args.push_back("--spawn-supervisor=never");
  }
  args = {"--state-dir",         dir.path(),         "--log-level", "debug",
          "--supervisor-binary", supervisor_binary()};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  restart();
}

void HostFixture::restart() {
  process = std::make_unique<Process>(host_binary(), args);
  const std::string pid_file = dir.path() + "/terminal-host.pid";
  if (!wait_until(
          [&] {
            try {
              LineSocket probe(socket());
              return true;
            } catch (...) {
              return false;
            }
          },
          30s))
    throw std::runtime_error("terminal-host did not start: " + process->log());
}

std::string HostFixture::token() const {
  return read_file(dir.path() + "/terminal-host.token");
}

int HostFixture::supervisor_pid() const {
  const std::string pid = read_file(dir.path() + "/pty-supervisor.pid");
  return pid.empty() ? -1 : std::stoi(pid);
}

HostFixture::~HostFixture() {
  process.reset();  // SIGKILL
  // The supervisor is not our child (it detached): stop it by its pid file,
  // which hangs up its shells.
  if (supervisor) {
    supervisor->signal(SIGTERM);
    if (!supervisor->wait(20s)) supervisor.reset();
    return;
  }
  const int pid = supervisor_pid();
  if (pid > 0 && ::kill(pid, SIGTERM) == 0)
    if (!wait_until([&] { return process_gone(pid); }, 20s)) ::kill(pid, SIGKILL);
  // A supervisor terminal-host started just before its SIGKILL may not have
  // written its pid file yet (a test over in milliseconds): found by its
  // state dir.
  for (int other : processes_with_argument(dir.path())) {
    ::kill(other, SIGTERM);
    if (!wait_until([&] { return process_gone(other); }, 20s)) ::kill(other, SIGKILL);
  }
}

}  // namespace ptyctl::test
