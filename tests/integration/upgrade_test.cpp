// pty-supervisor's in-place upgrade (docs/upgrade.md): the real binary execs
// itself (or a new binary) in the same process, with real shells attached.

#include "harness.hpp"

#include <ptyctl/proto/snapshot.hpp>
#include <ptyctl/proto/supervisor_messages.hpp>

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

using namespace ptyctl;
using namespace ptyctl::test;
namespace json = boost::json;

namespace {

json::object bash_session(const std::string& id) {
  return json::object{{"sessionId", id},
                      {"cols", 80},
                      {"rows", 24},
                      {"shell", "/bin/bash"},
                      {"args", json::array{"--norc", "--noprofile"}}};
}

// The data of `sid` from `from` on, until `text` appears in it.
bool read_until(SupervisorClient& c, const std::string& sid, std::uint64_t& next,
                std::string& bytes, const std::string& text) {
  const auto deadline = Clock::now() + 20s;
  while (!contains(bytes, text)) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    auto ev = c.next_event(left);
    if (!ev) return false;
    if (session_payload_id(*ev) != sid || ev->json.at("event").as_string() != "data") continue;
    const auto d = json::value_to<proto::sup::DataEvent>(ev->json.at("payload"));
    if (d.offset != next) {
      ADD_FAILURE() << "data at " << d.offset << ", expected " << next;
      return false;
    }
    next += ev->payload.size();
    bytes += ev->payload;
  }
  return true;
}

proto::Snapshot snapshot_of(SupervisorClient& c, const std::string& sid) {
  auto r = c.request("getSnapshot", json::object{{"sessionId", sid}});
  EXPECT_TRUE(ok(r)) << json::serialize(r);
  return json::value_to<proto::Snapshot>(r.at("payload").at("snapshot"));
}

std::string script(const TempDir& dir, const std::string& name, const std::string& body) {
  const std::string path = dir.path() + "/" + name;
  std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
  ::chmod(path.c_str(), 0700);
  return path;
}

}  // namespace

TEST(Upgrade, InPlaceKeepsThePidTheShellsAndEveryByte) {
  SupervisorFixture f;
  SupervisorClient c(f.socket());
  ASSERT_TRUE(ok(c.hello()));
  auto created = c.request("createSession", bash_session("s1"));
  ASSERT_TRUE(ok(created)) << json::serialize(created);
  const int shell = static_cast<int>(created.at("payload").at("pid").as_int64());
  ASSERT_TRUE(ok(c.request("attachSession", json::object{{"sessionId", "s1"}, {"fromOffset", 0}})));
  std::uint64_t next = 0;
  std::string bytes;
  ASSERT_TRUE(ok(c.request("write", json::object{{"sessionId", "s1"}}, "echo be$((1))fore\r")));
  ASSERT_TRUE(read_until(c, "s1", next, bytes, "be1fore\r\n")) << bytes;
  const auto before = snapshot_of(c, "s1");

  SupervisorClient u(f.socket());
  ASSERT_TRUE(ok(u.hello()));
  auto r = u.request("prepareUpgrade", json::object{}, {}, 30s);
  ASSERT_TRUE(ok(r)) << json::serialize(r) << "\n" << f.process->log();
  const auto result = json::value_to<proto::sup::PrepareUpgradeResult>(r.at("payload"));
  EXPECT_EQ(result.supervisorPid, f.process->pid());
  EXPECT_FALSE(result.version.empty());
  std::cout << "upgrade took " << result.tookMs << " ms\n";

  // The old connections went with the old image; a new one finds it all.
  SupervisorClient c2(f.socket());
  auto hello = c2.hello();
  ASSERT_TRUE(ok(hello));
  EXPECT_EQ(hello.at("payload").at("supervisorPid").as_int64(), f.process->pid());
  const auto sessions =
      json::value_to<proto::sup::ListSessionsResult>(c2.request("listSessions").at("payload"))
          .sessions;
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_EQ(sessions[0].pid, shell);
  EXPECT_TRUE(sessions[0].isAlive);
  const auto after = snapshot_of(c2, "s1");
  EXPECT_EQ(after.offset, before.offset);
  EXPECT_EQ(after.text, before.text);
  // Resumed where the old connection stopped: nothing lost, nothing repeated.
  auto attached =
      c2.request("attachSession", json::object{{"sessionId", "s1"}, {"fromOffset", next}});
  ASSERT_TRUE(ok(attached));
  EXPECT_TRUE(attached.at("payload").at("resumed").as_bool());
  ASSERT_TRUE(ok(c2.request("write", json::object{{"sessionId", "s1"}}, "echo af$((2))ter\r")));
  bytes.clear();
  ASSERT_TRUE(read_until(c2, "s1", next, bytes, "af2ter\r\n")) << bytes;
  // The shell is still our child: its exit code arrives.
  ASSERT_TRUE(ok(c2.request("write", json::object{{"sessionId", "s1"}}, "exit 7\r")));
  const auto deadline = Clock::now() + 20s;
  std::optional<json::object> exit;
  while (!exit && Clock::now() < deadline) {
    auto ev = c2.next_event(5s);
    if (ev && ev->json.at("event").as_string() == "exit") exit = ev->json.at("payload").as_object();
  }
  ASSERT_TRUE(exit);
  EXPECT_EQ(exit->at("exitCode").as_int64(), 7);
}

TEST(Upgrade, ABinaryThatRefusesTheStateChangesNothing) {
  SupervisorFixture f;
  SupervisorClient c(f.socket());
  ASSERT_TRUE(ok(c.hello()));
  ASSERT_TRUE(ok(c.request("createSession", bash_session("s1"))));
  ASSERT_TRUE(ok(c.request("attachSession", json::object{{"sessionId", "s1"}, {"fromOffset", 0}})));
  std::uint64_t next = 0;
  std::string bytes;
  const struct {
    std::string binary, says;
  } cases[] = {
      {script(f.dir, "exits", "exit 1"), "exited with status 1"},
      {script(f.dir, "crashes", "cat >/dev/null <&3; kill -SEGV $$"), "SIGSEGV"},
      {f.dir.path() + "/not-there", "no binary to run at " + f.dir.path() + "/not-there"},
  };
  int round = 0;
  for (const auto& k : cases) {
    auto r = c.request("prepareUpgrade", json::object{{"binary", k.binary}}, {}, 30s);
    EXPECT_EQ(error_code(r), "UPGRADE_FAILED") << json::serialize(r);
    EXPECT_TRUE(contains(json::serialize(r), k.says)) << json::serialize(r);
    // The same connection, the same session, the output continuing exactly.
    const std::string mark = "round-" + std::to_string(++round);
    ASSERT_TRUE(ok(c.request("write", json::object{{"sessionId", "s1"}}, "echo " + mark + "\r")));
    ASSERT_TRUE(read_until(c, "s1", next, bytes, "\r" + mark + "\r\n")) << bytes;
  }
}
