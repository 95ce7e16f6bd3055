// SessionRoute: what each viewer's stream socket receives from the
// supervisor's data, with real connections over socket pairs (the route only
// queues lines on them; the test reads the other ends).

#include "session_route.hpp"
#include "client_connection.hpp"
#include "host.hpp"
#include "supervisor_client.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>
#include <boost/asio.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace json = boost::json;
using namespace ptyctl::host;
using namespace std::chrono_literals;
using stream_socket = asio::local::stream_protocol::socket;

namespace {

struct DataSeen {
  std::string data;
  std::uint64_t offset, end;
};

class RouteTest : public ::testing::Test {
 protected:
  RouteTest()
      : dir_(make_dir()),
        supervisor_(io_, supervisor_options(dir_)),
        host_(io_, asio::local::stream_protocol::acceptor(io_, dir_ + "/h.sock"), HostOptions{},
              supervisor_),
        route_(io_.get_executor(), "s1") {}
  ~RouteTest() override {
    for (auto& c : connections_)
      c->close("test over");
    io_.poll();
    std::system(("rm -rf '" + dir_ + "'").c_str());
  }

  static SupervisorClientOptions supervisor_options(const std::string& dir) {
    SupervisorClientOptions o;  // never started: no supervisor is asked
    o.state_dir = dir;
    o.spawn = false;
    return o;
  }
  static std::string make_dir() {
    char tmpl[] = "/tmp/ptyctl-route-XXXXXX";
    return ::mkdtemp(tmpl);
  }

  // A viewer's stream connection; returns the index of its far end.
  int viewer(std::uint64_t next) {
    int fds[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
    auto c = std::make_shared<ClientConnection>(
        host_, stream_socket(io_, asio::local::stream_protocol(), fds[0]), connections_.size());
    c->set_identity(Role::kStream, "c" + std::to_string(connections_.size()));
    c->start();
    route_.add_viewer(c, next);
    connections_.push_back(c);
    far_.emplace_back(io_, asio::local::stream_protocol(), fds[1]);
    pending_.emplace_back();
    return static_cast<int>(far_.size()) - 1;
  }

  // The data events viewer `i` has been sent so far.
  std::vector<DataSeen> seen(int i) {
    for (int round = 0; round < 50; ++round)
      io_.poll();
    std::vector<DataSeen> out;
    char buf[65536];
    boost::system::error_code ec;
    far_[i].non_blocking(true);
    for (;;) {
      const std::size_t n = far_[i].read_some(asio::buffer(buf), ec);
      if (ec || n == 0) break;
      pending_[i].append(buf, n);
    }
    std::size_t nl;
    while ((nl = pending_[i].find('\n')) != std::string::npos) {
      const json::object ev = json::parse(pending_[i].substr(0, nl)).as_object();
      pending_[i].erase(0, nl + 1);
      const json::object& p = ev.at("payload").as_object();
      if (!p.contains("data")) continue;  // the exit event
      out.push_back(DataSeen{std::string(p.at("data").as_string()),
                             p.at("offset").to_number<std::uint64_t>(),
                             p.at("endOffset").to_number<std::uint64_t>()});
    }
    return out;
  }

  asio::io_context io_;
  std::string dir_;
  SupervisorClient supervisor_;
  Host host_;
  SessionRoute route_;
  std::vector<std::shared_ptr<ClientConnection>> connections_;
  std::vector<stream_socket> far_;
  std::vector<std::string> pending_;
};

}  // namespace

TEST_F(RouteTest, ACharacterSplitBetweenTwoChunksIsSentWhole) {
  const int v = viewer(0);
  route_.subscribe(0);
  route_.on_data(0, "a\xe2\x82");
  route_.on_data(3, "\xac!");
  const auto got = seen(v);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].data, "a");
  EXPECT_EQ(got[0].offset, 0u);
  EXPECT_EQ(got[0].end, 1u);
  EXPECT_EQ(got[1].data, "\xe2\x82\xac!");
  EXPECT_EQ(got[1].offset, 1u);
  EXPECT_EQ(got[1].end, 5u);
  EXPECT_EQ(route_.position(), 5u);
}

TEST_F(RouteTest, WhatIsHeldOfACharacterGoesOutAtExit) {
  const int v = viewer(0);
  route_.subscribe(0);
  route_.on_data(0, "ok\xe2\x82");
  route_.on_exit(json::object{{"exitCode", 0}});
  const auto got = seen(v);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].data, "ok");
  // Never completed: U+FFFD, ending at the output's end.
  EXPECT_EQ(got[1].data, "\xef\xbf\xbd");
  EXPECT_EQ(got[1].offset, 2u);
  EXPECT_EQ(got[1].end, 4u);
}

TEST_F(RouteTest, ARewoundSubscriptionServesTheViewerOwedEarlierBytesOnly) {
  // One viewer has everything up to 6; a second attaches owed bytes from 2.
  const int ahead = viewer(0);
  route_.subscribe(0);
  route_.on_data(0, "abcdef");
  ASSERT_EQ(seen(ahead).size(), 1u);
  const int behind = viewer(2);
  route_.subscribe(route_.lowest_next());
  route_.on_data(2, "cdefgh");
  const auto b = seen(behind);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].data, "cdefgh");
  EXPECT_EQ(b[0].offset, 2u);
  EXPECT_EQ(b[0].end, 8u);
  // The first viewer gets only what it did not have, once.
  const auto a = seen(ahead);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].data, "gh");
  EXPECT_EQ(a[0].offset, 6u);
  EXPECT_EQ(a[0].end, 8u);
}

TEST_F(RouteTest, ARewindDropsAHeldPartOfACharacter) {
  const int v = viewer(0);
  route_.subscribe(0);
  route_.on_data(0, "x\xe2\x82");  // "x" out, two bytes held
  ASSERT_EQ(seen(v).size(), 1u);
  // The subscription is remade from 1: the same character arrives whole.
  route_.subscribe(1);
  route_.on_data(1, "\xe2\x82\xacy");
  const auto got = seen(v);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].data, "\xe2\x82\xacy");
  EXPECT_EQ(got[0].offset, 1u);
  EXPECT_EQ(got[0].end, 5u);
}

TEST_F(RouteTest, DataNotContinuingTheHeldBytesStartsOver) {
  // Events sent before a rewind, then the rewound stream: the held bytes
  // belong to the old position and are dropped, not glued to the new data.
  const int v = viewer(0);
  route_.subscribe(0);
  route_.on_data(0, "ab\xc3");
  ASSERT_EQ(seen(v).size(), 1u);
  route_.on_data(2, "\xc3\xa9z");
  const auto got = seen(v);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].data, "\xc3\xa9z");
  EXPECT_EQ(got[0].offset, 2u);
}
