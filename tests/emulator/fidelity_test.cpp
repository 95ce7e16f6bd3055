// Round-trip fidelity over the recorded corpus in tests/data (recorded by
// tests/data/record.py from real programs in a real PTY): feed a stream to
// emulator A in chunks of 1, 7 and 4096 bytes, take A's snapshot, feed
// rehydrateSequences + snapshotAnsi to a fresh emulator B of the same size, and
// B must equal A cell by cell (text, width, attributes, colours), in
// scrollback too, with the same cursor, visibility and modes.

#include "terminal_compare.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace ptyctl::emu;

namespace {

std::vector<std::string> corpus() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(PTYCTL_TEST_DATA_DIR))
    if (entry.path().extension() == ".bin") names.push_back(entry.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::string load(const std::string& name) {
  std::ifstream in(std::string(PTYCTL_TEST_DATA_DIR) + "/" + name + ".bin", std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class Fidelity : public testing::TestWithParam<std::string> {};

}  // namespace

TEST(FidelityCorpus, HasEveryRequiredRecording) {
  const auto names = corpus();
  for (const char* required :
       {"ls_color", "bash_prompt", "vim", "vim_open", "top", "less", "sgr", "cjk_emoji",
        "altscreen", "altscreen_stay", "cursor_addressing", "scroll_regions"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), required), names.end()) << required;
    EXPECT_GT(load(required).size(), 100u) << required;
  }
}

TEST_P(Fidelity, SnapshotReplaysIdentically) {
  const std::string bytes = load(GetParam());
  ASSERT_FALSE(bytes.empty());
  // The reference: libvterm sees every byte (no fast path), in one feed.
  Emulator reference(80, 24);
  reference.set_fast_path(false);
  reference.feed(bytes);
  for (std::size_t chunk : {std::size_t{1}, std::size_t{7}, std::size_t{4096}}) {
    const std::string what = GetParam() + " in chunks of " + std::to_string(chunk);
    Emulator a(80, 24);
    feed_in_chunks(a, bytes, chunk);
    // Neither chunking nor the fast path may change anything.
    expect_same_terminal(reference, a, what + " (vs libvterm alone, one feed)");
    const auto snap = a.snapshot();
    auto b = replay(snap);
    expect_same_terminal(a, *b, what + " (replayed snapshot)");
    EXPECT_EQ(snap.title.value_or(""), b->title());
    EXPECT_EQ(snap.text, b->snapshot().text);
  }
}

INSTANTIATE_TEST_SUITE_P(Recorded, Fidelity, testing::ValuesIn(corpus()),
                         [](const testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });
