#pragma once
// What every benchmark measures beside its own figure, in the same run: a
// bare PTY and tmux, plus the statistics the figures are quoted with.

#include "harness.hpp"

#include <sys/types.h>

#include <string>
#include <thread>
#include <vector>

namespace ptyctl::bench {

using test::Clock;

// --mb N (file size), --runs N (median of), --echoes N (round trips).
struct BenchArgs {
  std::size_t mb = 50;
  int runs = 5;
  int echoes = 2000;
  std::string only;  // --only NAME: one part of a benchmark (its own names)
};
BenchArgs parse_bench_args(int argc, char** argv);

double seconds_since(Clock::time_point t0);
double median(std::vector<double> v);
double percentile(std::vector<double> v, double p);

// A file of seq output ("1\n2\n...") of at least `mb` MB; its size in bytes.
std::size_t write_seq_file(const std::string& path, std::size_t mb);

// `command` under /bin/sh in a bare 80x24 PTY; returns the master fd.
int bare_pty(const std::string& command, pid_t& pid);
// How a benchmark's program prints its file: "stty raw -echo; " (the bytes
// as they are, what full-screen programs and `cat` of binary data get) or
// "" (cooked: the line discipline turns each \n into \r\n).
std::string mode_prefix(bool raw);
// MB/s of `cat file` read from a bare PTY by a C reader.
double bare_throughput(const std::string& file, std::size_t file_bytes, bool raw = false);
// MB/s of `cat file` in a detached 80x24 tmux session (socket under `dir`).
double tmux_throughput(const std::string& dir, const std::string& file, std::size_t file_bytes,
                       bool raw = false);
// Round trips (us) of one byte to `cat` in raw mode through a bare PTY.
std::vector<double> bare_echo(int n);
// User + system CPU time of a process so far, in ms (/proc/PID/stat).
double cpu_ms(int pid);
// Programs printing flat out (`yes`) in bare PTYs, drained by a thread
// with a C reader, for as long as it lives.
class BareFlood {
 public:
  explicit BareFlood(int sessions);
  ~BareFlood();
  BareFlood(const BareFlood&) = delete;
  BareFlood& operator=(const BareFlood&) = delete;

 private:
  std::vector<int> masters_;
  std::vector<pid_t> pids_;
  int stop_pipe_[2] = {-1, -1};
  std::thread reader_;
};

}  // namespace ptyctl::bench
