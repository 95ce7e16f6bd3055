// Records and cold restore (#13): real pty-supervisors on a temp state dir,
// real bash sessions, the supervisor and every process of the sessions
// SIGKILLed as a crash or a reboot would leave them, then a new supervisor.

#include "cli_harness.hpp"
#include "harness.hpp"
#include "host_client.hpp"

#include "emulator/emulator.hpp"

#include <ptyctl/proto/record.hpp>
#include <ptyctl/proto/supervisor_messages.hpp>

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

using namespace ptyctl;
using namespace ptyctl::test;
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kFastRecords{"--record-interval", "200"};

// A supervisor on `dir` (which may hold an earlier one's files), once it
// answers a hello as itself.
std::unique_ptr<Process> start_supervisor(const std::string& dir,
                                          std::vector<std::string> extra = kFastRecords) {
  std::vector<std::string> args{"--state-dir", dir, "--log-level", "debug"};
  args.insert(args.end(), extra.begin(), extra.end());
  auto p = std::make_unique<Process>(supervisor_binary(), args);
  const bool up = wait_until(
      [&] {
        try {
          SupervisorClient c(dir + "/pty-supervisor.sock");
          return c.hello().at("payload").at("supervisorPid").to_number<int>() == p->pid();
        } catch (...) {
          return false;
        }
      },
      20s);
  if (!up) throw std::runtime_error("pty-supervisor did not start: " + p->log());
  return p;
}

std::string record_path(const std::string& dir, const std::string& id) {
  return dir + "/sessions/" + id + "/record";
}

std::optional<proto::record::Record> read_record(const std::string& dir, const std::string& id) {
  try {
    return proto::record::decode(read_file(record_path(dir, id)));
  } catch (...) {
    return std::nullopt;
  }
}

// What a terminal shows of a record: its scrollback and screen as text.
std::string record_text(const proto::record::Record& r) {
  emu::Emulator e(r.session.spec.cols, r.session.spec.rows);
  e.restore({r.rehydrate, r.screen, r.scrollback, ""});
  return e.text(true);
}

proto::Snapshot snapshot_of(SupervisorClient& c, const std::string& id) {
  auto r = c.request("getSnapshot", json::object{{"sessionId", id}});
  return json::value_to<proto::sup::GetSnapshotResult>(r.at("payload")).snapshot;
}

std::string text_of(const proto::Snapshot& s) {
  emu::Emulator e(s.cols, s.rows);
  e.feed(s.rehydrateSequences);
  e.feed(s.snapshotAnsi);
  return e.text(true);
}

void type(SupervisorClient& c, const std::string& id, const std::string& line) {
  ASSERT_TRUE(ok(c.request("write", json::object{{"sessionId", id}}, line + "\r")));
}

bool screen_shows(SupervisorClient& c, const std::string& id, const std::string& what,
                  std::chrono::milliseconds timeout = 20s) {
  return wait_until([&] { return contains(text_of(snapshot_of(c, id)), what); }, timeout);
}

json::object bash(const std::string& id, const std::string& cwd) {
  return json::object{{"sessionId", id},
                      {"cols", 80},
                      {"rows", 24},
                      {"cwd", cwd},
                      {"shell", "/bin/bash"},
                      {"args", json::array{"--norc", "--noprofile"}},
                      {"env", json::object{{"PS1", "$ "}}}};
}

std::vector<proto::sup::SessionInfo> list(SupervisorClient& c) {
  return json::value_to<proto::sup::ListSessionsResult>(c.request("listSessions").at("payload"))
      .sessions;
}

// A crash, or a reboot: the supervisor and every process of its sessions
// die at once, nobody writes anything more.
void kill_everything(Process& supervisor, const std::vector<int>& session_pids) {
  supervisor.signal(SIGKILL);
  supervisor.wait(10s);
  for (int pid : session_pids)
    ::kill(-pid, SIGKILL);
  for (int pid : session_pids)
    wait_until([&] { return process_gone(pid); }, 10s);
}

std::vector<std::string> names_in(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir))
    out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST(Restore, AfterACrashEverySessionComesBackWhereItWas) {
  TempDir dir;
  const std::string work = dir.path() + "/work";
  fs::create_directories(work + "/deeper/still");
  fs::create_directories(work + "/reported");
  auto sup = start_supervisor(dir.path());
  SupervisorClient c(dir.path() + "/pty-supervisor.sock");
  c.hello();
  // Each session: what to type, where its shell is afterwards.
  struct Case {
    std::string id, commands, cwd;
  };
  const std::vector<Case> cases{
      // OSC 7 names the directory (another than the shell's real one: the
      // shell's word counts).
      {"osc7", "cd " + work + "; printf '\\033]7;file://host" + work + "/reported\\a'",
       work + "/reported"},
      // No OSC 7: the shell's own cwd, from /proc.
      {"plain", "cd " + work + "/deeper/still", work + "/deeper/still"},
      {"colours",
       "for i in $(seq 1 120); do printf '\\033[3%dmline %d\\033[0m\\n' $((i%8)) $i; done", work},
      {"wide", "printf '\\344\\270\\255\\346\\226\\207 \\360\\237\\230\\200 wide\\n'", work},
      // Modes a program left on: none may reach the new shell.
      {"modes", "printf '\\033[?1000h\\033[?1006h\\033[?1h\\033[?1004h'", work},
  };
  std::vector<int> pids;
  for (const auto& k : cases) {
    auto r = c.request("createSession", bash(k.id, work));
    ASSERT_TRUE(ok(r)) << k.id;
    pids.push_back(r.at("payload").at("pid").to_number<int>());
    type(c, k.id, k.commands + "; echo done-" + k.id);
    ASSERT_TRUE(screen_shows(c, k.id, "done-" + k.id + "\n$")) << k.id;
  }
  // The records catch up within their interval: then they show what the
  // screens show (the last snapshot before the crash).
  std::map<std::string, std::string> before;
  for (const auto& k : cases) {
    ASSERT_TRUE(wait_until(
        [&] {
          const auto rec = read_record(dir.path(), k.id);
          before[k.id] = text_of(snapshot_of(c, k.id));
          return rec && record_text(*rec) == before[k.id];
        },
        20s))
        << k.id;
  }
  // A fresh shell's modes, to compare the restored ones with.
  auto fresh = c.request("createSession", bash("fresh", work));
  ASSERT_TRUE(ok(fresh));
  pids.push_back(fresh.at("payload").at("pid").to_number<int>());
  ASSERT_TRUE(screen_shows(c, "fresh", "$"));
  const proto::Modes fresh_modes = snapshot_of(c, "fresh").modes;
  ASSERT_TRUE(wait_until([&] { return read_record(dir.path(), "fresh").has_value(); }, 20s));
  c.close();
  kill_everything(*sup, pids);

  sup = start_supervisor(dir.path());
  SupervisorClient d(dir.path() + "/pty-supervisor.sock");
  d.hello();
  const auto listed = list(d);
  int restorable = 0;
  for (const auto& s : listed) {
    if (!s.restorable.value_or(false)) continue;
    ++restorable;
    EXPECT_FALSE(s.isAlive);
  }
  EXPECT_EQ(restorable, 6);  // the five and the fresh one
  for (const auto& k : cases) {
    auto r =
        d.request("createSession",
                  json::object{{"sessionId", k.id}, {"cols", 80}, {"rows", 24}, {"restore", true}});
    ASSERT_TRUE(ok(r)) << k.id;
    EXPECT_TRUE(r.at("payload").at("restored").as_bool()) << k.id;
    ASSERT_TRUE(screen_shows(d, k.id, "previous session ended (pty-supervisor ended")) << k.id;
    type(d, k.id, "pwd");
    ASSERT_TRUE(screen_shows(d, k.id, "\n" + k.cwd + "\n$")) << k.id << "\n"
                                                             << text_of(snapshot_of(d, k.id));
    const proto::Snapshot after = snapshot_of(d, k.id);
    const std::string text = text_of(after);
    // The recorded scrollback and screen first, then the marker line.
    EXPECT_EQ(text.substr(0, before[k.id].size()), before[k.id]) << k.id;
    const std::string rest = text.substr(std::min(text.size(), before[k.id].size()));
    EXPECT_TRUE(rest.starts_with("\n\xe2\x94\x80\xe2\x94\x80 restored ")) << k.id << ": " << rest;
    // No mode left on that the new shell did not turn on itself.
    EXPECT_EQ(after.modes, fresh_modes) << k.id;
  }
  // The ones not restored stay listed; the restored are live sessions now.
  for (const auto& s : list(d))
    EXPECT_EQ(s.restorable.value_or(false), s.sessionId == "fresh") << s.sessionId;
}

TEST(Restore, ACleanStopSaysSoAndAKillRemovesTheRecord) {
  TempDir dir;
  auto sup = start_supervisor(dir.path());
  {
    SupervisorClient c(dir.path() + "/pty-supervisor.sock");
    c.hello();
    for (const char* id : {"kept", "killed"}) {
      ASSERT_TRUE(ok(c.request("createSession", bash(id, dir.path()))));
      ASSERT_TRUE(screen_shows(c, id, "$"));
    }
    ASSERT_TRUE(wait_until([&] { return read_record(dir.path(), "killed").has_value(); }, 20s));
    // A session killed while the supervisor runs: its record goes.
    ASSERT_TRUE(ok(c.request("killSession", json::object{{"sessionId", "killed"}})));
    EXPECT_TRUE(wait_until([&] { return !path_exists(dir.path() + "/sessions/killed"); }, 20s));
  }
  sup->signal(SIGTERM);
  ASSERT_TRUE(sup->wait(20s));
  const auto rec = read_record(dir.path(), "kept");
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->session.endReason.value_or(""), "pty-supervisor stopped");

  sup = start_supervisor(dir.path());
  SupervisorClient d(dir.path() + "/pty-supervisor.sock");
  d.hello();
  const auto listed = list(d);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].sessionId, "kept");
  EXPECT_TRUE(listed[0].restorable.value_or(false));
  // Killing a restorable session removes its record; nothing is left to list.
  ASSERT_TRUE(ok(d.request("killSession", json::object{{"sessionId", "kept"}})));
  EXPECT_TRUE(list(d).empty());
  EXPECT_TRUE(wait_until([&] { return !path_exists(dir.path() + "/sessions/kept"); }, 20s));
  EXPECT_EQ(error_code(d.request("killSession", json::object{{"sessionId", "kept"}})),
            "SESSION_NOT_FOUND");
}

TEST(Restore, EveryRecordParsesAfterAHundredSigkillsDuringOutput) {
  TempDir dir;
  std::mt19937 random(13);  // seeded: the same moments every run
  std::uniform_int_distribution<int> delay_ms(0, 250);
  int with_records = 0, rewritten = 0;
  for (int round = 0; round < 100; ++round) {
    auto sup = start_supervisor(dir.path(), {"--record-interval", "100"});
    SupervisorClient c(dir.path() + "/pty-supervisor.sock");
    c.hello();
    std::vector<int> pids;
    std::map<std::string, ino_t> inode_before;
    for (const char* id : {"a", "b"}) {
      struct stat st {};
      if (::stat(record_path(dir.path(), id).c_str(), &st) == 0) inode_before[id] = st.st_ino;
      auto p = bash(id, dir.path());
      p.erase("args");
      p["command"] = "while :; do seq 1 2000; printf '\\033[3%dm%s\\033[0m\\n' $((RANDOM%8)) " +
                     std::string(id) + "; done";
      auto r = c.request("createSession", p);
      ASSERT_TRUE(ok(r));
      pids.push_back(r.at("payload").at("pid").to_number<int>());
    }
    // Records are being written: kill it at a moment of the seed's choosing.
    ASSERT_TRUE(wait_until(
        [&] { return read_record(dir.path(), "a") && read_record(dir.path(), "b"); }, 20s));
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(random)));
    kill_everything(*sup, pids);
    for (const auto& name : names_in(dir.path() + "/sessions")) {
      const std::string path = dir.path() + "/sessions/" + name + "/record";
      ASSERT_GT(fs::file_size(path), 0u) << "round " << round << ": " << name;
      EXPECT_NO_THROW(proto::record::decode(read_file(path))) << "round " << round << ": " << name;
      struct stat st {};
      ::stat(path.c_str(), &st);
      if (inode_before.contains(name) && inode_before[name] != st.st_ino) ++rewritten;
    }
    ++with_records;
  }
  EXPECT_EQ(with_records, 100);
  EXPECT_GT(rewritten, 100);  // a fresh session of the same id writes its own
}

TEST(Restore, AnIdleSessionWritesNothingAndOutputWritesABoundedAmount) {
  TempDir dir;
  auto sup = start_supervisor(dir.path(), {});  // the default interval (2 s)
  SupervisorClient c(dir.path() + "/pty-supervisor.sock");
  c.hello();
  ASSERT_TRUE(ok(c.request("createSession", bash("idle", dir.path()))));
  ASSERT_TRUE(screen_shows(c, "idle", "$"));
  ASSERT_TRUE(wait_until(
      [&] {
        const auto rec = read_record(dir.path(), "idle");
        return rec && record_text(*rec) == text_of(snapshot_of(c, "idle"));
      },
      20s));
  // From now on nothing changes: for 30 s, not one file event in sessions/.
  const int in = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  ASSERT_GE(in, 0);
  ASSERT_GE(::inotify_add_watch(in, (dir.path() + "/sessions/idle").c_str(),
                                IN_CREATE | IN_MODIFY | IN_MOVED_TO | IN_CLOSE_WRITE | IN_DELETE),
            0);
  ASSERT_GE(::inotify_add_watch(in, (dir.path() + "/sessions").c_str(),
                                IN_CREATE | IN_MOVED_TO | IN_DELETE),
            0);
  char events[4096];
  const auto quiet_until = Clock::now() + 30s;
  int seen = 0;
  while (Clock::now() < quiet_until) {
    pollfd p{in, POLLIN, 0};
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(quiet_until - Clock::now());
    if (::poll(&p, 1, static_cast<int>(std::max<std::int64_t>(left.count(), 0))) > 0 &&
        ::read(in, events, sizeof events) > 0)
      ++seen;
  }
  EXPECT_EQ(seen, 0) << "an idle session's record was written";

  // 100 MB of output: each record written is counted as it lands.
  const int watch = ::inotify_add_watch(in, (dir.path() + "/sessions").c_str(), IN_CREATE);
  ASSERT_GE(watch, 0);
  auto p = bash("loud", dir.path());
  p.erase("args");
  p["command"] = "head -c 100000000 /dev/zero | tr '\\0' 'x' | fold -w 99; echo finished-loud";
  ASSERT_TRUE(ok(c.request("createSession", p)));
  ASSERT_TRUE(wait_until([&] { return path_exists(dir.path() + "/sessions/loud"); }, 20s));
  const int loud = ::inotify_add_watch(in, (dir.path() + "/sessions/loud").c_str(), IN_MOVED_TO);
  ASSERT_GE(loud, 0);
  std::uint64_t written = 0, records = 0;
  const auto count = [&] {
    ssize_t n;
    while ((n = ::read(in, events, sizeof events)) > 0) {
      for (char* e = events; e < events + n;) {
        const auto* ev = reinterpret_cast<const inotify_event*>(e);
        if (ev->wd == loud && (ev->mask & IN_MOVED_TO) && ev->len &&
            std::string(ev->name) == "record") {
          ++records;
          struct stat st {};
          if (::stat(record_path(dir.path(), "loud").c_str(), &st) == 0) written += st.st_size;
        }
        e += sizeof(inotify_event) + ev->len;
      }
    }
  };
  const auto start = Clock::now();
  // (Its end, from listSessions: a snapshot of 5000 lines at every poll
  // would be most of the supervisor's work.)
  ASSERT_TRUE(wait_until(
      [&] {
        count();
        for (const auto& s : list(c))
          if (s.sessionId == "loud") return !s.isAlive;
        return false;
      },
      600s));
  EXPECT_TRUE(contains(text_of(snapshot_of(c, "loud")), "finished-loud"));
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  count();
  ::close(in);
  // One record per interval at most, each the scrollback and screen (here
  // 5000 lines of 80 columns, about 270 KB): what is written depends on how
  // long the output lasts, not on how much there is.
  std::cout << "100 MB of output in " << seconds << " s: " << records << " records, " << written
            << " bytes written (" << written / 100.0 << " bytes per MB)\n";
  EXPECT_GE(records, 1u);
  EXPECT_LE(records, static_cast<std::uint64_t>(seconds / 2.0) + 2);
  EXPECT_LE(written, records * 400u * 1024);
}

TEST(Restore, BadRecordsAreMovedAsideAndOldOnesPruned) {
  TempDir dir;
  // A good record to start from, as a supervisor wrote it.
  {
    auto sup = start_supervisor(dir.path());
    SupervisorClient c(dir.path() + "/pty-supervisor.sock");
    c.hello();
    auto r = c.request("createSession", bash("good", dir.path()));
    ASSERT_TRUE(ok(r));
    ASSERT_TRUE(screen_shows(c, "good", "$"));
    ASSERT_TRUE(wait_until([&] { return read_record(dir.path(), "good").has_value(); }, 20s));
    kill_everything(*sup, {r.at("payload").at("pid").to_number<int>()});
  }
  const std::string sessions = dir.path() + "/sessions";
  const std::string good = read_file(record_path(dir.path(), "good"));
  const auto plant = [&](const std::string& id, const std::string& bytes, mode_t mode = 0600) {
    fs::create_directory(sessions + "/" + id);
    ::chmod((sessions + "/" + id).c_str(), 0700);
    std::ofstream(record_path(dir.path(), id), std::ios::binary) << bytes;
    ::chmod(record_path(dir.path(), id).c_str(), mode);
  };
  auto as = [&](const std::string& id, std::int64_t recorded_at, std::size_t screen_bytes) {
    auto rec = proto::record::decode(good);
    rec.session.spec.sessionId = id;
    rec.session.recordedAt = recorded_at;
    return proto::record::encode(rec.session, "test", rec.rehydrate,
                                 rec.screen + std::string(screen_bytes, ' '), rec.scrollback);
  };
  plant("truncated", good.substr(0, good.size() / 2));
  plant("corrupt", std::string(good.size(), '\x7f'));
  std::string future = good;
  future.replace(future.find(" 2 "), 3, " 99 ");
  plant("unknown-format", future);
  plant("readable-by-all", as("readable-by-all", 0, 0), 0644);
  plant("wrong-id", good);
  fs::create_directory(dir.path() + "/elsewhere");
  fs::create_directory_symlink(dir.path() + "/elsewhere", sessions + "/linked");
  fs::create_directory(sessions + "/record-link");
  ::chmod((sessions + "/record-link").c_str(), 0700);
  fs::create_symlink(record_path(dir.path(), "good"), record_path(dir.path(), "record-link"));
  // For pruning: one 31 days old, three of 400 KB each (over a 1 MiB budget).
  const std::int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
  plant("old", as("old", now_ms - 31LL * 24 * 3600 * 1000, 0));
  plant("big-oldest", as("big-oldest", now_ms - 3000, 400 * 1024));
  plant("big-older", as("big-older", now_ms - 2000, 400 * 1024));
  plant("big-newest", as("big-newest", now_ms - 1000, 400 * 1024));

  auto sup = start_supervisor(dir.path(), {"--records-budget", "1"});
  SupervisorClient c(dir.path() + "/pty-supervisor.sock");
  c.hello();
  std::set<std::string> restorable;
  for (const auto& s : list(c))
    if (s.restorable.value_or(false)) restorable.insert(s.sessionId);
  EXPECT_EQ(restorable, (std::set<std::string>{"good", "big-older", "big-newest"}));
  const std::string log = sup->log();
  for (const char* bad : {"truncated", "corrupt", "unknown-format", "readable-by-all", "wrong-id",
                          "linked", "record-link"}) {
    // One line naming it; moved aside, not deleted.
    EXPECT_TRUE(contains(log, "session record " + sessions + "/" + bad + " skipped")) << bad;
    int aside = 0;
    for (const auto& name : names_in(sessions))
      aside += name.starts_with(std::string(bad) + "~bad-") ? 1 : 0;
    EXPECT_EQ(aside, 1) << bad;
    EXPECT_FALSE(path_exists(sessions + "/" + bad)) << bad;
  }
  EXPECT_TRUE(contains(log, "format 99 is not known to this version")) << log;
  EXPECT_TRUE(contains(log, "session record old pruned (older than"));
  EXPECT_TRUE(contains(log, "session record big-oldest pruned (the records are over"));
  EXPECT_TRUE(wait_until([&] { return !path_exists(sessions + "/old"); }, 20s));
  EXPECT_TRUE(wait_until([&] { return !path_exists(sessions + "/big-oldest"); }, 20s));
  // The supervisor serves on, and the good one restores.
  auto r =
      c.request("createSession",
                json::object{{"sessionId", "good"}, {"cols", 80}, {"rows", 24}, {"restore", true}});
  ASSERT_TRUE(ok(r)) << json::serialize(r);
  EXPECT_TRUE(r.at("payload").at("restored").as_bool());
  // A restore of a bad one is a fresh session (nothing of it is shown).
  r = c.request("createSession", json::object{{"sessionId", "corrupt"},
                                              {"cols", 80},
                                              {"rows", 24},
                                              {"restore", true},
                                              {"shell", "/bin/bash"}});
  ASSERT_TRUE(ok(r));
  EXPECT_FALSE(r.at("payload").as_object().contains("restored"));
}

TEST(Restore, OverWireTwoOnlyWhenAsked) {
  HostFixture f({}, kFastRecords);
  HostClient c(f.socket(), f.token());
  for (const char* id : {"asked", "not-asked"}) {
    json::object p{{"sessionId", id},
                   {"cols", 80},
                   {"rows", 24},
                   {"workspaceId", "w"},
                   {"paneId", "p"},
                   {"tabId", "t"},
                   {"shell", "/bin/bash"},
                   {"cwd", f.dir.path()},
                   {"command", "exec /bin/bash --norc --noprofile"}};
    ASSERT_TRUE(ok(c.request("createOrAttach", p)));
    // Typed once the shell has shown its prompt (readline may drop typeahead).
    ASSERT_TRUE(wait_until(
        [&] {
          auto r = c.request("getSnapshot", json::object{{"sessionId", id}});
          return ok(r) &&
                 !text_of(json::value_to<proto::Snapshot>(r.at("payload").at("snapshot"))).empty();
        },
        20s));
    ASSERT_TRUE(
        ok(c.request("write", json::object{{"sessionId", id},
                                           {"data", "echo recorded-" + std::string(id) + "\r"}})));
  }
  for (const char* id : {"asked", "not-asked"})
    ASSERT_TRUE(wait_until(
        [&] {
          const auto rec = read_record(f.dir.path(), id);
          return rec && contains(record_text(*rec), "recorded-" + std::string(id) + "\n");
        },
        20s))
        << id << ": "
        << (read_record(f.dir.path(), id) ? record_text(*read_record(f.dir.path(), id))
                                          : "no record");
  std::vector<int> pids;
  const json::object listed = c.request("listSessions");
  for (const auto& s : listed.at("payload").at("sessions").as_array())
    pids.push_back(s.at("pid").to_number<int>());
  kill_everything(*f.supervisor, pids);
  f.supervisor = start_supervisor(f.dir.path());
  // The app's listSessions does not show records; ours with includeRestorable.
  ASSERT_TRUE(wait_until(
      [&] {
        auto r = c.request("listSessions", json::object{{"includeRestorable", true}});
        return ok(r) && r.at("payload").at("sessions").as_array().size() == 2;
      },
      20s));
  EXPECT_TRUE(c.request("listSessions").at("payload").at("sessions").as_array().empty());
  json::object p{{"sessionId", "asked"}, {"cols", 80},   {"rows", 24},     {"workspaceId", "w"},
                 {"paneId", "p"},        {"tabId", "t"}, {"restore", true}};
  auto r = c.request("createOrAttach", p);
  ASSERT_TRUE(ok(r));
  EXPECT_TRUE(r.at("payload").at("restored").as_bool());
  EXPECT_TRUE(contains(r.at("payload").at("snapshot").at("snapshotAnsi").as_string().c_str(),
                       "recorded-asked"));
  p["sessionId"] = "not-asked";
  p.erase("restore");
  r = c.request("createOrAttach", p);
  ASSERT_TRUE(ok(r));
  EXPECT_TRUE(r.at("payload").at("isNew").as_bool());
  EXPECT_FALSE(r.at("payload").as_object().contains("restored"));
  EXPECT_FALSE(contains(r.at("payload").at("snapshot").at("snapshotAnsi").as_string().c_str(),
                        "recorded-not-asked"));
}

TEST(Restore, ThroughPtyctl) {
  HostFixture f({}, kFastRecords);
  for (const char* id : {"work", "dropped", "attached", "later"}) {
    // The shell a restore starts is the recorded $SHELL: sh, which reads no
    // startup file of this machine's.
    auto r = run_cli(with_state(f, {"new", "--id", id, "--cwd", f.dir.path(), "--", "bash",
                                    "--norc", "--noprofile"}),
                     {{"SHELL", "/bin/sh"}});
    ASSERT_EQ(r.code, 0) << r.err;
    r = run_cli(with_state(f, {"send", id, "--enter", "echo marker-$((6*7))"}));
    ASSERT_EQ(r.code, 0) << r.err;
    ASSERT_TRUE(wait_until(
        [&] {
          const auto rec = read_record(f.dir.path(), id);
          return rec && contains(record_text(*rec), "\nmarker-42\n");
        },
        20s))
        << id;
  }
  std::vector<int> pids;
  {
    HostClient c(f.socket(), f.token());
    const json::object listed = c.request("listSessions");
    for (const auto& s : listed.at("payload").at("sessions").as_array())
      pids.push_back(s.at("pid").to_number<int>());
  }
  kill_everything(*f.supervisor, pids);
  f.supervisor = start_supervisor(f.dir.path());

  auto r = run_cli(with_state(f, {"ls"}));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(lines_of(r.out), 5) << r.out;
  EXPECT_TRUE(contains(r.out, "restorable")) << r.out;
  r = run_cli(with_state(f, {"kill", "dropped"}));
  ASSERT_EQ(r.code, 0) << r.err;
  r = run_cli(with_state(f, {"ls", "--json"}));
  ASSERT_EQ(r.code, 0) << r.err;
  const json::array listed = json::parse(r.out).as_array();
  ASSERT_EQ(listed.size(), 3u) << r.out;
  for (const auto& s : listed)
    EXPECT_TRUE(s.at("restorable").as_bool()) << r.out;

  {
    // Attaching to a restorable session restores it, and says so.
    AttachedTerminal t(with_state(f, {"attach", "attached"}));
    ASSERT_TRUE(t.read_until(std::regex("restoring session attached from its record")))
        << t.screen();
    ASSERT_TRUE(t.read_until(std::regex("marker-42[^]*restored [^]*it ran"))) << t.screen();
    t.type("echo typed-$((1+1))\r");
    ASSERT_TRUE(t.read_until(std::regex("\ntyped-2\r\n"))) << t.screen();
    t.type("\x1c");  // Ctrl-\ detaches
    ASSERT_TRUE(t.wait_exit(20s));
  }

  r = run_cli(with_state(f, {"restore", "work"}));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "work\n");
  // It ran a command (bash as ptyctl new was given it): the shell, and the
  // marker names the command.
  r = run_cli(with_state(f, {"wait", "work", "--text", "it ran: exec", "--timeout", "30"}));
  ASSERT_EQ(r.code, 0) << r.err;
  r = run_cli(with_state(f, {"send", "work", "--enter", "echo again-$((6*7))"}));
  ASSERT_EQ(r.code, 0) << r.err;
  r = run_cli(with_state(f, {"wait", "work", "--text", "^again-42$", "--timeout", "30"}));
  ASSERT_EQ(r.code, 0) << r.err << run_cli(with_state(f, {"snapshot", "work", "--scrollback"})).out;
  r = run_cli(with_state(f, {"snapshot", "work", "--scrollback"}));
  ASSERT_EQ(r.code, 0) << r.err;
  const auto old_output = r.out.find("\nmarker-42\n");
  const auto marker = r.out.find("\xe2\x94\x80\xe2\x94\x80 restored ");
  const auto new_output = r.out.find("\nagain-42\n");
  ASSERT_NE(old_output, std::string::npos) << r.out;
  ASSERT_NE(marker, std::string::npos) << r.out;
  ASSERT_NE(new_output, std::string::npos) << r.out;
  EXPECT_LT(old_output, marker);
  EXPECT_LT(marker, new_output);
  // Restored once: it is a live session now, not a record.
  r = run_cli(with_state(f, {"restore", "work"}));
  EXPECT_NE(r.code, 0);
  EXPECT_TRUE(contains(r.err, "is not restorable (it is running)")) << r.err;
  r = run_cli(with_state(f, {"restore", "dropped"}));
  EXPECT_NE(r.code, 0);
  EXPECT_TRUE(contains(r.err, "no session dropped")) << r.err;
  // --all: what is left ("later"), and then nothing.
  r = run_cli(with_state(f, {"restore", "--all"}));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "later\n");
  r = run_cli(
      with_state(f, {"wait", "later", "--text", "previous session ended", "--timeout", "30"}));
  EXPECT_EQ(r.code, 0) << r.err;
  r = run_cli(with_state(f, {"restore", "--all"}));
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST(Restore, ARecordAfterAnUpgradeStillHasTheEnvironment) {
  // An upgrade hands the spec over, environment included: the next image's
  // records (and so a restore after a later crash) still have it.
  TempDir dir;
  auto sup = start_supervisor(dir.path());
  SupervisorClient c(dir.path() + "/pty-supervisor.sock");
  c.hello();
  auto p = bash("env", dir.path());
  p["env"] = json::object{{"PS1", "$ "}, {"RESTORE_MARK", "kept-42"}};
  auto created = c.request("createSession", p);
  ASSERT_TRUE(ok(created));
  ASSERT_TRUE(screen_shows(c, "env", "$"));
  ASSERT_TRUE(wait_until([&] { return read_record(dir.path(), "env").has_value(); }, 20s));
  const auto upgraded = c.request("prepareUpgrade", json::object{}, {}, 60s);
  ASSERT_TRUE(ok(upgraded)) << json::serialize(upgraded);
  // The next image writes every record at its first interval.
  const auto before = fs::last_write_time(record_path(dir.path(), "env"));
  ASSERT_TRUE(wait_until(
      [&] {
        std::error_code ec;
        return fs::last_write_time(record_path(dir.path(), "env"), ec) != before;
      },
      20s));
  const auto rec = read_record(dir.path(), "env");
  ASSERT_TRUE(rec);
  ASSERT_TRUE(rec->session.spec.env);
  EXPECT_EQ(rec->session.spec.env->at("RESTORE_MARK"), "kept-42");
  kill_everything(*sup, {created.at("payload").at("pid").to_number<int>()});
  sup = start_supervisor(dir.path());
  SupervisorClient d(dir.path() + "/pty-supervisor.sock");
  d.hello();
  ASSERT_TRUE(ok(d.request(
      "createSession",
      json::object{{"sessionId", "env"}, {"cols", 80}, {"rows", 24}, {"restore", true}})));
  ASSERT_TRUE(screen_shows(d, "env", "previous session ended"));
  type(d, "env", "echo mark=$RESTORE_MARK");
  EXPECT_TRUE(screen_shows(d, "env", "\nmark=kept-42\n"));
}
