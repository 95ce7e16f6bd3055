#pragma once
// Running ptyctl in tests: to completion with a deadline, or attached to a
// pseudo-terminal the test owns (the test is its terminal), and a private
// state dir and process registry per test.

#include "host_client.hpp"

#include <termios.h>

#include <boost/json.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <vector>

namespace ptyctl::test {

struct CliResult {
  int code = -1;
  std::string out, err;
};

std::string cli_binary();

// Runs ptyctl to completion (stdin from /dev/null), with a deadline.
CliResult run_cli(const std::vector<std::string>& args,
                  const std::map<std::string, std::string>& env = {},
                  std::chrono::milliseconds timeout = 60s);

std::vector<std::string> with_state(const HostFixture& f, std::vector<std::string> args);
int lines_of(const std::string& s);

// ptyctl attach on a PTY of ours: we are its terminal.
class AttachedTerminal {
 public:
  explicit AttachedTerminal(const std::vector<std::string>& args,
                            const std::map<std::string, std::string>& env = {});
  ~AttachedTerminal();
  void type(std::string_view keys);
  // Reads until `re` matches what was shown after the last match.
  bool read_until(const std::regex& re, std::chrono::milliseconds timeout = 30s);
  // Reads whatever is there without waiting, as a terminal keeps reading
  // its program's output.
  void read_available();
  void resize(int cols, int rows);
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  bool mode_restored() const;
  bool raw_now() const;
  const std::string& screen() const { return screen_; }
  pid_t pid() const { return pid_; }

 private:
  int master_ = -1, slave_ = -1;
  pid_t pid_ = -1;
  termios original_{};
  std::string screen_;
  std::size_t mark_ = 0;
  std::optional<int> status_;
};

// Stops whatever registered in a test's private registry, even when the test
// failed half way.
struct RegistryCleanup {
  const TempDir& dir;
  ~RegistryCleanup();
};

// ptyctl on a state dir (<dir>/state) and a process registry of the test's own.
std::function<CliResult(std::vector<std::string>)> private_cli(const TempDir& dir);
// The environment private_cli gives ptyctl.
std::map<std::string, std::string> private_env(const TempDir& dir);

// The registry id of a process of the test's private state dir.
std::string process_id(const TempDir& dir, const std::string& kind);

boost::json::object find_process(const std::string& ps_json, const std::string& id);

}  // namespace ptyctl::test
