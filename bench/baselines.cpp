#include "baselines.hpp"

#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>

namespace ptyctl::bench {

BenchArgs parse_bench_args(int argc, char** argv) {
  BenchArgs a;
  for (int i = 1; i + 1 < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--mb")
      a.mb = std::stoul(argv[++i]);
    else if (flag == "--runs")
      a.runs = std::stoi(argv[++i]);
    else if (flag == "--echoes")
      a.echoes = std::stoi(argv[++i]);
    else if (flag == "--only")
      a.only = argv[++i];
  }
  return a;
}

std::size_t write_seq_file(const std::string& path, std::size_t mb) {
  std::ofstream out(path);
  std::size_t bytes = 0;
  for (long i = 1; bytes < mb * 1000 * 1000; ++i) {
    const std::string line = std::to_string(i) + "\n";
    out << line;
    bytes += line.size();
  }
  return bytes;
}

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * v.size()))];
}

// A program in a bare PTY; returns the master fd.
int bare_pty(const std::string& command, pid_t& pid) {
  winsize ws{24, 80, 0, 0};
  int master;
  pid = ::forkpty(&master, nullptr, nullptr, &ws);
  if (pid == 0) {
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return master;
}

std::string mode_prefix(bool raw) {
  return raw ? "stty raw -echo; " : "";
}

double bare_throughput(const std::string& file, std::size_t file_bytes, bool raw) {
  pid_t pid;
  const auto t0 = Clock::now();
  const int master = bare_pty(mode_prefix(raw) + "cat " + file, pid);
  char buf[65536];
  while (::read(master, buf, sizeof buf) > 0) {
  }
  const double s = seconds_since(t0);
  ::close(master);
  int status;
  ::waitpid(pid, &status, 0);
  return file_bytes / s / 1e6;
}

double tmux_throughput(const std::string& dir, const std::string& file, std::size_t file_bytes,
                       bool raw) {
  const std::string sock = dir + "/tmux.sock";
  const std::string tmux = "tmux -S " + sock + " ";
  const auto t0 = Clock::now();
  const std::string cmd = tmux + "new-session -d -x 80 -y 24 '" + mode_prefix(raw) + "cat " + file +
                          "; " + tmux + "wait-for -S done' && " + tmux + "wait-for done";
  if (std::system(cmd.c_str()) != 0) return 0;
  const double s = seconds_since(t0);
  std::system((tmux + "kill-server 2>/dev/null").c_str());
  return file_bytes / s / 1e6;
}

std::vector<double> bare_echo(int n) {
  pid_t pid;
  const int master = bare_pty("stty raw -echo; printf R; exec cat", pid);
  char c;
  while (::read(master, &c, 1) == 1 && c != 'R') {
  }
  std::vector<double> us;
  for (int i = 0; i < n; ++i) {
    const char out = static_cast<char>('a' + i % 26);
    const auto t0 = Clock::now();
    if (::write(master, &out, 1) != 1) break;
    char in;
    if (::read(master, &in, 1) != 1) break;
    us.push_back(seconds_since(t0) * 1e6);
  }
  ::close(master);
  ::kill(pid, SIGKILL);
  int status;
  ::waitpid(pid, &status, 0);
  return us;
}

double cpu_ms(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // pid (comm) state ppid ... utime stime are fields 14 and 15; comm may
  // hold anything but ')'.
  const std::size_t after = stat.rfind(')');
  if (after == std::string::npos) return 0;
  std::istringstream fields(stat.substr(after + 2));
  std::string field;
  double utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stod(field);
    if (i == 15) stime = std::stod(field);
  }
  return (utime + stime) * 1000.0 / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

BareFlood::BareFlood(int sessions) {
  for (int i = 0; i < sessions; ++i) {
    pid_t pid;
    masters_.push_back(bare_pty("exec yes", pid));
    pids_.push_back(pid);
  }
  if (::pipe(stop_pipe_) != 0) return;
  reader_ = std::thread([this] {
    std::vector<pollfd> fds;
    for (int m : masters_)
      fds.push_back({m, POLLIN, 0});
    fds.push_back({stop_pipe_[0], POLLIN, 0});
    static char buf[65536];
    for (;;) {
      if (::poll(fds.data(), fds.size(), -1) < 0) continue;
      if (fds.back().revents) return;
      for (std::size_t i = 0; i + 1 < fds.size(); ++i)
        if (fds[i].revents & POLLIN) {
          const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
          (void)n;
        }
    }
  });
}

BareFlood::~BareFlood() {
  if (reader_.joinable()) {
    const ssize_t n = ::write(stop_pipe_[1], "x", 1);
    (void)n;
    reader_.join();
  }
  for (pid_t pid : pids_)
    ::kill(pid, SIGKILL);
  for (pid_t pid : pids_) {
    int status;
    ::waitpid(pid, &status, 0);
  }
  for (int m : masters_)
    ::close(m);
  ::close(stop_pipe_[0]);
  ::close(stop_pipe_[1]);
}

}  // namespace ptyctl::bench
