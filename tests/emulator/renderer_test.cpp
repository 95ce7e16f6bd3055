// What a reattach shows, judged by the app's own renderer (xterm.js 6 with the
// Unicode 11 widths: tests/oracle): xterm.js fed a snapshot
// (rehydrateSequences, snapshotAnsi) and then the output after its offset must
// show what xterm.js fed the whole stream shows: every cell, wrapped flags,
// cursor and its style, modes, title, tab stops, saved cursor, charsets.

#include "emulator/emulator.hpp"
#include "xterm_oracle.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace ptyctl::emu;
using ptyctl::testing_oracle::XtermOracle;

namespace {

XtermOracle& oracle() {
  static XtermOracle o;
  return o;
}

constexpr int kScrollback = 5000;  // the app's default

// The bytes the app writes into a fresh xterm.js on a reattach after
// `offset` bytes of `stream`, then the rest of the stream.
std::string reattached(const std::string& stream, std::size_t offset, int cols, int rows) {
  Emulator e(cols, rows, kScrollback);
  e.feed(std::string_view(stream).substr(0, offset));
  const auto snap = e.snapshot();
  return snap.rehydrateSequences + snap.snapshotAnsi + stream.substr(offset - e.unfinished_bytes());
}

std::string describe(const std::vector<std::string>& diffs) {
  std::string out;
  for (const auto& d : diffs)
    out += "\n  " + d;
  return out;
}

void expect_reattach_shows_the_same(const std::string& stream, std::size_t offset, int cols,
                                    int rows, const std::string& what) {
  const auto diffs = oracle().differences(cols, rows, kScrollback,
                                          {stream, reattached(stream, offset, cols, rows)});
  EXPECT_TRUE(diffs.empty()) << what << ": a reattach after byte " << offset << " of "
                             << stream.size() << " differs:" << describe(diffs);
}

// A reattach after every byte of a short stream.
void expect_every_reattach_shows_the_same(const std::string& stream, int cols, int rows,
                                          const std::string& what) {
  std::vector<std::string> streams = {stream};
  for (std::size_t offset = 1; offset <= stream.size(); ++offset)
    streams.push_back(reattached(stream, offset, cols, rows));
  const auto diffs = oracle().differences(cols, rows, kScrollback, streams);
  EXPECT_TRUE(diffs.empty()) << what
                             << ": a reattach differs (stream i: after byte i):" << describe(diffs);
}

}  // namespace

// The reproductions, each a stream and where the reattach happens.

// 7: a snapshot taken inside an escape sequence or string.
TEST(RendererReproduction, ASnapshotInsideASequenceKeepsIt) {
  const std::string csi = "\x1b[31mRED\x1b[m plain";
  expect_reattach_shows_the_same(csi, 3, 80, 24, "inside a CSI (after ESC [ 3)");
  const std::string osc = "\x1b]2;title\x1b\\text";
  expect_reattach_shows_the_same(osc, 7, 80, 24, "inside an OSC (after ESC ] 2;ti)");
  expect_reattach_shows_the_same(osc, 12, 80, 24, "inside an OSC's ST (after its ESC)");
  const std::string charset = "\x1b(0qqq\x1b(B";
  expect_reattach_shows_the_same(charset, 2, 80, 24, "inside a designation (after ESC ()");
  const std::string utf8 = "caf\xc3\xa9 \xe4\xb8\xad\xf0\x9f\x98\x80!";
  for (std::size_t cut : {4u, 8u, 9u, 11u, 12u, 13u})
    expect_reattach_shows_the_same(utf8, cut, 80, 24,
                                   "inside a UTF-8 character (" + std::to_string(cut) + ")");
}

// 2: keypad application mode.
TEST(RendererReproduction, KeypadApplicationMode) {
  expect_reattach_shows_the_same("\x1b=", 2, 80, 24, "DECKPAM");
  expect_reattach_shows_the_same("\x1b[?66h", 6, 80, 24, "DECNKM");
  expect_reattach_shows_the_same("\x1b=\x1b>", 4, 80, 24, "DECKPAM then DECKPNM");
}

// 5: overline (SGR 53, off by 55).
TEST(RendererReproduction, Overline) {
  for (const std::string s : {"\x1b[53mO\x1b[55mN", "\x1b[53;31mO\x1b[mN"})
    expect_reattach_shows_the_same(s, s.size(), 80, 24, s.substr(1));
}

// 6: the cursor's style (DECSCUSR).
TEST(RendererReproduction, CursorStyle) {
  for (const std::string s : {"\x1b[6 q", "\x1b[3 q", "\x1b[2 q", "\x1b[0 q"})
    expect_reattach_shows_the_same(s, s.size(), 80, 24, s.substr(1));
}

// 8: tab stops.
TEST(RendererReproduction, TabStops) {
  const std::string s = "\x1b[3g\x1b[5G\x1bH\r\tX";
  expect_reattach_shows_the_same(s, s.size() - 2, 80, 24, "cleared, one at column 5");
}

// 9: the saved cursor and pen (DECSC).
TEST(RendererReproduction, SavedCursorAndPen) {
  const std::string a =
      "\x1b[5;5H\x1b"
      "7\x1b[H\x1b"
      "8X";
  expect_reattach_shows_the_same(a, a.size() - 3, 80, 24, "position");
  const std::string b =
      "\x1b[31m\x1b"
      "7\x1b[m\x1b"
      "8X";
  expect_reattach_shows_the_same(b, b.size() - 3, 80, 24, "pen");
}

// 10: a pending wrap.
TEST(RendererReproduction, PendingWrap) {
  const std::string b = std::string(100, 'b') + "c";
  expect_reattach_shows_the_same(b, 100, 100, 24, "b x 100 then c");
  const std::string e = std::string(99, 'a') + "e\xcc\x81";
  expect_reattach_shows_the_same(e, 100, 100, 24, "a combining mark after the last column");
}

// 1: a wrapped line stays one line (reflow and copy see it whole), on the
// screen and in the scrollback, and so do lines of wide characters.
TEST(RendererReproduction, AWrappedLineStaysWrapped) {
  const std::string a101 = std::string(101, 'a') + "\r\nnext";
  expect_reattach_shows_the_same(a101, a101.size(), 100, 24, "a x 101 at 100 columns");
  std::string scrolled;
  for (int i = 0; i < 40; ++i)
    scrolled += std::to_string(i) + std::string(150, static_cast<char>('a' + i % 26)) + "\r\n";
  expect_reattach_shows_the_same(scrolled, scrolled.size(), 100, 24, "wrapped into scrollback");
  std::string coloured = "\x1b[41m" + std::string(130, 'x') + "\x1b[m tail\r\n";
  expect_reattach_shows_the_same(coloured, coloured.size(), 100, 24, "a coloured wrapped line");
}

// 3: OSC 8 hyperlinks, on the screen, across a wrap and in the scrollback,
// with and without an id, ended by ST or BEL, and a reattach inside one.
TEST(RendererReproduction, Hyperlinks) {
  const std::string link = "\x1b]8;;http://example.invalid/\x1b\\link\x1b]8;;\x1b\\ after";
  expect_every_reattach_shows_the_same(link, 80, 24, "a link");
  const std::string with_id =
      "\x1b]8;id=a1:x=y;https://example.invalid/a;b?c\x07one\x1b]8;;\x07 two "
      "\x1b]8;;file:///tmp/x\x07\x1b[1;31mthree\x1b[mfour\x1b]8;;\x07";
  expect_every_reattach_shows_the_same(with_id, 80, 24, "an id, a ';' in the uri, SGRs inside");
  std::string long_link = "\x1b]8;;https://example.invalid/long\x1b\\";
  long_link += std::string(150, 'L') + "\x1b]8;;\x1b\\\r\n";
  for (int i = 0; i < 30; ++i)
    long_link += "\x1b]8;;https://example.invalid/" + std::to_string(i) + "\x1b\\line " +
                 std::to_string(i) + "\x1b]8;;\x1b\\\r\n";
  expect_reattach_shows_the_same(long_link, long_link.size(), 100, 24,
                                 "wrapped and into the scrollback");
  expect_reattach_shows_the_same(long_link, 60, 100, 24, "inside the wrapped link");
}

// 4: underline colour (SGR 58, 59) and style (4:0-4:5), as the renderer
// reads them; and a 256-colour index below 16 is not a 16-colour one.
TEST(RendererReproduction, UnderlineColourAndStyle) {
  for (const std::string s :
       {"\x1b[4;58;5;196mX", "\x1b[4;58;2;0;200;0mX", "\x1b[4:3m\x1b[58:2::255:0:0mX",
        "\x1b[4:4;58:5:33mdotted\x1b[4:5mdashed\x1b[4:0mnone\x1b[4mX",
        "\x1b[4;58;5;9m\x1b[59mX\x1b[mY\x1b[4mZ", "\x1b[21mdouble\x1b[24mX",
        "\x1b[1;38;5;1mA\x1b[31mB\x1b[48;5;4mC\x1b[44mD", "\x1b[38;2;1mpartial\x1b[38;5mX",
        "\x1b[38;3;1;2;3;4mskipped\x1b[1;2;3;4;5;7;8;9;53;38;2;1;2;3;48;2;4;5;6;58;2;7;8;9mmany"})
    expect_every_reattach_shows_the_same(s, 80, 24, s.substr(1));
}

// 11: the character sets (G0-G3 and the one in GL). The renderer has no
// single shifts (SS2, SS3): they do nothing there, nor here.
TEST(RendererReproduction, CharacterSets) {
  for (const std::string s : {"\x1b*0\x1bNq", "\x1b*0\x1bnqx\x1b(B", "\x1b)0\x0eqx\x0fq",
                              "\x1b+0\x1boq\x1bOq", "\x1b(0lqk\x1b(B"})
    expect_every_reattach_shows_the_same(s, 80, 24, "charsets");
}

// The saved cursor as the renderer keeps it: one per screen, its row moving
// up with lines scrolled off, its pen (not the visibility) restored.
TEST(RendererReproduction, SavedCursorPerScreen) {
  const std::string per_screen =
      "\x1b[5;5H\x1b[32m\x1b"
      "7\x1b[m\x1b[?1049h\x1b[10;10H\x1b[33m\x1b"
      "7\x1b[m\x1b[?1049l\x1b"
      "8X\x1b[?1049h\x1b"
      "8Y";
  expect_every_reattach_shows_the_same(per_screen, 80, 24, "one per screen");
  std::string scrolled =
      "\x1b[20;3H\x1b"
      "7";
  for (int i = 0; i < 30; ++i)
    scrolled += "\r\nline " + std::to_string(i);
  scrolled +=
      "\x1b"
      "8X";
  expect_reattach_shows_the_same(scrolled, scrolled.size() - 3, 80, 24, "scrolled since");
  expect_reattach_shows_the_same(scrolled, 20, 80, 24, "scrolled since (early)");
  const std::string visibility =
      "\x1b"
      "7\x1b[?25l\x1b"
      "8X";
  expect_every_reattach_shows_the_same(visibility, 80, 24, "visibility stays");
  const std::string styles =
      "\x1b[4:3m\x1b"
      "7\x1b[24m\x1b"
      "8X\x1b[4;58;5;2m\x1b"
      "8Y";
  expect_every_reattach_shows_the_same(styles, 80, 24, "an extended underline");
}

// Several modes in one CSI (libvterm 0.1.4 sets only the first of those it
// keeps; vim shows its cursor with CSI ? 12;25 h).
TEST(RendererReproduction, SeveralModesInOneCsi) {
  const std::string s = "\x1b[?25l\x1b[?12;25h\x1b[?1;1049h\x1b[?7;25l\x1b[?2004;1049l";
  expect_every_reattach_shows_the_same(s, 80, 24, "modes");
}
// Found by the recordings: a wide character that does not fit in the last
// column wraps (and that column is blanked with its pen); a line feed that
// moves down makes the row it lands on a line of its own; EL and ED at a
// pending wrap erase nothing of the cursor's row; CSI s and CSI u save and
// restore the cursor.
TEST(RendererReproduction, LineEdges) {
  const std::string wide = std::string(79, 'x') + "\xe4\xb8\xad tail\r\n\x1b[44m" +
                           std::string(78, 'y') + "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\x1b[m";
  expect_every_reattach_shows_the_same(wide, 80, 24, "a wide character at the last column");
  const std::string line_feed = std::string(100, 'a') + "\x1b[A\r\nX\r\n\r\nb";
  expect_every_reattach_shows_the_same(line_feed, 80, 24, "a line feed onto a wrapped row");
  const std::string erase = "\x1b[7m" + std::string(80, ' ') + "\x1b[K\x1b[m\r\n\x1b[42m" +
                            std::string(80, 'z') + "\x1b[0J\x1b[mnext";
  expect_every_reattach_shows_the_same(erase, 80, 24, "EL and ED at a pending wrap");
  const std::string scosc = "\x1b[20;1H\x1b[s\x1b[5;60Hsaved\x1b[uafter\x1b[1s\x1b[3;3H\x1b[uX";
  expect_every_reattach_shows_the_same(scosc, 80, 24, "CSI s and CSI u");
}

// Resizes, as the app's renderer does them (docs/emulator.md, "Resize"): the
// stream fed with its resizes to xterm.js must show what xterm.js shows after
// a reattach to ours that took the same ones.
namespace {

using Part = ptyctl::testing_oracle::XtermOracle::Part;

struct Resized {
  std::vector<Part> parts;
  Resized& bytes(std::string b) {
    parts.push_back({std::move(b), 0, 0});
    return *this;
  }
  Resized& resize(int cols, int rows) {
    parts.push_back({"", cols, rows});
    return *this;
  }
};

// Ours through the parts, then the reattach after them into a fresh xterm.js
// of the final size.
Emulator& fed(Emulator& e, const std::vector<Part>& parts) {
  for (const Part& p : parts) {
    if (p.cols > 0)
      e.resize(p.cols, p.rows);
    else
      e.feed(p.bytes);
  }
  return e;
}

void expect_resizes_show_the_same(const Resized& r, int cols, int rows, const std::string& what) {
  Emulator e(cols, rows, kScrollback);
  fed(e, r.parts);
  const auto snap = e.snapshot();
  std::vector<Part> reattach = {{"", e.cols(), e.rows()},
                                {snap.rehydrateSequences + snap.snapshotAnsi, 0, 0}};
  // Then some more output: the cursor must be where xterm.js has it.
  const std::string more = "<more>\r\n";
  std::vector<Part> original = r.parts;
  original.push_back({more, 0, 0});
  reattach.push_back({more, 0, 0});
  const auto diffs = oracle().differences(cols, rows, kScrollback,
                                          std::vector<std::vector<Part>>{original, reattach});
  EXPECT_TRUE(diffs.empty()) << what << ": differs:" << describe(diffs);
}

}  // namespace

TEST(RendererResize, ALongLineNarrowedAndWidenedComesBackWhole) {
  const std::string line = std::string(93, 'a') + "\r\n$ ";
  expect_resizes_show_the_same(Resized().bytes(line).resize(60, 24).resize(120, 24), 100, 24,
                               "93 a's at 100, 60, 120 columns");
  Emulator e(100, 24, kScrollback);
  e.feed(line);
  e.resize(60, 24);
  e.resize(120, 24);
  EXPECT_EQ(e.text(), std::string(93, 'a') + "\n$");
  // Written in pieces with colours and a wide character at the edge.
  const std::string mixed = "\x1b[31m" + std::string(55, 'r') + "\x1b[42m" + std::string(40, 'g') +
                            "\x1b[m\xe4\xb8\xad\xe6\x96\x87 tail\r\nnext\r\n";
  expect_resizes_show_the_same(
      Resized().bytes(mixed).resize(57, 24).resize(31, 10).resize(80, 24).resize(133, 30), 80, 24,
      "colours and wide characters, narrower and wider");
}

TEST(RendererResize, ScrollbackLinesReflow) {
  std::string lines;
  for (int i = 0; i < 60; ++i)
    lines += "line " + std::to_string(i) + " " +
             std::string(static_cast<std::size_t>(i * 7 % 150), 'x') + "\r\n";
  lines += "$ ";
  expect_resizes_show_the_same(Resized().bytes(lines).resize(50, 24).resize(120, 24), 80, 24,
                               "60 lines of up to 160 characters, 80 to 50 to 120 columns");
  expect_resizes_show_the_same(Resized().bytes(lines).resize(40, 10).resize(90, 40), 80, 24,
                               "and fewer rows, then more");
}

TEST(RendererResize, TheCursorStaysWithItsLine) {
  // Output that wraps above a prompt; the prompt's line moves with the rows
  // the reflow adds or takes away, and the cursor with it.
  const std::string s = std::string(70, 'o') + "\r\n" + std::string(150, 'p') + "\r\n$ abc";
  for (int cols : {30, 60, 100, 160}) {
    expect_resizes_show_the_same(Resized().bytes(s).resize(cols, 24), 80, 24,
                                 "to " + std::to_string(cols) + " columns");
    Emulator e(80, 24, kScrollback);
    e.feed(s);
    e.resize(cols, 24);
    const auto row = e.row_cells(e.cursor().row);
    ASSERT_GE(e.cursor().col, 1);
    EXPECT_EQ(row[static_cast<std::size_t>(e.cursor().col - 1)].chars, U"c") << cols;
  }
  // The cursor inside a wrapped line of its own, a pending wrap, a saved
  // cursor, the bottom of a full screen.
  expect_resizes_show_the_same(
      Resized().bytes("$ " + std::string(150, 'b') + "\x1b[100D").resize(60, 24).resize(120, 24),
      80, 24, "the cursor's own wrapped line");
  expect_resizes_show_the_same(Resized().bytes(std::string(80, 'w')).resize(100, 24), 80, 24,
                               "a pending wrap, wider");
  expect_resizes_show_the_same(Resized().bytes(std::string(80, 'w')).resize(40, 24), 80, 24,
                               "a pending wrap, narrower");
  std::string full;
  for (int i = 0; i < 30; ++i)
    full += std::to_string(i) + std::string(static_cast<std::size_t>(i * 13 % 100), '-') + "\r\n";
  expect_resizes_show_the_same(Resized()
                                   .bytes("\x1b[3;5H\x1b"
                                          "7\x1b[24;1H" +
                                          full)
                                   .resize(45, 20)
                                   .resize(100, 30),
                               80, 24, "a full screen and a saved cursor");
}

TEST(RendererResize, RowsOnly) {
  std::string s;
  for (int i = 1; i <= 7; ++i)
    s += "L" + std::to_string(i) + "\r\n";
  expect_resizes_show_the_same(Resized().bytes(s + "$ ").resize(20, 3).resize(20, 8).resize(20, 12),
                               20, 5, "the cursor on the last line");
  expect_resizes_show_the_same(
      Resized().bytes("L1\r\nL2\r\n$ ").resize(20, 3).resize(20, 2).resize(20, 6), 20, 6,
      "blank rows below the cursor");
  expect_resizes_show_the_same(Resized().bytes(s + "\x1b[2;1H").resize(20, 3).resize(20, 6), 20, 6,
                               "rows below the cursor with text");
}

TEST(RendererResize, TheAlternateScreenIsCutNotReflowed) {
  const std::string s = "primary " + std::string(100, 'p') + "\r\n\x1b[?1049h\x1b[H" +
                        std::string(75, 'A') + "\x1b[5;70HB\x1b[20;1Hbottom";
  expect_resizes_show_the_same(Resized().bytes(s).resize(40, 10).resize(90, 30), 80, 24,
                               "alternate screen");
  expect_resizes_show_the_same(Resized().bytes(s).resize(40, 10).bytes("\x1b[?1049l"), 80, 24,
                               "and leaving it");
}

TEST(RendererResize, TabStops) {
  expect_resizes_show_the_same(Resized()
                                   .bytes("\x1b[3g\x1b[3G\x1bH\r")
                                   .resize(30, 3)
                                   .bytes("\t1\t2\t3\r\n")
                                   .resize(12, 3)
                                   .resize(40, 3)
                                   .bytes("\t4\t5\t6"),
                               10, 3, "stops kept, the default ones added from the last");
}

// Every recording in tests/data (real programs in a real PTY, 80x24), at its
// end and at five points on the way: inside an escape sequence (three), inside
// a UTF-8 character where there is one, and between two bytes of text.
namespace {

std::vector<std::string> recordings() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(PTYCTL_TEST_DATA_DIR))
    if (entry.path().extension() == ".bin") names.push_back(entry.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::string recording(const std::string& name) {
  std::ifstream in(std::string(PTYCTL_TEST_DATA_DIR) + "/" + name + ".bin", std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::size_t> reattach_points(const std::string& s) {
  std::vector<std::size_t> points;
  for (std::size_t k = 1; k <= 5; ++k) {
    std::size_t at = s.size() * k / 6;
    if (k % 2 == 1) {
      // Two bytes into the next escape sequence ("ESC [" or "ESC ]": inside).
      const std::size_t esc = s.find('\x1b', at);
      if (esc != std::string::npos && esc + 2 < s.size()) at = esc + 2;
    } else if (k == 2) {
      // One byte into the next character of more than one byte.
      for (std::size_t i = at; i < s.size(); ++i)
        if (static_cast<unsigned char>(s[i]) >= 0xc2 && static_cast<unsigned char>(s[i]) < 0xf5) {
          at = i + 1;
          break;
        }
    }
    points.push_back(std::max<std::size_t>(at, 1));
  }
  points.push_back(s.size());
  return points;
}

class RendererCorpus : public testing::TestWithParam<std::string> {};

}  // namespace

TEST(RendererCorpusSize, AtLeast25Recordings) {
  EXPECT_GE(recordings().size(), 25u);
}

TEST_P(RendererCorpus, ReattachShowsWhatTheAppShows) {
  const std::string stream = recording(GetParam());
  ASSERT_FALSE(stream.empty());
  std::vector<std::string> streams = {stream};
  const auto points = reattach_points(stream);
  for (std::size_t offset : points)
    streams.push_back(reattached(stream, offset, 80, 24));
  const auto diffs = oracle().differences(80, 24, kScrollback, streams);
  std::string where;
  for (std::size_t i = 0; i < points.size(); ++i)
    where += " stream " + std::to_string(i + 1) + ": after byte " + std::to_string(points[i]) + ";";
  EXPECT_TRUE(diffs.empty()) << GetParam() << " (" << stream.size() << " bytes;" << where
                             << "): a reattach differs:" << describe(diffs);
}

INSTANTIATE_TEST_SUITE_P(Recorded, RendererCorpus, testing::ValuesIn(recordings()),
                         [](const testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });
