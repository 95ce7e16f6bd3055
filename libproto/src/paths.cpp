#include <ptyctl/proto/paths.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace ptyctl::proto {

namespace {

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

std::string chosen_state_dir(std::string_view explicit_dir) {
  if (!explicit_dir.empty()) return std::string(explicit_dir);
  if (const char* d = std::getenv("PTYCTL_STATE_DIR"); d && *d) return d;
  const char* ws = std::getenv("SUPERSET_WORKSPACE_NAME");
  if (ws && *ws && std::string_view(ws) != "superset")
    return home_dir() + "/.superset-" + workspace_suffix(ws);
  return home_dir() + "/.superset";
}

}  // namespace

std::string home_dir() {
  if (const char* h = std::getenv("HOME"); h && *h) return h;
  return "/tmp";
}

std::string normalise_dir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::absolute(dir, ec);
  if (ec) p = dir;
  std::string out = p.lexically_normal().string();
  while (out.size() > 1 && out.back() == '/')
    out.pop_back();
  return out;
}

std::string resolve_state_dir(std::string_view explicit_dir) {
  // Absolute and normalised: what sessions get as $PTYCTL_STATE_DIR and the
  // registry records must mean the same anywhere.
  return normalise_dir(chosen_state_dir(explicit_dir));
}

}  // namespace ptyctl::proto
