#pragma once
// Integration test support: temp state dirs, the real binaries started as
// child processes, and a wire-1 client with deadlines (no sleeps: every wait
// is for a condition, bounded by a deadline).

#include <ptyctl/proto/envelope.hpp>
#include <ptyctl/proto/frame_codec.hpp>

#include <boost/json.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ptyctl::test {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// A directory under /tmp, removed with everything in it at the end.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A child process running a binary of ours; SIGKILLed if still running at the end.
class Process {
 public:
  Process(const std::string& binary, const std::vector<std::string>& args,
          const std::map<std::string, std::string>& env = {});
  ~Process();
  int pid() const { return pid_; }
  void signal(int sig);
  // The exit status (as from waitpid) once it has exited, or nullopt at the deadline.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  const std::string& log_path() const { return log_path_; }
  std::string log() const;

 private:
  int pid_ = -1;
  bool reaped_ = false;
  std::string log_path_;
};

// execv(argv[0], argv) in a forked child; _exit(127) if it fails.
[[noreturn]] void exec_or_exit(const std::vector<std::string>& argv);

// A datagram socket standing in for systemd's $NOTIFY_SOCKET.
class NotifySocket {
 public:
  explicit NotifySocket(std::string path);
  ~NotifySocket();
  const std::string& path() const { return path_; }
  // The next message, or nullopt at the deadline.
  std::optional<std::string> receive(std::chrono::milliseconds timeout);

 private:
  std::string path_;
  int fd_ = -1;
};

// Polls `condition` until true or the deadline; returns its last value.
bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

bool path_exists(const std::string& path);
// A connected Unix stream socket (throws).
int connect_unix(const std::string& path);
// Writes all of `bytes` (throws).
void send_all(int fd, std::string_view bytes);
// One read with a deadline: bytes appended to `out`; false at the deadline,
// true with eof set at the end of the stream.
bool read_with_deadline(int fd, Clock::time_point deadline, std::string& out, bool& eof);
std::string read_file(const std::string& path);
// Resident memory of a process, from /proc (KiB).
long rss_kib(int pid);
int count_fds(int pid);
// True when `pid` has exited (a zombie nobody has reaped yet counts: an
// orphan waits for init, which may be slow to reap it).
bool process_gone(int pid);
std::vector<int> children_of(int pid);
// Live processes with `arg` as one of their arguments (from /proc/N/cmdline).
std::vector<int> processes_with_argument(const std::string& arg);

// A wire-1 (pty-supervisor.sock) client.
class SupervisorClient {
 public:
  explicit SupervisorClient(const std::string& socket_path);
  ~SupervisorClient();
  SupervisorClient(const SupervisorClient&) = delete;

  void send_raw(std::string_view bytes);
  void send(const boost::json::object& message, std::string_view payload = {});
  // Sends a request and waits for its response; events that arrive first are
  // kept for next_event().
  boost::json::object request(const std::string& type, boost::json::value payload = {},
                              std::string_view bytes = {}, std::chrono::milliseconds timeout = 10s);
  boost::json::object hello();
  // The next event (json + raw payload), or nullopt at the deadline.
  std::optional<proto::Frame> next_event(std::chrono::milliseconds timeout = 10s);
  // Reads until a frame arrives (any kind), or the deadline / end of stream.
  std::optional<proto::Frame> next_frame(std::chrono::milliseconds timeout);
  bool closed_by_peer() const { return eof_; }
  // Forgets events already received for `session_id` (after a detach: they
  // were sent before its response).
  void drop_events(const std::string& session_id);
  void close();
  int fd() const { return fd_; }

 private:
  bool read_some(Clock::time_point deadline);

  int fd_ = -1;
  int next_id_ = 1;
  bool eof_ = false;
  proto::FrameDecoder decoder_;
  std::vector<proto::Frame> pending_;  // frames read but not yet asked for
};

// Runs `body` in a child process as user `nobody` (after chmod-ing what it
// must reach); returns the child's exit status (as from waitpid). 3: the uid
// could not be changed; 4: body threw.
int run_as_nobody(const std::function<int()>& body);

// Responses of either wire: {id, ok, payload} or {id, ok:false, error}.
bool ok(const boost::json::object& response);
// "OK", or the error's code.
std::string error_code(const boost::json::object& response);
// The same, "NO ANSWER" for a response that never came.
std::string error_code(const std::optional<boost::json::object>& response);

bool contains(const std::string& s, std::string_view what);
// What `seq FROM TO` shows through a PTY: "FROM\r\n...TO\r\n".
std::string seq_output(int from, int to);

// Paths of the binaries under test.
std::string supervisor_binary();

// A pty-supervisor on a fresh temp state dir.
class SupervisorFixture {
 public:
  explicit SupervisorFixture(std::vector<std::string> extra_args = {});
  std::string socket() const { return dir.path() + "/pty-supervisor.sock"; }
  TempDir dir;
  std::unique_ptr<Process> process;
};

std::string session_payload_id(const proto::Frame& f);

}  // namespace ptyctl::test
