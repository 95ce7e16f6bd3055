// Signal names, session ids and version constants.

#include <ptyctl/proto/errors.hpp>
#include <ptyctl/proto/session_id.hpp>
#include <ptyctl/proto/signals.hpp>
#include <ptyctl/proto/version.hpp>

#include <gtest/gtest.h>

#include <csignal>

using namespace ptyctl::proto;

TEST(Signals, NamesToNumbersAndBack) {
  EXPECT_EQ(signal_from_name("SIGINT"), SIGINT);
  EXPECT_EQ(signal_from_name("INT"), SIGINT);
  EXPECT_EQ(signal_from_name("sigterm"), SIGTERM);
  EXPECT_EQ(signal_from_name("9"), SIGKILL);
  EXPECT_EQ(signal_from_name("SIGHUP"), SIGHUP);
  EXPECT_EQ(signal_from_name("SIGWINCH"), SIGWINCH);
  EXPECT_FALSE(signal_from_name(""));
  EXPECT_FALSE(signal_from_name("SIGNOPE"));
  EXPECT_FALSE(signal_from_name("0"));
  EXPECT_FALSE(signal_from_name("999999999999"));
  EXPECT_FALSE(signal_from_name("9x"));
  EXPECT_EQ(signal_name(SIGTERM), "SIGTERM");
  EXPECT_EQ(signal_name(SIGKILL), "SIGKILL");
  EXPECT_EQ(signal_name(40), "SIG40");
  for (int n = 1; n < 32; ++n) {
    const auto name = signal_name(n);
    if (name.rfind("SIG", 0) == 0 && !std::isdigit(static_cast<unsigned char>(name[3]))) {
      EXPECT_EQ(signal_from_name(name), n) << name;
    }
  }
}

TEST(SessionId, Alphabet) {
  EXPECT_TRUE(is_valid_session_id("a"));
  EXPECT_TRUE(is_valid_session_id("pane-1:tab_2.x"));
  EXPECT_TRUE(is_valid_session_id(std::string(128, 'z')));
  EXPECT_TRUE(is_valid_session_id("..."));
  EXPECT_FALSE(is_valid_session_id(std::string(129, 'z')));
  EXPECT_FALSE(is_valid_session_id(""));
  EXPECT_FALSE(is_valid_session_id("."));
  EXPECT_FALSE(is_valid_session_id(".."));
  EXPECT_FALSE(is_valid_session_id("a/b"));
  EXPECT_FALSE(is_valid_session_id("a b"));
  EXPECT_FALSE(is_valid_session_id(std::string("a\0b", 3)));
  EXPECT_FALSE(is_valid_session_id("\xc3\xa9"));
  try {
    require_session_id("a/b");
    FAIL();
  } catch (const ProtocolError& e) {
    EXPECT_EQ(e.code(), "INVALID_SESSION_ID");
  }
}

TEST(Versions, Constants) {
  EXPECT_EQ(kClientProtocolVersion, 2);
  EXPECT_EQ(kSupervisorProtocolVersion, 1);
}
