// terminal-host's pure logic: the token file, the session environment and
// the per-session lock.

#include "async_mutex.hpp"
#include "session_env.hpp"
#include "token.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <boost/asio.hpp>

#include <filesystem>
#include <fstream>
#include <vector>

using namespace ptyctl::host;

namespace {
struct TempFile {
  std::string path;
  TempFile() {
    char tmpl[] = "/tmp/ptyctl-token-XXXXXX";
    const int fd = ::mkstemp(tmpl);
    ::close(fd);
    path = tmpl;
    ::unlink(tmpl);
  }
  ~TempFile() { ::unlink(path.c_str()); }
};
std::string slurp(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}
}  // namespace

TEST(Token, CreatedPrivateThenReused) {
  TempFile f;
  const std::string t = load_or_create_token(f.path);
  EXPECT_TRUE(is_well_formed_token(t));
  EXPECT_EQ(slurp(f.path), t);  // no newline
  struct stat st {};
  ASSERT_EQ(::stat(f.path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(load_or_create_token(f.path), t);
  TempFile g;
  EXPECT_NE(load_or_create_token(g.path), t);
}

TEST(Token, MalformedFileIsReplaced) {
  TempFile f;
  std::ofstream(f.path) << "not a token\n";
  const std::string t = load_or_create_token(f.path);
  EXPECT_TRUE(is_well_formed_token(t));
  EXPECT_EQ(slurp(f.path), t);
  EXPECT_FALSE(is_well_formed_token(std::string(64, 'A')));  // lowercase only
  EXPECT_FALSE(is_well_formed_token(std::string(63, 'a')));
  EXPECT_TRUE(is_well_formed_token(std::string(64, 'a')));
}

TEST(SessionEnv, AllowListThenRequestThenTerm) {
  const std::map<std::string, std::string> host_env{
      {"HOME", "/home/u"}, {"PATH", "/usr/bin"},    {"LC_CTYPE", "C.UTF-8"},
      {"AWS_SECRET", "x"}, {"NOTIFY_SOCKET", "/n"}, {"LISTEN_FDS", "1"},
      {"TERM", "dumb"},    {"SSH_AUTH_SOCK", "/s"}, {"ELECTRON_RUN_AS_NODE", "1"},
  };
  auto env = session_environment(
      host_env, std::map<std::string, std::string>{{"FOO", "bar"}, {"PATH", "/opt/bin"}});
  EXPECT_EQ(env.at("HOME"), "/home/u");
  EXPECT_EQ(env.at("LC_CTYPE"), "C.UTF-8");
  EXPECT_EQ(env.at("SSH_AUTH_SOCK"), "/s");
  EXPECT_EQ(env.at("PATH"), "/opt/bin");  // the request wins
  EXPECT_EQ(env.at("FOO"), "bar");
  EXPECT_EQ(env.at("TERM"), "xterm-256color");
  EXPECT_EQ(env.at("COLORTERM"), "truecolor");
  EXPECT_FALSE(env.contains("AWS_SECRET"));
  EXPECT_FALSE(env.contains("NOTIFY_SOCKET"));
  EXPECT_FALSE(env.contains("LISTEN_FDS"));
  EXPECT_FALSE(env.contains("ELECTRON_RUN_AS_NODE"));
  auto bare = session_environment({}, std::nullopt);
  EXPECT_EQ(bare.size(), 2u);
}

namespace {
// Holds the lock until `release` is set, recording when it got it.
asio::awaitable<void> take_turn(AsyncMutex& m, std::vector<std::string>& order, std::string name,
                                asio::steady_timer& release) {
  auto guard = co_await m.lock();
  order.push_back(name);
  co_await release.async_wait(asio::as_tuple(asio::use_awaitable));
}
}  // namespace

// One at a time, in the order they asked: the release hands the lock to the
// first waiter, so one that asks right after a release waits its turn.
TEST(AsyncMutex, HandsTheLockOverInArrivalOrder) {
  asio::io_context io;
  AsyncMutex m(io.get_executor());
  std::vector<std::string> order;
  asio::steady_timer hold_a(io, asio::steady_timer::time_point::max());
  asio::steady_timer no_hold(io, std::chrono::seconds(0));
  asio::co_spawn(io, take_turn(m, order, "a", hold_a), asio::detached);
  asio::co_spawn(io, take_turn(m, order, "b", no_hold), asio::detached);
  asio::co_spawn(io, take_turn(m, order, "c", no_hold), asio::detached);
  io.poll();
  EXPECT_EQ(order, std::vector<std::string>{"a"});
  // a lets go, and d asks in the same turn of the loop, before b has run.
  hold_a.cancel();
  asio::post(io, [&] { asio::co_spawn(io, take_turn(m, order, "d", no_hold), asio::detached); });
  io.run();
  EXPECT_EQ(order, (std::vector<std::string>{"a", "b", "c", "d"}));
}
