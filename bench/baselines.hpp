#pragma once
// What every benchmark measures beside its own figure, in the same run: a
// bare PTY and tmux, plus the statistics the figures are quoted with.

#include "harness.hpp"

#include <sys/types.h>

#include <string>
#include <vector>

namespace ptyctl::bench {

using test::Clock;

// --mb N (file size), --runs N (median of), --echoes N (round trips).
struct BenchArgs {
  std::size_t mb = 50;
  int runs = 5;
  int echoes = 2000;
};
BenchArgs parse_bench_args(int argc, char** argv);

double seconds_since(Clock::time_point t0);
double median(std::vector<double> v);
double percentile(std::vector<double> v, double p);

// A file of seq output ("1\n2\n...") of at least `mb` MB; its size in bytes.
std::size_t write_seq_file(const std::string& path, std::size_t mb);

// `command` under /bin/sh in a bare 80x24 PTY; returns the master fd.
int bare_pty(const std::string& command, pid_t& pid);
// MB/s of `cat file` read from a bare PTY.
double bare_throughput(const std::string& file, std::size_t file_bytes);
// MB/s of `cat file` in a detached 80x24 tmux session (socket under `dir`).
double tmux_throughput(const std::string& dir, const std::string& file, std::size_t file_bytes);
// Round trips (us) of one byte to `cat` in raw mode through a bare PTY.
std::vector<double> bare_echo(int n);

}  // namespace ptyctl::bench
