#pragma once
// A wire-2 (terminal-host.sock) client for tests and benchmarks, written from
// the protocol reference: NDJSON on a control and a stream socket paired by
// clientId. Every read has a deadline.

#include "harness.hpp"

#include <ptyctl/proto/line_codec.hpp>

#include <boost/json.hpp>

#include <deque>
#include <optional>
#include <string>

namespace ptyctl::test {

// One NDJSON socket.
class LineSocket {
 public:
  explicit LineSocket(const std::string& path);
  ~LineSocket();
  LineSocket(const LineSocket&) = delete;

  void send_raw(std::string_view bytes);
  void send(const boost::json::object& message);
  // The next line as an object, or nullopt at the deadline / end of stream.
  std::optional<boost::json::object> next(std::chrono::milliseconds timeout);
  // Waits for the response with this id; lines before it stay queued.
  std::optional<boost::json::object> response(const std::string& id,
                                              std::chrono::milliseconds timeout);
  bool closed_by_peer() const { return eof_; }
  void close();
  int fd() const { return fd_; }

 private:
  bool read_some(Clock::time_point deadline);
  int fd_ = -1;
  bool eof_ = false;
  proto::LineDecoder decoder_{64u * 1024 * 1024};
  std::deque<boost::json::object> pending_;
};

// Output of one session as a client sees it, checked by offset.
struct Received {
  std::string bytes;       // data of every event, concatenated
  std::uint64_t next = 0;  // endOffset of the last event (the resumeFrom)
  bool started = false;
  std::optional<boost::json::object> exit;
  int events = 0;
  // Events that began before `next`: their old part was skipped (a client
  // that re-attached with resumeFrom while older events sat unread).
  int stale = 0;
};

// A desktop client: control + stream sockets with one clientId.
class HostClient {
 public:
  HostClient(const std::string& socket_path, const std::string& token, std::string client_id = "");
  const std::string& client_id() const { return client_id_; }

  // The whole response object.
  boost::json::object request(const std::string& type, boost::json::value payload = nullptr,
                              std::chrono::milliseconds timeout = 20s);
  // Sends without waiting (notify_ writes, or a response collected later).
  std::string send(const std::string& type, boost::json::value payload,
                   const std::string& id_prefix = "req_");
  // The next event on the stream socket.
  std::optional<boost::json::object> next_event(std::chrono::milliseconds timeout = 20s);
  // Reads events into `out` (data for `session_id` must continue at out.next;
  // bytes before it are counted as stale and skipped)
  // until `done` or the deadline; events of other sessions are kept for
  // their own collect().
  bool collect(const std::string& session_id, Received& out,
               const std::function<bool(const Received&)>& done, std::chrono::milliseconds timeout);

  LineSocket control;
  LineSocket stream;

 private:
  std::string client_id_;
  int next_id_ = 1;
  std::deque<boost::json::object> others_;  // events collect() read for other sessions
};

std::string host_binary();

// terminal-host on a temp state dir, started the way the app starts it (it
// starts pty-supervisor itself unless told --spawn-supervisor=never).
// Stops both at the end.
class HostFixture {
 public:
  explicit HostFixture(std::vector<std::string> extra_args = {});
  // With supervisor_args: starts pty-supervisor itself (with those args) and
  // terminal-host with --spawn-supervisor=never.
  HostFixture(std::vector<std::string> extra_args, std::vector<std::string> supervisor_args);
  ~HostFixture();
  std::string socket() const { return dir.path() + "/terminal-host.sock"; }
  std::string token() const;
  // Starts terminal-host again (after it was killed), waits until it answers.
  void restart();
  int supervisor_pid() const;
  TempDir dir;
  std::vector<std::string> args;
  std::unique_ptr<Process> supervisor;  // only when started by the fixture
  std::unique_ptr<Process> process;
};

}  // namespace ptyctl::test
