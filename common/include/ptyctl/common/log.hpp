#pragma once
// Log lines to stderr: "<time> <level> <message>". One global level.

#include <string>
#include <string_view>

namespace ptyctl {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

void set_log_level(LogLevel level);
bool parse_log_level(std::string_view name, LogLevel& out);
void log(LogLevel level, const std::string& message);

inline void log_debug(const std::string& m) {
  log(LogLevel::kDebug, m);
}
inline void log_info(const std::string& m) {
  log(LogLevel::kInfo, m);
}
inline void log_warn(const std::string& m) {
  log(LogLevel::kWarn, m);
}
inline void log_error(const std::string& m) {
  log(LogLevel::kError, m);
}

}  // namespace ptyctl
