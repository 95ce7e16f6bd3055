#include <ptyctl/common/log.hpp>

#include <sys/time.h>
#include <cstdio>
#include <ctime>

namespace ptyctl {

namespace {
LogLevel g_level = LogLevel::kInfo;
const char* name(LogLevel l) {
  switch (l) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    default:
      return "error";
  }
}
}  // namespace

void set_log_level(LogLevel level) {
  g_level = level;
}

bool parse_log_level(std::string_view n, LogLevel& out) {
  if (n == "debug")
    out = LogLevel::kDebug;
  else if (n == "info")
    out = LogLevel::kInfo;
  else if (n == "warn")
    out = LogLevel::kWarn;
  else if (n == "error")
    out = LogLevel::kError;
  else
    return false;
  return true;
}

void log(LogLevel level, const std::string& message) {
  if (level < g_level) return;
  timeval tv;
  gettimeofday(&tv, nullptr);
  tm t;
  gmtime_r(&tv.tv_sec, &t);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &t);
  std::fprintf(stderr, "%s.%03dZ %s %s\n", stamp, static_cast<int>(tv.tv_usec / 1000), name(level),
               message.c_str());
  std::fflush(stderr);
}

}  // namespace ptyctl
