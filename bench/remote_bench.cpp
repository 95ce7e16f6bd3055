// ptyctl --host through a real sshd on loopback (ssh_harness.hpp), beside
// plain ssh to the same sshd in the same run:
//  - throughput: `cat` of a seq-text file in a session, shown by `ptyctl
//    --host attach` on a PTY of ours, beside `ssh -tt HOST cat FILE` on a
//    PTY of ours; MB/s of file bytes, median of N interleaved runs;
//  - keystroke echo: one byte typed into `cat` in raw mode until it comes
//    back, through the attach, beside the same through `ssh -tt`.
// Both sides pay for ssh's encryption and a local PTY; ours adds the bridge,
// terminal-host and the supervisor.
//
//   bench_remote [--mb N] [--runs N] [--echoes N]

#include "baselines.hpp"
#include "ssh_harness.hpp"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

using namespace ptyctl::test;
using namespace ptyctl::bench;

namespace {

std::string quoted(const std::string& s) {
  return "'" + s + "'";  // temp paths and our own commands: no quote in them
}

struct Remote {
  TempDir dir;
  std::unique_ptr<SshServer> sshd;
  std::string ptyctl, env, host;
  Remote() {
    ptyctl = (std::filesystem::read_symlink("/proc/self/exe").parent_path() / "ptyctl").string();
    sshd = std::make_unique<SshServer>(
        dir, std::map<std::string, std::string>{{"XDG_DATA_HOME", dir.path() + "/data"}});
    for (const auto& [k, v] : sshd->client_env(ptyctl))
      env += k + "=" + quoted(v) + " ";
    env += "XDG_DATA_HOME=" + quoted(dir.path() + "/local-data") + " ";
    host = std::string(SshServer::kHost) + ":" + dir.path() + "/state";
  }
  ~Remote() {
    // The remote servers this run started (the bridge started them).
    for (const char* pid_file : {"/state/terminal-host.pid", "/state/pty-supervisor.pid"}) {
      std::ifstream in(dir.path() + pid_file);
      pid_t pid = 0;
      if (in >> pid && pid > 0) ::kill(pid, SIGTERM);
    }
  }
  std::string cli(const std::string& args) const {
    return env + ptyctl + " --host " + quoted(host) + " " + args;
  }
  std::string ssh(const std::string& command) const {
    return "ssh -F " + quoted(sshd->client_config()) + " -tt " + SshServer::kHost + " " +
           quoted(command);
  }
};

// Reads `master` until `marker` has been read (false at EOF).
bool read_until(int master, const std::string& marker, std::string* tail = nullptr) {
  std::string seen;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(master, buf, sizeof buf);
    if (n <= 0) return false;
    seen.append(buf, static_cast<std::size_t>(n));
    if (seen.find(marker) != std::string::npos) {
      if (tail) *tail = seen.substr(seen.find(marker) + marker.size());
      return true;
    }
    if (seen.size() > 2 * marker.size() + 65536) seen.erase(0, seen.size() - marker.size());
  }
}

void end(int master, pid_t pid) {
  ::close(master);
  ::kill(pid, SIGKILL);
  int status;
  ::waitpid(pid, &status, 0);
}

// MB/s of the file's bytes from the newline that starts the cat to the end
// marker, as `command` on a PTY shows it.
double throughput(const std::string& command, const std::string& done, std::size_t bytes) {
  pid_t pid;
  const int master = bare_pty(command, pid);
  if (!read_until(master, "READY")) {
    end(master, pid);
    return 0;
  }
  const auto t0 = Clock::now();
  if (::write(master, "\n", 1) != 1 || !read_until(master, done)) {
    end(master, pid);
    return 0;
  }
  const double s = seconds_since(t0);
  end(master, pid);
  return bytes / s / 1e6;
}

// Round trips (us) of one byte typed into `cat` in raw mode behind `command`.
std::vector<double> echo(const std::string& command, int n) {
  pid_t pid;
  const int master = bare_pty(command, pid);
  std::vector<double> us;
  // '#' appears in no escape sequence a repaint may end with: once it is
  // back, what follows is cat's echo alone.
  if (read_until(master, "READY") && ::write(master, "#", 1) == 1 && read_until(master, "#")) {
    for (int i = 0; i < n; ++i) {
      const char out = static_cast<char>('a' + i % 26);
      const auto t0 = Clock::now();
      if (::write(master, &out, 1) != 1) break;
      char in = 0;
      while (::read(master, &in, 1) == 1 && in != out) {
      }
      if (in != out) break;
      us.push_back(seconds_since(t0) * 1e6);
    }
  }
  end(master, pid);
  return us;
}

}  // namespace

int main(int argc, char** argv) {
  BenchArgs args = parse_bench_args(argc, argv);
  if (args.mb == 50) args.mb = 20;  // over ssh: a smaller default file
  struct stat st {};
  if (::stat(sshd_binary().c_str(), &st) != 0) {
    std::printf("bench_remote: skipped, no %s (package openssh-server)\n", sshd_binary().c_str());
    return 0;
  }
  Remote r;
  const std::string file = r.dir.path() + "/seq.txt";
  const std::size_t bytes = write_seq_file(file, args.mb);
  const std::string cat = "stty -echo; printf READY; read x; cat " + file + "; printf DONE";
  std::vector<double> ours, ssh;
  for (int run = 0; run < args.runs; ++run) {
    const std::string id = "t" + std::to_string(run);
    if (std::system(
            (r.cli("new --id " + id + " -- sh -c " + quoted(cat)) + " > /dev/null").c_str()) != 0) {
      std::fprintf(stderr, "bench_remote: ptyctl --host new failed\n");
      return 1;
    }
    ours.push_back(throughput(r.cli("attach " + id), "exited with code", bytes));
    ssh.push_back(throughput(r.ssh(cat), "DONE", bytes));
  }
  const double o = median(ours), s = median(ssh);
  std::printf(
      "--host throughput (ptyctl attach over ssh to loopback), cat of %zu MB seq text, median of "
      "%d interleaved runs\n",
      args.mb, args.runs);
  std::printf("  ptyctl --host %7.1f MB/s   ssh -tt %7.1f MB/s (ratio %.2f)\n", o, s,
              s > 0 ? o / s : 0.0);
  const std::string raw = "stty raw -echo; printf READY; exec cat";
  if (std::system((r.cli("new --id echo -- sh -c " + quoted(raw)) + " > /dev/null").c_str()) != 0)
    return 1;
  const auto oe = echo(r.cli("attach echo"), args.echoes);
  const auto se = echo(r.ssh(raw), args.echoes);
  if (oe.size() < static_cast<std::size_t>(args.echoes) ||
      se.size() < static_cast<std::size_t>(args.echoes)) {
    std::fprintf(stderr, "bench_remote: echo measurement failed (%zu, %zu)\n", oe.size(),
                 se.size());
    return 1;
  }
  std::printf("--host keystroke echo, %d bytes typed into cat in raw mode\n", args.echoes);
  std::printf("  ptyctl --host p50 %6.0f us  p99 %6.0f us   ssh -tt p50 %6.0f us  p99 %6.0f us\n",
              percentile(oe, 0.5), percentile(oe, 0.99), percentile(se, 0.5), percentile(se, 0.99));
  return 0;
}
