#include "scrollback.hpp"

#include <algorithm>
#include <cstddef>
#include <cstring>

namespace ptyctl::emu {

namespace {

// Line encoding. Bytes below 0x20 are markers; anything else is the UTF-8 of a
// cell's first code point.
constexpr char kPen = 0x01;         // + 10 bytes: the pen of the cells that follow
constexpr char kBlank = 0x02;       // a blank cell
constexpr char kWide = 0x03;        // the next character is wide (its right half implied)
constexpr char kCombining = 0x04;   // + UTF-8: a further code point of the previous cell
constexpr char kOrphanTail = 0x05;  // a right half without its left half
constexpr char kControl = 0x06;     // + 1 byte: a code point below 0x20
// First, if at all: the line continues the one before it (an autowrap).
// Earlier releases wrote none, and their lines read as not wrapped.
constexpr char kWrapped = 0x07;
// Right after a kPen, if the pen has an underline colour or a link: the
// colour (4 bytes), the link's text length (2 bytes) and its text.
constexpr char kPenExtra = 0x08;

void put_pen(std::string& out, const Pen& pen, const LinkTable& links) {
  out += kPen;
  const char bytes[10] = {static_cast<char>(pen.fg.kind),      static_cast<char>(pen.fg.r),
                          static_cast<char>(pen.fg.g),         static_cast<char>(pen.fg.b),
                          static_cast<char>(pen.bg.kind),      static_cast<char>(pen.bg.r),
                          static_cast<char>(pen.bg.g),         static_cast<char>(pen.bg.b),
                          static_cast<char>(pen.attrs & 0xff), static_cast<char>(pen.attrs >> 8)};
  out.append(bytes, sizeof bytes);
  const std::string_view link = links.text(pen.link);
  if (pen.underline_color == Color{} && link.empty()) return;
  const auto n = static_cast<std::uint16_t>(std::min<std::size_t>(link.size(), 0xffff));
  const Color& u = pen.underline_color;
  const char extra[7] = {kPenExtra,
                         static_cast<char>(u.kind),
                         static_cast<char>(u.r),
                         static_cast<char>(u.g),
                         static_cast<char>(u.b),
                         static_cast<char>(n & 0xff),
                         static_cast<char>(n >> 8)};
  out.append(extra, sizeof extra);
  out.append(link.substr(0, n));
}

Pen get_pen(const unsigned char* p) {
  Pen pen;
  pen.fg = Color{p[0], p[1], p[2], p[3]};
  pen.bg = Color{p[4], p[5], p[6], p[7]};
  pen.attrs = static_cast<std::uint16_t>(p[8] | (p[9] << 8));
  return pen;
}

// A character of one column below 0x80 in the default pen: everything but
// its code point is zero bytes (see Cell).
bool plain_ascii(const Cell& cell) {
  std::uint32_t fg;
  std::uint64_t rest[2];
  const auto* bytes = reinterpret_cast<const unsigned char*>(&cell);
  static_assert(offsetof(Cell, pen) == 4 && sizeof(Cell) == 24);
  std::memcpy(&fg, bytes + 4, sizeof fg);
  std::memcpy(rest, bytes + 8, sizeof rest);
  return (fg | rest[0] | rest[1]) == 0 && cell.ch >= 0x20 && cell.ch < 0x80;
}

// How many cells from `c` on (before `used`) are blanks of one column in
// `pen`. Default blanks are all zero bytes: a word at a time.
int blank_run(const Cell* cells, int c, int used, const Pen& pen) {
  int end = c;
  if (pen == Pen{}) {
    const auto* words = reinterpret_cast<const unsigned char*>(cells + c);
    const std::size_t bytes = static_cast<std::size_t>(used - c) * sizeof(Cell);
    std::size_t i = 0;
    for (; i + 24 <= bytes; i += 24) {
      std::uint64_t w[3];
      std::memcpy(w, words + i, sizeof w);
      if ((w[0] | w[1] | w[2]) != 0) break;
    }
    return static_cast<int>(i / sizeof(Cell));
  }
  while (end < used && cells[end].ch == 0 && cells[end].wide == 0 && cells[end].pen == pen)
    ++end;
  return end - c;
}

std::uint32_t get_utf8(const unsigned char*& p, const unsigned char* end) {
  const unsigned char b0 = *p++;
  if (b0 < 0x80) return b0;
  int extra = b0 >= 0xf0 ? 3 : b0 >= 0xe0 ? 2 : 1;
  std::uint32_t cp = b0 & (0x3f >> extra);
  while (extra-- > 0 && p < end)
    cp = (cp << 6) | (*p++ & 0x3f);
  return cp;
}

}  // namespace

void append_utf8(std::string& out, std::uint32_t cp) {
  char bytes[4];
  std::size_t n;
  if (cp < 0x80) {
    bytes[0] = static_cast<char>(cp);
    n = 1;
  } else if (cp < 0x800) {
    bytes[0] = static_cast<char>(0xc0 | (cp >> 6));
    bytes[1] = static_cast<char>(0x80 | (cp & 0x3f));
    n = 2;
  } else if (cp < 0x10000) {
    bytes[0] = static_cast<char>(0xe0 | (cp >> 12));
    bytes[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    bytes[2] = static_cast<char>(0x80 | (cp & 0x3f));
    n = 3;
  } else {
    bytes[0] = static_cast<char>(0xf0 | ((cp >> 18) & 0x07));
    bytes[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    bytes[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    bytes[3] = static_cast<char>(0x80 | (cp & 0x3f));
    n = 4;
  }
  out.append(bytes, n);
}

std::uint32_t CombiningTable::intern(const std::uint32_t* chars, int count) {
  const std::u32string key(chars, chars + count);
  // Recent characters repeat (a line of accented text): look back a little
  // before adding. The emulator collects garbage when the table grows.
  const std::size_t n = entries_.size();
  for (std::size_t i = n; i > 0 && i + 64 > n; --i)
    if (entries_[i - 1] == key) return Cell::kCombined | static_cast<std::uint32_t>(i - 1);
  entries_.push_back(key);
  return Cell::kCombined | static_cast<std::uint32_t>(n);
}

void CombiningTable::expand(std::uint32_t ch, std::u32string& out) const {
  out.clear();
  if (ch == 0) return;
  if (ch & Cell::kCombined) {
    const std::size_t i = ch & ~Cell::kCombined;
    if (i < entries_.size()) out = entries_[i];
    return;
  }
  out.push_back(ch);
}

std::size_t CombiningTable::memory_bytes() const {
  std::size_t total = entries_.capacity() * sizeof(std::u32string);
  for (const auto& e : entries_)
    if (e.capacity() > 3) total += (e.capacity() + 1) * sizeof(char32_t);
  return total;
}

void Scrollback::push(const Cell* cells, int used, const CombiningTable& table,
                      const LinkTable& links, bool wrapped, int blank_prefix) {
  if (max_lines_ == 0) return;
  std::string* slot;
  if (count_ < max_lines_) {
    if (ring_.size() < max_lines_ && count_ == ring_.size()) {
      // Growing: the ring must start at 0 for the new line to go last.
      if (head_ != 0) {
        std::rotate(ring_.begin(), ring_.begin() + static_cast<std::ptrdiff_t>(head_), ring_.end());
        head_ = 0;
      }
      ring_.emplace_back();
      slot = &ring_.back();
    } else {
      std::size_t i = head_ + count_;
      if (i >= ring_.size()) i -= ring_.size();
      slot = &ring_[i];
    }
    ++count_;
  } else {
    slot = &ring_[head_];  // reuse the oldest line's buffer
    bytes_ -= slot->size();
    if (++head_ == ring_.size()) head_ = 0;
  }
  std::string& out = *slot;
  // The common line: default blanks, then ASCII in the default pen, sized
  // once and written in one go.
  const int prefix = std::clamp(blank_prefix, 0, used);
  const std::size_t lead = wrapped ? 1 : 0;
  out.resize(lead + static_cast<std::size_t>(used));
  char* o = out.data() + lead;
  if (wrapped) out[0] = kWrapped;
  std::memset(o, kBlank, static_cast<std::size_t>(prefix));
  int plain = prefix;
  for (; plain < used && plain_ascii(cells[plain]); ++plain)
    o[plain] = static_cast<char>(cells[plain].ch);
  out.resize(lead + static_cast<std::size_t>(plain));
  Pen pen;
  std::u32string chars;
  for (int c = plain; c < used; ++c) {
    const Cell& cell = cells[c];
    if (!(cell.pen == pen)) {
      pen = cell.pen;
      put_pen(out, pen, links);
    }
    if (cell.width() == 0) {
      if (c == 0 || cells[c - 1].width() != 2) out += kOrphanTail;
      continue;
    }
    if (cell.ch == 0) {
      // A run of blanks of one pen at once (a raw-mode staircase, padding).
      const int run = blank_run(cells, c, used, pen);
      out.append(static_cast<std::size_t>(run), kBlank);
      c += run - 1;
      continue;
    }
    if (cell.width() == 2) out += kWide;
    if (cell.ch < 0x80 && cell.ch >= 0x20) {
      out += static_cast<char>(cell.ch);  // the common case
      continue;
    }
    if ((cell.ch & Cell::kCombined) == 0 && cell.ch >= 0x20) {
      append_utf8(out, cell.ch);  // one code point
      continue;
    }
    table.expand(cell.ch, chars);
    for (std::size_t k = 0; k < chars.size(); ++k) {
      if (k > 0) out += kCombining;
      if (chars[k] < 0x20) {
        out += kControl;
        out += static_cast<char>(chars[k]);
      } else {
        append_utf8(out, chars[k]);
      }
    }
  }
  // A buffer once used by a much longer line gives its memory back.
  if (out.capacity() > 4 * out.size() + 256) out.shrink_to_fit();
  bytes_ += out.size();
  while (bytes_ > max_bytes_ && count_ > 1)
    drop_oldest();
}

void Scrollback::drop_oldest() {
  std::string& oldest = ring_[head_];
  bytes_ -= oldest.size();
  std::string().swap(oldest);
  if (++head_ == ring_.size()) head_ = 0;
  --count_;
}

namespace {

void decode_line(const std::string& line, std::vector<Cell>& out, CombiningTable& table,
                 LinkTable& links) {
  out.clear();
  const auto* p = reinterpret_cast<const unsigned char*>(line.data());
  const auto* end = p + line.size();
  if (p < end && *p == kWrapped) ++p;
  Pen pen;
  bool wide = false;
  std::vector<std::uint32_t> chars;
  auto flush = [&] {
    if (chars.empty()) return;
    Cell cell;
    cell.pen = pen;
    cell.set_width(wide ? 2 : 1);
    cell.ch =
        chars.size() == 1 ? chars[0] : table.intern(chars.data(), static_cast<int>(chars.size()));
    out.push_back(cell);
    if (wide) {
      Cell tail;
      tail.pen = pen;
      tail.set_width(0);
      out.push_back(tail);
    }
    chars.clear();
    wide = false;
  };
  while (p < end) {
    const unsigned char b = *p;
    if (b == kCombining) {
      ++p;
      if (p < end) chars.push_back(*p == kControl && p + 1 < end ? (++p, *p++) : get_utf8(p, end));
      continue;
    }
    flush();
    if (b == kPen) {
      if (end - p < 11) break;
      pen = get_pen(p + 1);
      p += 11;
      if (end - p >= 7 && *p == kPenExtra) {
        pen.underline_color = Color{p[1], p[2], p[3], p[4]};
        const std::size_t n = p[5] | (p[6] << 8);
        p += 7;
        if (static_cast<std::size_t>(end - p) < n) break;
        pen.link = n == 0 ? 0 : links.intern({reinterpret_cast<const char*>(p), n});
        p += n;
      }
    } else if (b == kBlank) {
      Cell cell;
      cell.pen = pen;
      out.push_back(cell);
      ++p;
    } else if (b == kWide) {
      wide = true;
      ++p;
      if (p < end) chars.push_back(get_utf8(p, end));
    } else if (b == kOrphanTail) {
      Cell cell;
      cell.pen = pen;
      cell.set_width(0);
      out.push_back(cell);
      ++p;
    } else if (b == kControl) {
      ++p;
      if (p < end) chars.push_back(*p++);
    } else {
      chars.push_back(get_utf8(p, end));
    }
  }
  flush();
}

}  // namespace

void Scrollback::line(std::size_t i, std::vector<Cell>& out, CombiningTable& table,
                      LinkTable& links) const {
  decode_line(at(i), out, table, links);
}

bool Scrollback::wrapped(std::size_t i) const {
  const std::string& l = at(i);
  return !l.empty() && l[0] == kWrapped;
}

bool Scrollback::pop_newest(std::vector<Cell>& out, CombiningTable& table, LinkTable& links) {
  if (count_ == 0) {
    out.clear();
    return false;
  }
  const bool was_wrapped = wrapped(count_ - 1);
  decode_line(at(count_ - 1), out, table, links);
  bytes_ -= at(count_ - 1).size();
  --count_;
  return was_wrapped;
}

std::string Scrollback::encode() const {
  std::string out;
  out.reserve(bytes_ + 4 * count_);
  for (std::size_t i = 0; i < count_; ++i) {
    const std::string& l = at(i);
    const auto n = static_cast<std::uint32_t>(l.size());
    const char len[4] = {static_cast<char>(n), static_cast<char>(n >> 8),
                         static_cast<char>(n >> 16), static_cast<char>(n >> 24)};
    out.append(len, 4);
    out += l;
  }
  return out;
}

bool Scrollback::decode(std::string_view bytes) {
  std::vector<std::string> lines;
  while (!bytes.empty()) {
    if (bytes.size() < 4) return false;
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    const std::uint32_t n =
        p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
    bytes.remove_prefix(4);
    if (n > bytes.size()) return false;
    lines.emplace_back(bytes.substr(0, n));
    bytes.remove_prefix(n);
  }
  clear();
  // The newest that fit, as push() would have kept them.
  std::size_t first = lines.size() > max_lines_ ? lines.size() - max_lines_ : 0;
  std::size_t total = 0;
  for (std::size_t i = lines.size(); i > first; --i) {
    if (total + lines[i - 1].size() > max_bytes_ && i < lines.size()) {
      first = i;
      break;
    }
    total += lines[i - 1].size();
  }
  ring_.assign(std::make_move_iterator(lines.begin() + static_cast<std::ptrdiff_t>(first)),
               std::make_move_iterator(lines.end()));
  count_ = ring_.size();
  bytes_ = total;
  return true;
}

void Scrollback::clear() {
  ring_.clear();
  ring_.shrink_to_fit();
  head_ = 0;
  count_ = 0;
  bytes_ = 0;
}

std::size_t Scrollback::memory_bytes() const {
  std::size_t total = ring_.capacity() * sizeof(std::string);
  for (const auto& s : ring_)
    if (s.capacity() > 15) total += s.capacity() + 1;  // beyond the small-string buffer
  return total;
}

}  // namespace ptyctl::emu
