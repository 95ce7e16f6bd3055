#pragma once
// The snapshot of a session's screen and the 14 terminal modes the desktop
// protocol tracks. Shared by both wires.

#include <ptyctl/proto/json_conv.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace ptyctl::proto {

struct Modes {
  bool applicationCursorKeys = false;     // DECSET 1
  bool bracketedPaste = false;            // 2004
  bool mouseTrackingX10 = false;          // 9
  bool mouseTrackingNormal = false;       // 1000
  bool mouseTrackingHighlight = false;    // 1001
  bool mouseTrackingButtonEvent = false;  // 1002
  bool mouseTrackingAnyEvent = false;     // 1003
  bool focusReporting = false;            // 1004
  bool mouseUtf8 = false;                 // 1005
  bool mouseSgr = false;                  // 1006
  bool alternateScreen = false;           // 1049 or 47
  bool cursorVisible = true;              // 25
  bool originMode = false;                // 6
  bool autoWrap = true;                   // 7
  bool operator==(const Modes&) const = default;
};
PTYCTL_PROTO_JSON(Modes);

// The escape sequences that assert every mode of `modes` on or off, in the
// desktop protocol's order: 1; 6 (only when set); 7; 25; mouse levels
// 9/1000/1001/1002/1003 (inactive ones reset first, then the active one set);
// 1005; 1006; 1004; 2004. Never 1049/47: the snapshot itself switches screens.
std::string rehydrate_sequences(const Modes& modes);

struct Snapshot {
  std::string snapshotAnsi;        // repaints scrollback + screen into a fresh terminal
  std::string rehydrateSequences;  // written before snapshotAnsi
  std::optional<std::string> cwd;  // OSC 7, else the shell's cwd; null when unknown
  Modes modes;
  int cols = 80;
  int rows = 24;
  int scrollbackLines = 0;
  std::uint64_t offset = 0;  // the snapshot is the state after exactly `offset` bytes
  std::optional<std::string> title;
  std::optional<int> cursorX;       // 0-based column
  std::optional<int> cursorY;       // 0-based row of the visible screen
  std::optional<std::string> text;  // plain-text rendering (for the CLI)
  bool operator==(const Snapshot&) const = default;
};
PTYCTL_PROTO_JSON(Snapshot);

}  // namespace ptyctl::proto
