// Cold restore (docs/operations.md, "Records and restore"): a recorded
// session that did not outlive the last supervisor comes back as a new shell
// in its last directory, below its recorded scrollback and screen and a dim
// marker line, with every mode reset.

#include "supervisor.hpp"

#include <ptyctl/common/log.hpp>
#include <ptyctl/proto/snapshot.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <ctime>

namespace ptyctl::sup {

namespace {

bool is_directory(const std::string& path) {
  struct stat st {};
  return !path.empty() && ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode) &&
         ::access(path.c_str(), X_OK) == 0;
}

std::string local_time(std::int64_t ms) {
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  ::localtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
  return buf;
}

// What the restored session shows before its new shell: the recorded
// scrollback and primary screen (an alternate screen was the program's, and
// it is gone), every mode as a fresh terminal has it (no mouse tracking,
// bracketed paste, application keys or scroll region left for the new
// shell), then the marker below the last line of text.
std::string preamble(const proto::record::Record& r, const std::string& marker) {
  const auto& st = r.session;
  emu::Emulator e(st.spec.cols, st.spec.rows);
  e.set_query_answer([](std::string_view) {});
  e.restore({r.rehydrate, r.screen, r.scrollback, ""});
  if (e.on_alternate_screen()) e.feed("\x1b[?1049l");
  std::string out = e.snapshot().snapshotAnsi;
  // SGR, scroll region, origin and insert mode, keypad, G0; then the modes.
  out += "\x1b[0m\x1b[r\x1b[?6l\x1b[4l\x1b>\x1b(B";
  out += proto::rehydrate_sequences(proto::Modes{});
  const std::string text = e.text();
  int last_text_row = -1;
  if (!text.empty()) {
    last_text_row = 0;
    for (char c : text)
      last_text_row += c == '\n' ? 1 : 0;
  }
  const int row = std::max(last_text_row, e.cursor().row);
  out += "\x1b[" + std::to_string(row + 1) + ";1H\r\n";
  out += "\x1b[2m" + marker + "\x1b[0m\r\n";
  return out;
}

}  // namespace

bool Supervisor::restorable(const std::string& id) const {
  if (auto it = sessions_.find(id); it != sessions_.end() && !it->second->finished()) return false;
  return records_.restorable().contains(id);
}

std::vector<proto::sup::SessionInfo> Supervisor::restorable_sessions() const {
  std::vector<proto::sup::SessionInfo> out;
  for (const auto& [id, st] : records_.restorable()) {
    if (sessions_.contains(id)) continue;  // listed as itself
    proto::sup::SessionInfo i = info_of(st);
    i.pid = 0;
    i.isAlive = false;
    i.cwd = st.lastCwd.value_or(st.spec.cwd);
    i.restorable = true;
    i.recordedAt = st.recordedAt;
    out.push_back(std::move(i));
  }
  return out;
}

bool Supervisor::remove_record(const std::string& id) {
  if (!restorable(id)) return false;
  records_.remove(id);
  log_info("session record " + id + " removed");
  return true;
}

std::shared_ptr<Session> Supervisor::restore(const std::string& id, bool rerun) {
  if (!restorable(id)) return nullptr;
  auto record = records_.take(id);
  if (!record) return nullptr;  // bad: moved aside and logged
  const auto& st = record->session;
  SessionSpec spec = st.spec;
  // Where it was last, else where it started, else home.
  std::string note;
  const std::string last = st.lastCwd.value_or(st.spec.cwd);
  spec.cwd.clear();
  for (const std::string& dir : {last, st.spec.cwd, options_.default_cwd}) {
    if (is_directory(dir)) {
      spec.cwd = dir;
      break;
    }
  }
  if (spec.cwd.empty()) spec.cwd = "/";
  if (spec.cwd != last) note += " · " + last + " is gone, started in " + spec.cwd;
  if (spec.shell.empty()) spec.shell = options_.default_shell;
  if (st.spec.command && !rerun) {
    spec.command.reset();  // the shell, not the program it ran
    note += " · it ran: " + *st.spec.command + " (restore --rerun runs it again)";
  }
  const std::string why = st.endReason.value_or("pty-supervisor ended without stopping");
  const std::string marker = "\u2500\u2500 restored " + local_time(st.recordedAt.value_or(0)) +
                             ": previous session ended (" + why + ")" + note + " \u2500\u2500";
  auto session = create(spec, preamble(*record, marker));
  log_info("session " + id + " restored from its record (pid " + std::to_string(session->pid()) +
           ")");
  return session;
}

}  // namespace ptyctl::sup
