// Wire 2 framing: blank lines skipped, bad lines dropped and counted, large
// lines accepted up to the limit, over-limit lines refused without holding them.

#include <ptyctl/proto/client_messages.hpp>
#include <ptyctl/proto/envelope.hpp>
#include <ptyctl/proto/errors.hpp>
#include <ptyctl/proto/line_codec.hpp>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <random>
#include <string>
#include <vector>

namespace json = boost::json;
using namespace ptyctl::proto;

TEST(LineCodec, EncodeEscapesNewlines) {
  const std::string line = encode_line(json::object{{"data", "a\nb\r\n"}});
  EXPECT_EQ(line, "{\"data\":\"a\\nb\\r\\n\"}\n");
  EXPECT_EQ(line.find('\n'), line.size() - 1);
}

TEST(LineCodec, SkipsBlankLinesAndDecodesInAnyChunking) {
  std::string input = "\n  \n" + encode_line(json::object{{"id", "1"}}) + "\r\n" +
                      encode_line(json::object{{"id", "2"}}) + "\t\n";
  for (size_t chunk : {size_t{1}, size_t{3}, input.size()}) {
    LineDecoder dec;
    std::vector<json::object> got;
    for (size_t pos = 0; pos < input.size(); pos += chunk) {
      dec.feed(std::string_view(input).substr(pos, chunk));
      while (auto m = dec.next())
        got.push_back(*m);
    }
    ASSERT_EQ(got.size(), 2u) << "chunk " << chunk;
    EXPECT_EQ(got[0].at("id"), "1");
    EXPECT_EQ(got[1].at("id"), "2");
    EXPECT_EQ(dec.dropped(), 0u);
  }
}

TEST(LineCodec, CarriageReturnBeforeNewlineIsAccepted) {
  LineDecoder dec;
  dec.feed("{\"id\":\"1\"}\r\n");
  auto m = dec.next();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->at("id"), "1");
}

TEST(LineCodec, DropsAndCountsInvalidLinesThenDecodesTheNext) {
  LineDecoder dec;
  dec.feed("{not json\n[1,2,3]\n\"str\"\n{\"id\":\"ok\"}\n");
  auto m = dec.next();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->at("id"), "ok");
  EXPECT_EQ(dec.dropped(), 3u);
  EXPECT_EQ(dec.last_drop_reason(), "NOT_AN_OBJECT");
  EXPECT_FALSE(dec.next());
  EXPECT_FALSE(dec.failed());
}

TEST(LineCodec, AcceptsATenMebibyteLine) {
  const std::string data(10u * 1024 * 1024, 'a');
  const std::string line = encode_line(json::object{{"data", data}});
  LineDecoder dec;
  for (size_t pos = 0; pos < line.size(); pos += 65536) {
    dec.feed(std::string_view(line).substr(pos, 65536));
    if (pos + 65536 < line.size()) {
      ASSERT_FALSE(dec.next());
    }
  }
  auto m = dec.next();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->at("data").as_string().size(), data.size());
}

TEST(LineCodec, RefusesAnOverLimitLineWithoutHoldingIt) {
  LineDecoder dec(1024);
  dec.feed("{\"id\":\"1\"}\n");
  ASSERT_TRUE(dec.next());
  // Feed a line without end: it must be refused once the limit is passed,
  // not buffered until a newline arrives.
  std::string chunk(300, 'x');
  bool refused = false;
  for (int i = 0; i < 10 && !refused; ++i) {
    dec.feed(chunk);
    try {
      EXPECT_FALSE(dec.next());
    } catch (const ProtocolError& e) {
      EXPECT_EQ(e.code(), "LINE_TOO_LONG");
      refused = true;
      EXPECT_LE(i, 3);
    }
  }
  ASSERT_TRUE(refused);
  EXPECT_TRUE(dec.failed());
  EXPECT_EQ(dec.buffered(), 0u);
  dec.feed(std::string(100000, 'y'));  // ignored after failing
  EXPECT_EQ(dec.buffered(), 0u);
  EXPECT_THROW(dec.next(), ProtocolError);
}

TEST(LineCodec, RefusesAnOverLimitLineThatArrivesWhole) {
  LineDecoder dec(16);
  dec.feed("{\"data\":\"0123456789abcdef\"}\n{\"id\":\"1\"}\n");
  EXPECT_THROW(dec.next(), ProtocolError);
  EXPECT_EQ(dec.buffered(), 0u);
}

TEST(LineCodec, ManyLinesOneByteAtATime) {
  std::string input;
  for (int i = 0; i < 2000; ++i)
    input += encode_line(json::object{{"n", i}});
  LineDecoder dec;
  int expected = 0;
  for (char c : input) {
    dec.feed(std::string_view(&c, 1));
    while (auto m = dec.next()) {
      ASSERT_EQ(m->at("n").as_int64(), expected);
      ++expected;
    }
  }
  EXPECT_EQ(expected, 2000);
  EXPECT_EQ(dec.buffered(), 0u);
}

TEST(LineCodec, ADataLineParsesAsTheEventBoostJsonWouldWrite) {
  // Every byte that needs escaping, at every position against the eight-byte
  // runs, beside plain ASCII and UTF-8 (valid: the encoder's precondition).
  std::mt19937 rng(3);
  const std::vector<std::string> pieces{"\"",
                                        "\\",
                                        "\n",
                                        "\r",
                                        "\t",
                                        "\b",
                                        "\f",
                                        "\x1b",
                                        std::string(1, '\0'),
                                        "\x7f",
                                        "\x1f",
                                        " ",
                                        "plain text",
                                        "\xe2\x82\xac",
                                        "\xf0\x9f\x98\x80",
                                        "/",
                                        "'"};
  for (int round = 0; round < 2000; ++round) {
    std::string text;
    const int n = static_cast<int>(rng() % 40);
    for (int i = 0; i < n; ++i)
      text += pieces[rng() % pieces.size()];
    const std::uint64_t offset = rng(), end = offset + text.size();
    const std::string id = round % 7 == 0 ? "s\"\\\n1" : "session-" + std::to_string(round);
    const std::string fast = encode_data_line(id, text, offset, end);
    ASSERT_EQ(fast.back(), '\n');
    ASSERT_EQ(fast.find('\n'), fast.size() - 1) << "a raw newline inside the line";
    client::DataEvent ev;
    ev.data = text;
    ev.offset = offset;
    ev.endOffset = end;
    const std::string reference = encode_line(make_event(id, ev));
    ASSERT_EQ(boost::json::parse(fast), boost::json::parse(reference)) << fast;
  }
}
