#include <ptyctl/proto/paths.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <system_error>

namespace ptyctl::proto {

namespace {

std::string home_dir() {
  if (const char* h = std::getenv("HOME"); h && *h) return h;
  return "/tmp";
}

std::string workspace_suffix(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (out.size() == 32) break;
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    out += ok ? c : '-';
  }
  return out;
}

}  // namespace

std::string resolve_state_dir(std::string_view explicit_dir) {
  if (!explicit_dir.empty()) return std::string(explicit_dir);
  if (const char* d = std::getenv("PTYCTL_STATE_DIR"); d && *d) return d;
  const char* ws = std::getenv("SUPERSET_WORKSPACE_NAME");
  if (ws && *ws && std::string_view(ws) != "superset")
    return home_dir() + "/.superset-" + workspace_suffix(ws);
  return home_dir() + "/.superset";
}

void ensure_private_dir(const std::string& dir) {
  std::string partial;
  for (std::size_t i = 1; i <= dir.size(); ++i) {
    if (i == dir.size() || dir[i] == '/') {
      partial = dir.substr(0, i);
      if (::mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST)
        throw std::system_error(errno, std::generic_category(), "mkdir " + partial);
    }
  }
  if (::chmod(dir.c_str(), 0700) != 0)
    throw std::system_error(errno, std::generic_category(), "chmod " + dir);
}

}  // namespace ptyctl::proto
