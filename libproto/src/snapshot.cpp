#include <ptyctl/proto/snapshot.hpp>

#include <array>
#include <utility>

namespace ptyctl::proto {

namespace {
void private_mode(std::string& out, int mode, bool on) {
  out += "\x1b[?";
  out += std::to_string(mode);
  out += on ? 'h' : 'l';
}
}  // namespace

std::string rehydrate_sequences(const Modes& m) {
  std::string out;
  private_mode(out, 1, m.applicationCursorKeys);
  if (m.originMode) private_mode(out, 6, true);
  private_mode(out, 7, m.autoWrap);
  private_mode(out, 25, m.cursorVisible);
  const std::array<std::pair<int, bool>, 5> mouse = {{{9, m.mouseTrackingX10},
                                                      {1000, m.mouseTrackingNormal},
                                                      {1001, m.mouseTrackingHighlight},
                                                      {1002, m.mouseTrackingButtonEvent},
                                                      {1003, m.mouseTrackingAnyEvent}}};
  for (const auto& [mode, on] : mouse)
    if (!on) private_mode(out, mode, false);
  for (const auto& [mode, on] : mouse)
    if (on) private_mode(out, mode, true);
  private_mode(out, 1005, m.mouseUtf8);
  private_mode(out, 1006, m.mouseSgr);
  private_mode(out, 1004, m.focusReporting);
  private_mode(out, 2004, m.bracketedPaste);
  return out;
}

}  // namespace ptyctl::proto
