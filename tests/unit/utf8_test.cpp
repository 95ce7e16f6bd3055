// The UTF-8 helpers at every split position of 1- to 4-byte sequences and on
// ill-formed input.

#include <ptyctl/proto/utf8.hpp>

#include <gtest/gtest.h>

#include <random>

using namespace ptyctl::proto;

namespace {
const std::vector<std::string> kChars = {
    "a",                 // U+0061
    "\xc3\xa9",          // U+00E9
    "\xdf\xbf",          // U+07FF
    "\xe0\xa0\x80",      // U+0800
    "\xe4\xb8\x96",      // U+4E16 (wide)
    "\xed\x9f\xbf",      // U+D7FF, just below the surrogates
    "\xef\xbf\xbd",      // U+FFFD
    "\xf0\x90\x80\x80",  // U+10000
    "\xf0\x9f\x98\x80",  // U+1F600 (emoji)
    "\xf4\x8f\xbf\xbf",  // U+10FFFF
};
}  // namespace

TEST(Utf8, EverySplitPositionOfEverySequenceLength) {
  for (const auto& ch : kChars) {
    for (const std::string prefix : {"", "x", "\xc3\xa9", "\xf0\x9f\x98\x80"}) {
      const std::string whole = prefix + ch;
      EXPECT_EQ(utf8_complete_prefix(whole), whole.size());
      for (size_t cut = 1; cut < ch.size(); ++cut) {
        // Cut inside the character: the prefix stops before it.
        const std::string partial = prefix + ch.substr(0, cut);
        EXPECT_EQ(utf8_complete_prefix(partial), prefix.size())
            << "char of " << ch.size() << " bytes cut at " << cut;
        EXPECT_FALSE(utf8_is_valid(partial));
      }
    }
  }
}

TEST(Utf8, SplittingAStreamAnywhereLosesNothing) {
  std::mt19937 rng(7);
  std::string text;
  for (int i = 0; i < 3000; ++i)
    text += kChars[rng() % kChars.size()];
  // Emulate reads of random sizes, forwarding only complete prefixes.
  std::string pending, forwarded;
  for (size_t pos = 0; pos < text.size();) {
    const size_t n = std::min<size_t>(1 + rng() % 7, text.size() - pos);
    pending += text.substr(pos, n);
    pos += n;
    const size_t keep = utf8_complete_prefix(pending);
    const std::string chunk = pending.substr(0, keep);
    ASSERT_TRUE(utf8_is_valid(chunk));
    forwarded += chunk;
    pending.erase(0, keep);
  }
  EXPECT_TRUE(pending.empty());
  EXPECT_EQ(forwarded, text);
}

TEST(Utf8, InvalidBytesAreNeverHeldBack) {
  EXPECT_EQ(utf8_complete_prefix("ab\xff"), 3u);      // never valid
  EXPECT_EQ(utf8_complete_prefix("ab\x80"), 3u);      // stray continuation
  EXPECT_EQ(utf8_complete_prefix("ab\xc0"), 3u);      // overlong lead
  EXPECT_EQ(utf8_complete_prefix("ab\xe0\x80"), 4u);  // overlong 3-byte
  EXPECT_EQ(utf8_complete_prefix("ab\xed\xa0"), 4u);  // surrogate
  EXPECT_EQ(utf8_complete_prefix("ab\xf4\x90"), 4u);  // past U+10FFFF
  EXPECT_EQ(utf8_complete_prefix("ab\xf5"), 3u);      // lead past U+10FFFF
  EXPECT_EQ(utf8_complete_prefix("\x80\x80\x80\x80"), 4u);
  EXPECT_EQ(utf8_complete_prefix(""), 0u);
  EXPECT_EQ(utf8_complete_prefix("\xe4"), 0u);
}

TEST(Utf8, SanitizeReplacesEachMaximalSubpart) {
  EXPECT_EQ(utf8_sanitize("plain \xe4\xb8\x96"), "plain \xe4\xb8\x96");
  EXPECT_EQ(utf8_sanitize("a\xffz"), "a\xef\xbf\xbdz");
  EXPECT_EQ(utf8_sanitize("a\xe4\xb8z"), "a\xef\xbf\xbdz");          // truncated: one U+FFFD
  EXPECT_EQ(utf8_sanitize("\xc0\xaf"), "\xef\xbf\xbd\xef\xbf\xbd");  // overlong: two
  EXPECT_EQ(utf8_sanitize("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_EQ(utf8_sanitize("\xf0\x9f\x98"), "\xef\xbf\xbd");  // incomplete at the end
  EXPECT_TRUE(utf8_is_valid(utf8_sanitize("\xf8\x88\x80\x80\x80 \xfe\xff")));
  EXPECT_TRUE(utf8_is_valid(""));
}
