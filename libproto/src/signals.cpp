#include <ptyctl/proto/signals.hpp>

#include <array>
#include <cctype>
#include <csignal>
#include <utility>

namespace ptyctl::proto {

namespace {

constexpr std::array<std::pair<std::string_view, int>, 31> kSignals = {{
    {"SIGHUP", SIGHUP},   {"SIGINT", SIGINT},       {"SIGQUIT", SIGQUIT}, {"SIGILL", SIGILL},
    {"SIGTRAP", SIGTRAP}, {"SIGABRT", SIGABRT},     {"SIGBUS", SIGBUS},   {"SIGFPE", SIGFPE},
    {"SIGKILL", SIGKILL}, {"SIGUSR1", SIGUSR1},     {"SIGSEGV", SIGSEGV}, {"SIGUSR2", SIGUSR2},
    {"SIGPIPE", SIGPIPE}, {"SIGALRM", SIGALRM},     {"SIGTERM", SIGTERM}, {"SIGSTKFLT", SIGSTKFLT},
    {"SIGCHLD", SIGCHLD}, {"SIGCONT", SIGCONT},     {"SIGSTOP", SIGSTOP}, {"SIGTSTP", SIGTSTP},
    {"SIGTTIN", SIGTTIN}, {"SIGTTOU", SIGTTOU},     {"SIGURG", SIGURG},   {"SIGXCPU", SIGXCPU},
    {"SIGXFSZ", SIGXFSZ}, {"SIGVTALRM", SIGVTALRM}, {"SIGPROF", SIGPROF}, {"SIGWINCH", SIGWINCH},
    {"SIGIO", SIGIO},     {"SIGPWR", SIGPWR},       {"SIGSYS", SIGSYS},
}};

}  // namespace

std::optional<int> signal_from_name(std::string_view name) noexcept {
  if (name.empty() || name.size() > 16) return std::nullopt;
  if (std::isdigit(static_cast<unsigned char>(name[0]))) {
    int n = 0;
    for (char c : name) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
      n = n * 10 + (c - '0');
      if (n > 64) return std::nullopt;
    }
    for (const auto& [sig_name, number] : kSignals)
      if (number == n) return n;
    return std::nullopt;
  }
  std::string upper;
  for (char c : name)
    upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper.rfind("SIG", 0) != 0) upper.insert(0, "SIG");
  for (const auto& [sig_name, number] : kSignals)
    if (sig_name == upper) return number;
  return std::nullopt;
}

std::string signal_name(int number) {
  for (const auto& [sig_name, n] : kSignals)
    if (n == number) return std::string(sig_name);
  return "SIG" + std::to_string(number);
}

}  // namespace ptyctl::proto
