// Emulator benchmark: MB/s of our emulator beside libvterm's own screen layer
// (and libvterm's state layer alone, the parser's ceiling) on the same input
// in the same run, rounds interleaved, medians; CPU time per MB; plus the
// emulator's memory.
//
//   bench_emulator [--mb N] [--runs N] [--recording-mb N] [--tui FILE]
//
// Inputs: seq-style text (numbers ended by CRLF), the same in raw mode
// (ended by LF alone, as `stty raw` programs and many TUIs write it), and
// every recording of real programs in tests/data, each repeated to
// --recording-mb (or one FILE).

#include "emulator/emulator.hpp"

#include <vterm.h>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

namespace {

constexpr int kCols = 80;
constexpr int kRows = 24;
constexpr std::size_t kChunk = 64 * 1024;  // a generous PTY read

std::string seq_text(std::size_t size, const char* line_end) {
  std::string s;
  s.reserve(size + 16);
  for (long i = 1; s.size() < size; ++i) {
    s += std::to_string(i);
    s += line_end;
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

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

struct Rate {
  double mb_per_s;
  double cpu_ms_per_mb;
};

// One round: `input` fed in kChunk pieces to a fresh instance made by `make`.
template <class Make, class Feed>
Rate round_of(const std::string& input, Make make, Feed feed) {
  auto instance = make();
  const double c0 = cpu_seconds();
  const auto t0 = std::chrono::steady_clock::now();
  for (std::size_t pos = 0; pos < input.size(); pos += kChunk)
    feed(*instance, input.data() + pos, std::min(kChunk, input.size() - pos));
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double mb = input.size() / 1e6;
  return {mb / s, (cpu_seconds() - c0) * 1000 / mb};
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

// Ours and libvterm's screen (and its state layer alone, when asked) in
// interleaved rounds; the medians of each.
double report(const std::string& name, const std::string& input, int runs, bool state_too) {
  using ptyctl::emu::Emulator;
  std::vector<double> ours, ours_cpu, screen, state;
  for (int r = 0; r < runs; ++r) {
    const Rate o = round_of(
        input, [] { return std::make_unique<Emulator>(kCols, kRows); },
        [](Emulator& e, const char* p, std::size_t n) { e.feed(std::string_view(p, n)); });
    ours.push_back(o.mb_per_s);
    ours_cpu.push_back(o.cpu_ms_per_mb);
    screen.push_back(
        round_of(input, libvterm_screen, [](VTermBox& b, const char* p, std::size_t n) {
          vterm_input_write(b.vt, p, n);
        }).mb_per_s);
    if (state_too)
      state.push_back(
          round_of(input, libvterm_state_only, [](VTermBox& b, const char* p, std::size_t n) {
            vterm_input_write(b.vt, p, n);
          }).mb_per_s);
  }
  const double o = median(ours), sc = median(screen);
  std::printf("%-16s %8.1f MB/s (%5.2f ms CPU/MB)   libvterm screen %7.1f MB/s   ratio %5.2fx",
              name.c_str(), o, median(ours_cpu), sc, o / sc);
  if (state_too) std::printf("   (libvterm state layer alone %6.1f MB/s)", median(state));
  std::printf("\n");
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t mb = 50;
  int runs = 5;
  std::size_t recording_mb = 4;
  std::string tui_path;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--mb") && i + 1 < argc) mb = std::stoul(argv[++i]);
    if (!std::strcmp(argv[i], "--runs") && i + 1 < argc) runs = std::stoi(argv[++i]);
    if (!std::strcmp(argv[i], "--recording-mb") && i + 1 < argc)
      recording_mb = std::stoul(argv[++i]);
    if (!std::strcmp(argv[i], "--tui") && i + 1 < argc) tui_path = argv[++i];
  }
  const std::size_t size = mb * 1000 * 1000;
  std::printf(
      "emulator throughput, %dx%d, %zu MB per text input, %zu MB per recording, median of %d "
      "interleaved runs\n",
      kCols, kRows, mb, recording_mb, runs);
  report("seq CRLF", seq_text(size, "\r\n"), runs, true);
  report("seq LF (raw)", seq_text(size, "\n"), runs, true);
  std::vector<std::string> paths;
  if (!tui_path.empty()) {
    paths.push_back(tui_path);
  } else {
    for (const auto& entry : std::filesystem::directory_iterator(PTYCTL_SOURCE_DIR "/tests/data"))
      if (entry.path().extension() == ".bin") paths.push_back(entry.path().string());
    std::sort(paths.begin(), paths.end());
  }
  double slowest = 1e9;
  std::string slowest_name;
  for (const auto& path : paths) {
    const std::string unit = read_file(path);
    if (unit.empty()) {
      std::fprintf(stderr, "bench_emulator: cannot read %s\n", path.c_str());
      return 1;
    }
    const std::string name = std::filesystem::path(path).stem().string();
    const double rate = report(name, repeat_to(unit, recording_mb * 1000 * 1000), runs, false);
    if (rate < slowest) {
      slowest = rate;
      slowest_name = name;
    }
  }
  std::printf("slowest recording: %s %.1f MB/s\n", slowest_name.c_str(), slowest);

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
