// Emulator benchmark: MB/s of our emulator beside libvterm's own screen layer
// (and libvterm's state layer alone, the parser's ceiling) on the same input
// in the same run; median of 5 runs; plus the emulator's memory.
//
//   bench_emulator [--mb N] [--runs N] [--tui FILE]
//
// Inputs: seq-style text (numbers ended by CRLF) and a recorded TUI stream
// (tests/data: vim and top) repeated to the same size.

#include "emulator/emulator.hpp"

#include <vterm.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

namespace {

constexpr int kCols = 80;
constexpr int kRows = 24;
constexpr std::size_t kChunk = 64 * 1024;  // a generous PTY read

std::string seq_text(std::size_t size) {
  std::string s;
  s.reserve(size + 16);
  for (long i = 1; s.size() < size; ++i) {
    s += std::to_string(i);
    s += "\r\n";
  }
  return s;
}

std::string repeat_to(const std::string& unit, std::size_t size) {
  std::string s;
  s.reserve(size + unit.size());
  while (s.size() < size)
    s += unit;
  return s;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// MB/s of feeding `input` in kChunk pieces to a fresh instance made by `make`.
template <class Make, class Feed>
double measure(const std::string& input, int runs, Make make, Feed feed) {
  std::vector<double> rates;
  for (int r = 0; r < runs; ++r) {
    auto instance = make();
    const auto t0 = std::chrono::steady_clock::now();
    for (std::size_t pos = 0; pos < input.size(); pos += kChunk)
      feed(*instance, input.data() + pos, std::min(kChunk, input.size() - pos));
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    rates.push_back(input.size() / s / 1e6);
  }
  return median(rates);
}

struct VTermBox {
  VTerm* vt = nullptr;
  VTermBox(int rows, int cols) : vt(vterm_new(rows, cols)) { vterm_set_utf8(vt, 1); }
  VTermBox(const VTermBox&) = delete;
  VTermBox& operator=(const VTermBox&) = delete;
  ~VTermBox() { vterm_free(vt); }
};

int sb_pushline(int, const VTermScreenCell*, void*) {
  return 1;
}
const VTermScreenCallbacks kScreenCallbacks = {nullptr, nullptr, nullptr,     nullptr,
                                               nullptr, nullptr, sb_pushline, nullptr};

std::unique_ptr<VTermBox> libvterm_screen() {
  auto box = std::make_unique<VTermBox>(kRows, kCols);
  VTermScreen* screen = vterm_obtain_screen(box->vt);
  vterm_screen_set_callbacks(screen, &kScreenCallbacks, nullptr);
  vterm_screen_reset(screen, 1);
  return box;
}

std::unique_ptr<VTermBox> libvterm_state_only() {
  auto box = std::make_unique<VTermBox>(kRows, kCols);
  vterm_state_reset(vterm_obtain_state(box->vt), 1);
  return box;
}

void report(const char* name, const std::string& input, int runs) {
  using ptyctl::emu::Emulator;
  const double ours = measure(
      input, runs, [] { return std::make_unique<Emulator>(kCols, kRows); },
      [](Emulator& e, const char* p, std::size_t n) { e.feed(std::string_view(p, n)); });
  const double screen =
      measure(input, runs, libvterm_screen,
              [](VTermBox& b, const char* p, std::size_t n) { vterm_input_write(b.vt, p, n); });
  const double state =
      measure(input, runs, libvterm_state_only,
              [](VTermBox& b, const char* p, std::size_t n) { vterm_input_write(b.vt, p, n); });
  std::printf(
      "%-10s %8.1f MB/s   libvterm screen %7.1f MB/s   ratio %5.2fx   "
      "(libvterm state layer alone %6.1f MB/s)\n",
      name, ours, screen, ours / screen, state);
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t mb = 50;
  int runs = 5;
  std::string tui_path = PTYCTL_SOURCE_DIR "/tests/data/vim.bin";
  std::vector<std::string> extra_tui = {PTYCTL_SOURCE_DIR "/tests/data/top.bin"};
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--mb") && i + 1 < argc) mb = std::stoul(argv[++i]);
    if (!std::strcmp(argv[i], "--runs") && i + 1 < argc) runs = std::stoi(argv[++i]);
    if (!std::strcmp(argv[i], "--tui") && i + 1 < argc) {
      tui_path = argv[++i];
      extra_tui.clear();
    }
  }
  const std::size_t size = mb * 1000 * 1000;
  std::string unit = read_file(tui_path);
  for (const auto& p : extra_tui)
    unit += read_file(p);
  if (unit.empty()) {
    std::fprintf(stderr, "bench_emulator: cannot read %s\n", tui_path.c_str());
    return 1;
  }

  std::printf("emulator throughput, %dx%d, %zu MB per input, median of %d runs\n", kCols, kRows, mb,
              runs);
  report("seq text", seq_text(size), runs);
  report("TUI", repeat_to(unit, size), runs);

  ptyctl::emu::Emulator idle(kCols, kRows);
  ptyctl::emu::Emulator full(kCols, kRows);
  full.feed(repeat_to(std::string(kCols, 'x'), kCols * (5000 + kRows)));
  std::printf(
      "memory: idle %dx%d emulator %.1f KiB (limit 64 KiB); with %zu full lines of "
      "scrollback %.2f MiB (limit 4 MiB)\n",
      kCols, kRows, idle.memory_bytes() / 1024.0, full.scrollback_size(),
      full.memory_bytes() / 1048576.0);
  return 0;
}
