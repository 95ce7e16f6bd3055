#include <ptyctl/common/registry.hpp>
#include <ptyctl/common/state_dir.hpp>
#include <ptyctl/proto/json_struct.hpp>
#include <ptyctl/proto/paths.hpp>

#include <boost/describe/class.hpp>

#include <boost/json.hpp>

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace ptyctl {

namespace json = boost::json;
namespace fs = std::filesystem;

std::string process_name(const std::string& kind, const std::string& name) {
  return kind + "-" + name;
}

bool valid_instance_name(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  return true;
}

bool same_state_dir(const std::string& a, const std::string& b) {
  return proto::normalise_dir(a) == proto::normalise_dir(b);
}

std::string default_instance_name(const std::string& state_dir) {
  const std::string dir = proto::normalise_dir(state_dir);
  const std::string home = proto::normalise_dir(proto::home_dir());
  if (dir == home + "/.superset") return "default";
  const std::string ws_prefix = home + "/.superset-";
  if (dir.rfind(ws_prefix, 0) == 0 && valid_instance_name(dir.substr(ws_prefix.size())))
    return dir.substr(ws_prefix.size());
  std::string base;
  for (char c : fs::path(dir).filename().string()) {
    if (base.size() == 24) break;
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (ok)
      base += c;
    else if (!base.empty() && base.back() != '-')
      base += '-';
  }
  while (!base.empty() && base.back() == '-')
    base.pop_back();
  if (base.empty()) base = "dir";
  std::uint32_t h = 2166136261u;  // FNV-1a: stable across releases and machines
  for (unsigned char c : dir) {
    h ^= c;
    h *= 16777619u;
  }
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x", h);
  return base + "-" + hex;
}

std::string registry_dir() {
  std::string base;
  if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x == '/') {
    base = x;
  } else {
    const char* home = std::getenv("HOME");
    base = std::string(home && *home ? home : "/") + "/.local/share";
  }
  return base + "/ptyctl/processes";
}

std::string registry_path(const std::string& process) {
  return registry_dir() + "/" + process + ".json";
}

std::string sidecar_path(const std::string& process) {
  return registry_dir() + "/" + process + ".supervisor.json";
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string iso8601_utc(std::int64_t ms) {
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm t{};
  ::gmtime_r(&secs, &t);
  char buf[40];
  const std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &t);
  std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(ms % 1000));
  return buf;
}

// After the mapper's pass: the id (for readers of the file) and an explicit
// null for no log file.
void finish_json(json::object& o, const ProcessEntry& e) {
  o["id"] = e.id();
  if (!e.log_file) o["log_file"] = nullptr;
}

BOOST_DESCRIBE_STRUCT(ProcessEntry, (),
                      (process, kind, name, pid, command, log_file, state_dir, socket, version,
                       started_at_ms, started_at))
PTYCTL_PROTO_JSON_DEFINE(ProcessEntry)

void register_process(const ProcessEntry& e) {
  std::error_code ec;
  fs::create_directories(registry_dir(), ec);
  const json::value o = json::value_from(e);
  try {
    write_private_file(registry_path(e.process), json::serialize(o) + "\n");
  } catch (const StateDirError&) {
    // The registry is for ptyctl's process verbs; serving goes on without it.
  }
}

std::optional<ProcessEntry> read_process(const std::string& process) {
  std::ifstream in(registry_path(process));
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  boost::system::error_code ec;
  const json::value v = json::parse(ss.str(), ec);
  if (ec || !v.is_object()) return std::nullopt;
  try {
    return json::value_to<ProcessEntry>(v);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::vector<ProcessEntry> list_processes() {
  std::vector<ProcessEntry> out;
  std::error_code ec;
  for (const auto& f : fs::directory_iterator(registry_dir(), ec)) {
    const std::string file = f.path().filename().string();
    if (file.size() < 6 || file.ends_with(".supervisor.json") || !file.ends_with(".json")) continue;
    if (auto e = read_process(file.substr(0, file.size() - 5))) out.push_back(std::move(*e));
  }
  std::sort(out.begin(), out.end(),
            [](const ProcessEntry& a, const ProcessEntry& b) { return a.process < b.process; });
  return out;
}

bool process_running(const ProcessEntry& e) {
  if (e.pid <= 0 || ::kill(e.pid, 0) != 0) return false;
  std::ifstream stat("/proc/" + std::to_string(e.pid) + "/stat");
  std::string s((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const std::size_t close_paren = s.rfind(')');
  if (close_paren == std::string::npos || s.compare(close_paren + 2, 1, "Z") == 0) return false;
  // A reused pid runs another program: compare the executable's name.
  std::error_code ec;
  const auto exe = fs::read_symlink("/proc/" + std::to_string(e.pid) + "/exe", ec);
  const std::string want = e.kind == "supervisor" ? "pty-supervisor" : "terminal-host";
  return ec || exe.filename().string().rfind(want, 0) == 0;
}

}  // namespace ptyctl
