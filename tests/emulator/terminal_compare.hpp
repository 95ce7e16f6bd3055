#pragma once
// Test helpers: compare two emulators cell by cell, replay a snapshot into a
// fresh emulator, feed in fixed-size chunks.

#include "emulator/emulator.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <ostream>
#include <string>

namespace ptyctl::emu {

inline std::string describe(const Color& c) {
  std::string s;
  switch (c.kind) {
    case Color::kIndexed:
      s = "i";
      s += std::to_string(c.r);
      return s;
    case Color::kRgb:
      s = "#";
      for (int v : {c.r, c.g, c.b}) {
        s += std::to_string(v);
        s += ' ';
      }
      return s;
    default:
      return "d";
  }
}

inline void PrintTo(const CellView& v, std::ostream* os) {
  std::string s;
  for (char32_t cp : v.chars)
    append_utf8(s, cp);
  *os << "'" << s << "'w" << v.width << " fg=" << describe(v.pen.fg) << " bg=" << describe(v.pen.bg)
      << " a=" << v.pen.attrs;
}

inline std::string row_string(const std::vector<CellView>& row) {
  std::string s;
  for (const auto& v : row) {
    if (v.width == 0) continue;
    if (v.chars.empty()) s += ' ';
    for (char32_t cp : v.chars)
      append_utf8(s, cp);
  }
  return s;
}

inline void feed_in_chunks(Emulator& e, const std::string& bytes, std::size_t chunk) {
  for (std::size_t pos = 0; pos < bytes.size(); pos += chunk)
    e.feed(std::string_view(bytes).substr(pos, chunk));
}

inline std::unique_ptr<Emulator> replay(const proto::Snapshot& s,
                                        std::size_t scrollback = kDefaultScrollbackLines) {
  auto b = std::make_unique<Emulator>(s.cols, s.rows, scrollback);
  b->feed(s.rehydrateSequences);
  b->feed(s.snapshotAnsi);
  return b;
}

// Visible screen, scrollback, cursor, its visibility and the modes.
inline void expect_same_terminal(const Emulator& a, const Emulator& b, const std::string& what) {
  SCOPED_TRACE(what);
  ASSERT_EQ(a.cols(), b.cols());
  ASSERT_EQ(a.rows(), b.rows());
  ASSERT_EQ(a.scrollback_size(), b.scrollback_size());
  int reported = 0;
  for (std::size_t i = 0; i < a.scrollback_size() && reported < 5; ++i) {
    const auto ra = a.scrollback_cells(i), rb = b.scrollback_cells(i);
    if (ra != rb) {
      ++reported;
      ADD_FAILURE() << "scrollback line " << i << " differs\n  A: [" << row_string(ra)
                    << "]\n  B: [" << row_string(rb) << "]";
      for (std::size_t c = 0; c < ra.size() && c < rb.size(); ++c) {
        if (!(ra[c] == rb[c])) {
          ADD_FAILURE() << "first differing cell at column " << c << ": "
                        << testing::PrintToString(ra[c]) << " vs " << testing::PrintToString(rb[c]);
          break;
        }
      }
    }
  }
  for (int r = 0; r < a.rows() && reported < 5; ++r) {
    const auto ra = a.row_cells(r), rb = b.row_cells(r);
    if (ra != rb) {
      ++reported;
      ADD_FAILURE() << "screen row " << r << " differs\n  A: [" << row_string(ra) << "]\n  B: ["
                    << row_string(rb) << "]";
      for (std::size_t c = 0; c < ra.size(); ++c) {
        if (!(ra[c] == rb[c])) {
          ADD_FAILURE() << "first differing cell at column " << c << ": "
                        << testing::PrintToString(ra[c]) << " vs " << testing::PrintToString(rb[c]);
          break;
        }
      }
    }
  }
  // Which lines continue the one before (a renderer reflows and copies them
  // as one). Not the oldest line's: with the line it continued gone, no
  // snapshot can say it (docs/emulator.md).
  for (std::size_t i = 1; i < a.scrollback_size(); ++i)
    EXPECT_EQ(a.scrollback_wrapped(i), b.scrollback_wrapped(i)) << "scrollback line " << i;
  for (int r = a.scrollback_size() == 0 ? 1 : 0; r < a.rows(); ++r)
    EXPECT_EQ(a.row_wrapped(r), b.row_wrapped(r)) << "screen row " << r;
  EXPECT_EQ(a.cursor().row, b.cursor().row);
  EXPECT_EQ(a.cursor().col, b.cursor().col);
  EXPECT_EQ(a.cursor().visible, b.cursor().visible);
  EXPECT_EQ(a.modes(), b.modes());
  EXPECT_EQ(a.on_alternate_screen(), b.on_alternate_screen());
  EXPECT_EQ(a.pen(), b.pen());
  EXPECT_EQ(a.title(), b.title());
  EXPECT_EQ(a.cwd(), b.cwd());
}

}  // namespace ptyctl::emu
