// Wire 1 framing: any chunking yields exactly the encoded frames; each error
// code comes from an input made for it.

#include <ptyctl/proto/errors.hpp>
#include <ptyctl/proto/frame_codec.hpp>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <random>
#include <vector>

namespace json = boost::json;
using namespace ptyctl::proto;

namespace {

std::vector<Frame> sample_frames() {
  std::vector<Frame> frames;
  frames.push_back(
      {json::parse(R"({"id":"1","type":"hello","payload":{"protocolVersion":1}})").as_object(),
       ""});
  std::string binary;
  for (int i = 0; i < 256; ++i)
    binary += static_cast<char>(i);
  frames.push_back(
      {json::parse(R"({"type":"event","event":"data","sessionId":"s","payload":{"offset":0}})")
           .as_object(),
       binary});
  frames.push_back({json::object{}, std::string(70000, 'x')});
  frames.push_back({json::parse(R"({"s":"\u00e9\n\u0000"})").as_object(), "\r\n\x1b[31m"});
  return frames;
}

std::string encode_all(const std::vector<Frame>& frames) {
  std::string out;
  for (const auto& f : frames)
    out += encode_frame(f.json, f.payload);
  return out;
}

std::vector<Frame> decode_in_chunks(const std::string& bytes, const std::vector<size_t>& sizes) {
  FrameDecoder dec;
  std::vector<Frame> out;
  size_t pos = 0, k = 0;
  while (pos < bytes.size()) {
    const size_t n = std::min(sizes[k++ % sizes.size()], bytes.size() - pos);
    dec.feed(std::string_view(bytes).substr(pos, n));
    pos += n;
    while (auto f = dec.next())
      out.push_back(std::move(*f));
  }
  EXPECT_EQ(dec.buffered(), 0u);
  return out;
}

std::string raw_frame(uint32_t n, uint32_t j, std::string_view body) {
  std::string out;
  for (int s = 24; s >= 0; s -= 8)
    out += static_cast<char>((n >> s) & 0xff);
  for (int s = 24; s >= 0; s -= 8)
    out += static_cast<char>((j >> s) & 0xff);
  out += body;
  return out;
}

std::string error_code_of(const std::string& bytes, size_t max = kDefaultMaxFrameSize) {
  FrameDecoder dec(max);
  dec.feed(bytes);
  try {
    while (dec.next()) {
    }
  } catch (const ProtocolError& e) {
    EXPECT_TRUE(dec.failed());
    // Sticky: the same error again, and nothing held.
    EXPECT_THROW(dec.next(), ProtocolError);
    EXPECT_EQ(dec.buffered(), 0u);
    return e.code();
  }
  return "OK";
}

}  // namespace

TEST(FrameCodec, LayoutIsLengthsThenJsonThenPayload) {
  const std::string bytes = encode_frame(json::object{{"a", 1}}, "xyz");
  ASSERT_EQ(bytes.size(), 8u + 7u + 3u);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\0\0\0\x0e\0\0\0\x07", 8));
  EXPECT_EQ(bytes.substr(8), R"({"a":1}xyz)");
  EXPECT_EQ(encode_frame_head(json::object{{"a", 1}}, 3) + "xyz", bytes);
}

TEST(FrameCodec, WholeBuffer) {
  const auto frames = sample_frames();
  EXPECT_EQ(decode_in_chunks(encode_all(frames), {1u << 30}), frames);
}

TEST(FrameCodec, OneByteAtATime) {
  const auto frames = sample_frames();
  EXPECT_EQ(decode_in_chunks(encode_all(frames), {1}), frames);
}

TEST(FrameCodec, RandomChunksFromFixedSeed) {
  const auto frames = sample_frames();
  const std::string bytes = encode_all(frames);
  std::mt19937 rng(20261122);
  for (int round = 0; round < 50; ++round) {
    std::vector<size_t> sizes;
    std::uniform_int_distribution<size_t> dist(1, round % 2 ? 17 : 9000);
    for (int i = 0; i < 64; ++i)
      sizes.push_back(dist(rng));
    ASSERT_EQ(decode_in_chunks(bytes, sizes), frames) << "round " << round;
  }
}

TEST(FrameCodec, FrameTooLarge) {
  // Refused from the first four bytes, without waiting for the body.
  EXPECT_EQ(error_code_of(raw_frame(16u * 1024 * 1024 + 1, 2, "")), "FRAME_TOO_LARGE");
  EXPECT_EQ(error_code_of(raw_frame(101, 2, "{}"), 100), "FRAME_TOO_LARGE");
  EXPECT_THROW(encode_frame(json::object{}, std::string(100, 'x'), 100), ProtocolError);
}

TEST(FrameCodec, ExactlyTheLimitIsAccepted) {
  const std::string payload(100 - 4 - 2, 'p');
  FrameDecoder dec(100);
  dec.feed(encode_frame(json::object{}, payload, 100));
  auto f = dec.next();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->payload, payload);
}

TEST(FrameCodec, BadFrame) {
  EXPECT_EQ(error_code_of(raw_frame(10, 7, "{}")), "BAD_FRAME");  // J > N - 4
  EXPECT_EQ(error_code_of(raw_frame(3, 0, "")), "BAD_FRAME");     // N < 4
}

TEST(FrameCodec, BadJson) {
  EXPECT_EQ(error_code_of(raw_frame(4 + 5, 5, "{\"a\":")), "BAD_JSON");
}

TEST(FrameCodec, NotAnObject) {
  EXPECT_EQ(error_code_of(raw_frame(4 + 5, 5, "[1,2]")), "NOT_AN_OBJECT");
  EXPECT_EQ(error_code_of(raw_frame(4 + 1, 1, "7")), "NOT_AN_OBJECT");
  EXPECT_EQ(error_code_of(raw_frame(4, 0, "")), "BAD_JSON");  // empty JSON text
}

TEST(FrameCodec, ErrorAfterGoodFramesKeepsTheGoodOnes) {
  std::string bytes = encode_frame(json::object{{"n", 1}}, "a");
  bytes += raw_frame(4 + 2, 2, "[]");
  FrameDecoder dec;
  dec.feed(bytes);
  auto first = dec.next();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->payload, "a");
  EXPECT_THROW(dec.next(), ProtocolError);
}
