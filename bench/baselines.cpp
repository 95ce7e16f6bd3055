#include "baselines.hpp"

#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>

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

double bare_throughput(const std::string& file, std::size_t file_bytes) {
  pid_t pid;
  const auto t0 = Clock::now();
  const int master = bare_pty("cat " + file, pid);
  char buf[65536];
  while (::read(master, buf, sizeof buf) > 0) {
  }
  const double s = seconds_since(t0);
  ::close(master);
  int status;
  ::waitpid(pid, &status, 0);
  return file_bytes / s / 1e6;
}

double tmux_throughput(const std::string& dir, const std::string& file, std::size_t file_bytes) {
  const std::string sock = dir + "/tmux.sock";
  const std::string tmux = "tmux -S " + sock + " ";
  const auto t0 = Clock::now();
  const std::string cmd = tmux + "new-session -d -x 80 -y 24 'cat " + file + "; " + tmux +
                          "wait-for -S done' && " + tmux + "wait-for done";
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

}  // namespace ptyctl::bench
