#include "harness.hpp"

#include <ptyctl/proto/supervisor_messages.hpp>
#include <ptyctl/proto/version.hpp>

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace ptyctl::test {

namespace json = boost::json;

namespace {
// Servers started by the tests register in the process registry under
// $XDG_DATA_HOME: a directory of this test process, never the user's.
struct PrivateRegistry {
  std::string dir;
  PrivateRegistry() {
    char tmpl[] = "/tmp/ptyctl-xdg-XXXXXX";
    if (::mkdtemp(tmpl)) dir = tmpl;
    if (!dir.empty()) ::setenv("XDG_DATA_HOME", dir.c_str(), 1);
  }
  ~PrivateRegistry() {
    std::error_code ec;
    if (!dir.empty()) std::filesystem::remove_all(dir, ec);
  }
} private_registry;
}  // namespace

TempDir::TempDir() {
  char tmpl[] = "/tmp/ptyctl-test-XXXXXX";
  if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

Process::Process(const std::string& binary, const std::vector<std::string>& args,
                 const std::map<std::string, std::string>& env) {
  char tmpl[] = "/tmp/ptyctl-proc-XXXXXX.log";
  const int log_fd = ::mkstemps(tmpl, 4);
  log_path_ = tmpl;
  std::vector<std::string> argv_s{binary};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_ = ::fork();
  if (pid_ == 0) {
    ::setpgid(0, 0);
    ::dup2(log_fd, 1);
    ::dup2(log_fd, 2);
    for (const auto& [k, v] : env)
      ::setenv(k.c_str(), v.c_str(), 1);
    // Small ASan quarantine: memory figures of the test build stay meaningful.
    ::setenv("ASAN_OPTIONS", "quarantine_size_mb=16:detect_leaks=0", 0);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(log_fd);
}

Process::~Process() {
  if (pid_ > 0 && !reaped_) {
    ::kill(pid_, SIGKILL);
    int status;
    ::waitpid(pid_, &status, 0);
  }
  ::unlink(log_path_.c_str());
}

void Process::signal(int sig) {
  if (!reaped_) ::kill(pid_, sig);
}

std::optional<int> Process::wait(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    int status;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      reaped_ = true;
      return status;
    }
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(5ms);  // polling interval of a deadline-bounded wait
  }
}

std::string Process::log() const {
  return read_file(log_path_);
}

NotifySocket::NotifySocket(std::string path) : path_(std::move(path)) {
  fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path_.c_str());
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    throw std::runtime_error("bind " + path_ + ": " + std::strerror(errno));
}

NotifySocket::~NotifySocket() {
  ::close(fd_);
}

std::optional<std::string> NotifySocket::receive(std::chrono::milliseconds timeout) {
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return std::nullopt;
  char buf[256];
  const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
  return std::string(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
}

void exec_or_exit(const std::vector<std::string>& argv_strings) {
  std::vector<std::string> copy = argv_strings;
  std::vector<char*> argv;
  for (auto& a : copy)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  ::execv(argv[0], argv.data());
  ::_exit(127);
}

bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    if (condition()) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(5ms);  // polling interval of a deadline-bounded wait
  }
}

int connect_unix(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    const int err = errno;
    ::close(fd);
    throw std::runtime_error("connect " + path + ": " + std::strerror(err));
  }
  return fd;
}

void send_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("send: ") + std::strerror(errno));
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

bool read_with_deadline(int fd, Clock::time_point deadline, std::string& out, bool& eof) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  if (left.count() <= 0) return false;
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
  char buf[65536];
  const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  if (n <= 0) {
    eof = true;
    return true;
  }
  out.append(buf, static_cast<std::size_t>(n));
  return true;
}

bool path_exists(const std::string& path) {
  return ::access(path.c_str(), F_OK) == 0;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

long rss_kib(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

bool process_gone(int pid) {
  if (::kill(pid, 0) != 0) return true;
  const std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  const std::size_t close_paren = stat.rfind(')');
  return close_paren == std::string::npos || stat.compare(close_paren + 2, 1, "Z") == 0;
}

std::vector<int> processes_with_argument(const std::string& arg) {
  std::vector<int> pids;
  DIR* d = ::opendir("/proc");
  if (!d) return pids;
  while (dirent* e = ::readdir(d)) {
    char* end;
    const long pid = std::strtol(e->d_name, &end, 10);
    if (*end != '\0' || pid <= 0 || pid == ::getpid()) continue;
    const std::string cmdline = read_file("/proc/" + std::to_string(pid) + "/cmdline");
    std::size_t start = 0;
    while (start < cmdline.size()) {
      const std::size_t nul = cmdline.find('\0', start);
      const std::size_t len = (nul == std::string::npos ? cmdline.size() : nul) - start;
      if (cmdline.compare(start, len, arg) == 0 && !process_gone(static_cast<int>(pid))) {
        pids.push_back(static_cast<int>(pid));
        break;
      }
      start += len + 1;
    }
  }
  ::closedir(d);
  return pids;
}

int count_fds(int pid) {
  int n = 0;
  if (DIR* d = ::opendir(("/proc/" + std::to_string(pid) + "/fd").c_str())) {
    while (dirent* e = ::readdir(d))
      if (e->d_name[0] != '.') ++n;
    ::closedir(d);
  }
  return n;
}

std::vector<int> children_of(int pid) {
  std::vector<int> out;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.empty() || !std::isdigit(static_cast<unsigned char>(name[0]))) continue;
    const std::string stat = read_file(entry.path().string() + "/stat");
    const std::size_t close_paren = stat.rfind(')');
    if (close_paren == std::string::npos) continue;
    std::istringstream rest(stat.substr(close_paren + 2));
    char state;
    int ppid;
    rest >> state >> ppid;
    if (ppid == pid) out.push_back(std::stoi(name));
  }
  return out;
}

SupervisorClient::SupervisorClient(const std::string& socket_path)
    : fd_(connect_unix(socket_path)) {}

SupervisorClient::~SupervisorClient() {
  close();
}

void SupervisorClient::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void SupervisorClient::send_raw(std::string_view bytes) {
  send_all(fd_, bytes);
}

void SupervisorClient::send(const json::object& message, std::string_view payload) {
  send_raw(proto::encode_frame(message, payload));
}

bool SupervisorClient::read_some(Clock::time_point deadline) {
  if (eof_) return false;
  std::string bytes;
  if (!read_with_deadline(fd_, deadline, bytes, eof_) || eof_) return false;
  decoder_.feed(bytes);
  while (auto f = decoder_.next())
    pending_.push_back(std::move(*f));
  return true;
}

std::optional<proto::Frame> SupervisorClient::next_frame(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (pending_.empty())
    if (!read_some(deadline)) return std::nullopt;
  proto::Frame f = std::move(pending_.front());
  pending_.erase(pending_.begin());
  return f;
}

json::object SupervisorClient::request(const std::string& type, json::value payload,
                                       std::string_view bytes, std::chrono::milliseconds timeout) {
  std::string id = std::to_string(next_id_++);
  id.insert(0, 1, 't');  // (not "t" + ...: g++ 12 -O2 warns falsely, -Wrestrict)
  send(proto::make_request(id, type, std::move(payload)), bytes);
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    for (auto it = pending_.begin(); it != pending_.end(); ++it) {
      const json::value* fid = it->json.if_contains("id");
      if (fid && fid->is_string() && fid->get_string() == id) {
        json::object out = it->json;
        pending_.erase(it);
        return out;
      }
    }
    if (!read_some(deadline))
      throw std::runtime_error("no response to " + type + (eof_ ? " (connection closed)" : ""));
  }
}

json::object SupervisorClient::hello() {
  return request("hello",
                 json::value_from(proto::sup::HelloRequest{proto::kSupervisorProtocolVersion,
                                                           static_cast<int>(::getpid()), "test"}));
}

std::optional<proto::Frame> SupervisorClient::next_event(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    for (auto it = pending_.begin(); it != pending_.end(); ++it) {
      if (!it->json.contains("id")) {
        proto::Frame f = std::move(*it);
        pending_.erase(it);
        return f;
      }
    }
    if (!read_some(deadline)) return std::nullopt;
  }
}

void SupervisorClient::drop_events(const std::string& session_id) {
  std::erase_if(pending_, [&](const proto::Frame& f) {
    return !f.json.contains("id") && session_payload_id(f) == session_id;
  });
}

bool ok(const json::object& response) {
  return response.at("ok").as_bool();
}

std::string error_code(const json::object& response) {
  if (ok(response)) return "OK";
  return std::string(response.at("error").at("code").as_string());
}

std::string error_code(const std::optional<json::object>& response) {
  return response ? error_code(*response) : "NO ANSWER";
}

bool contains(const std::string& s, std::string_view what) {
  return s.find(what) != std::string::npos;
}

std::string seq_output(int from, int to) {
  std::string s;
  for (int i = from; i <= to; ++i)
    s += std::to_string(i) + "\r\n";
  return s;
}

int run_as_nobody(const std::function<int()>& body) {
  const passwd* nobody = ::getpwnam("nobody");
  if (!nobody) return -1;
  const pid_t child = ::fork();
  if (child == 0) {
    if (::setgid(nobody->pw_gid) != 0 || ::setuid(nobody->pw_uid) != 0) ::_exit(3);
    try {
      ::_exit(body());
    } catch (...) {
      ::_exit(4);
    }
  }
  int status = -1;
  ::waitpid(child, &status, 0);
  return status;
}

std::string supervisor_binary() {
  return PTYCTL_SUPERVISOR_BIN;
}

SupervisorFixture::SupervisorFixture(std::vector<std::string> extra_args) {
  std::vector<std::string> args{"--state-dir", dir.path(), "--log-level", "debug"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  process = std::make_unique<Process>(supervisor_binary(), args);
  const std::string pid_file = dir.path() + "/pty-supervisor.pid";
  if (!wait_until([&] { return path_exists(pid_file); }, 20s))
    throw std::runtime_error("pty-supervisor did not start: " + process->log());
}

std::string session_payload_id(const proto::Frame& f) {
  const json::value* s = f.json.if_contains("sessionId");
  return s && s->is_string() ? std::string(s->get_string()) : "";
}

}  // namespace ptyctl::test
