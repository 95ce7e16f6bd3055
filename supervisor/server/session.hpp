#pragma once
// One session: a program in a PTY, its output ring and its emulator. Reads
// the PTY all the time whoever is attached; writes queued input as the PTY
// drains. All of its state is plain data (ids, pid, master fd, ring, emulator,
// offsets), so that a later in-place upgrade can hand it over.

#include "emulator/emulator.hpp"
#include "output_ring.hpp"
#include "session_emulator.hpp"

#include <ptyctl/common/async_event.hpp>

#include <ptyctl/proto/handover.hpp>
#include <ptyctl/proto/snapshot.hpp>
#include <ptyctl/proto/supervisor_messages.hpp>

#include <boost/asio.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace ptyctl::sup {

namespace asio = boost::asio;

class Session;

// Told about a session's new output and its end; a connection attached to it.
class SessionObserver {
 public:
  virtual ~SessionObserver() = default;
  virtual void on_output(Session& session) = 0;
  virtual void on_finished(Session& session) = 0;
  // It has not yet sent all of the session's output.
  virtual bool behind(const Session& session) const = 0;
};

using proto::SessionSpec;

inline constexpr std::size_t kMaxInputQueue = 64u * 1024 * 1024;
// Pipelined requests are answered in slices of this long (docs/operations.md,
// "Limits"): other connections wait at most about this long.
inline constexpr std::chrono::milliseconds kRequestSlice{5};
// What an ended session keeps of its output ring once its attached readers
// have all of it (the program does not wait for them, so it can end well
// ahead of them).
inline constexpr std::size_t kFinishedRingBytes = 64u * 1024;
// How far the emulator may fall behind the PTY before the session stops
// reading it until the emulator has caught up an eighth of it (at most half the ring:
// a snapshot asked for meanwhile is continued from the ring).
inline constexpr std::size_t kMaxEmulatorLag = 4u * 1024 * 1024;
// What one turn of the read loop takes from the PTY at most (it reads until
// the PTY would block, up to this), and for how long it reads: a PTY whose
// writer keeps it full never blocks, and under twenty such (CPU-starved
// kernel reads of 4 KB at ~75 us each) a 256 KiB turn per session held
// every other session's echo for ~100 ms.
inline constexpr std::size_t kReadBatch = 256u * 1024;
inline constexpr std::chrono::microseconds kReadSlice{500};
// How long a snapshot waits for the emulator to take in the output read
// before it was asked for; past that it is taken where the emulator is (its
// offset says where, and the output after it follows as data). Ordinary
// output catches up far sooner (kMaxEmulatorLag of it is tens of ms of
// work); this bounds an attach beside hostile output.
inline constexpr std::chrono::milliseconds kSnapshotPatience{1000};

// A session as an in-place upgrade hands it over (docs/upgrade.md).
struct SessionHandover {
  proto::handover::SessionState state;
  // The ring's held bytes where they are (valid until the ring changes).
  std::pair<std::string_view, std::string_view> ring;
  emu::Emulator::Handover emulator;
  std::string input;
};

// listSessions' entry of a session so described (its spec's part).
proto::sup::SessionInfo info_of(const proto::handover::SessionState& state);

// A handed-over session's emulator rebuilt from its bytes: what the new image
// and its check (--check-upgrade) both do.
void restore_emulator(emu::Emulator& emulator, const proto::handover::SessionBytes& bytes);

class Session : public std::enable_shared_from_this<Session> {
 public:
  // forkpty + exec. Throws proto::ProtocolError(SPAWN_FAILED) with the reason
  // (a missing cwd or shell is reported, not a silently dead session).
  // `state_dir`: the supervisor's, given to the program as $PTYCTL_STATE_DIR.
  static std::shared_ptr<Session> spawn(asio::io_context& io, EmulatorWorker& emulators,
                                        const SessionSpec& spec, std::size_t ring_size,
                                        const std::string& state_dir);
  Session(asio::io_context& io, EmulatorWorker& emulators, const SessionSpec& spec, int pid,
          int master_fd, std::size_t ring_size);

  // One handed over by the supervisor that ran in this process before its
  // exec (its master fd is open in it). Throws HandoverError.
  static std::shared_ptr<Session> adopt(asio::io_context& io, EmulatorWorker& emulators,
                                        const proto::handover::SessionState& state,
                                        const proto::handover::SessionBytes& bytes,
                                        std::size_t ring_size);
  // Everything of it an upgrade hands over; call it between handlers (it
  // waits for the emulator to take in what it has been given).
  SessionHandover handover();
  int master_fd() { return master_.is_open() ? master_.native_handle() : -1; }

  void start();
  const std::string& id() const { return spec_.sessionId; }
  int pid() const { return pid_; }
  bool finished() const { return finished_; }
  bool reaped() const { return reaped_; }
  const OutputRing& ring() const { return ring_; }
  std::optional<int> exit_code() const { return exit_code_; }
  std::optional<int> exit_signal() const { return exit_signal_; }

  // The screen after every byte read so far, at the size last asked for:
  // `done` runs on the loop once the emulator has caught up to it (unless
  // the session is gone by then).
  void snapshot(std::function<void(proto::Snapshot)> done);
  proto::sup::SessionInfo info() const;

  void attach(SessionObserver* observer);
  void detach(SessionObserver* observer);
  // Ended and read by every attached reader: the ring keeps kFinishedRingBytes.
  void shrink_if_read();
  std::size_t attached_count() const { return observers_.size(); }

  // Queues bytes for the program; false (and nothing queued) when the queue
  // would pass kMaxInputQueue or the session has ended.
  bool queue_input(std::string bytes);
  // Coalesced: applied (emulator, then TIOCSWINSZ) once this turn of the
  // loop is done, or before the next output or snapshot, whichever is first.
  void resize(int cols, int rows);
  // To the terminal's foreground process group (what Ctrl-C reaches), else
  // the session's own group.
  bool send_signal(int sig);
  // Signal, then SIGKILL after `grace` to every process of the terminal's
  // session if the session has not ended. SIGHUP also hangs the terminal up.
  void kill(int sig, std::chrono::milliseconds grace);
  // The child was reaped with this wait status.
  void on_reaped(int status);
  // Supervisor shutdown: close the PTY without waiting.
  void close();
  // For its record (session_records.hpp): due when something a record shows
  // changed since the last (output, a resize, an attach, a cleared
  // scrollback); record() is its bytes as of now, `end_reason` saying why it
  // is the last one, given to `done` on the loop (`wait`: before returning,
  // for a clean stop).
  bool record_due() const { return changes_ != recorded_changes_; }
  void record(const std::optional<std::string>& end_reason, std::function<void(std::string)> done,
              bool wait = false);
  // Where the program is: the shell's OSC 7, else the cwd of the terminal's
  // foreground process, else the session leader's, else the spec's.
  std::string current_cwd();
  // Output that comes before the program's (a restored session's
  // scrollback and screen): before start().
  void preload(std::string_view bytes);
  // clearScrollback: the emulator's (xterm.js clear()).
  void clear_history();
  // Once it has ended (and its exit is sent), its record goes.
  void forget_when_finished() { forget_ = true; }
  bool forgotten_when_finished() const { return forget_; }

  // Called once the session has ended and its output is drained.
  std::function<void(Session&)> on_finished;

 private:
  asio::awaitable<void> read_loop();
  asio::awaitable<void> write_loop();
  void on_bytes(std::string_view bytes);
  void apply_pending_resize();
  // The emulator's backlog past which the PTY is not read.
  std::size_t emulator_lag_limit() const;
  void hang_up();
  // The spec's part of its description, for handover() and record().
  proto::handover::SessionState describe() const;
  void arm_kill_timer(std::chrono::milliseconds grace);
  void arm_drain_timer();
  void finish();

  asio::io_context& io_;
  SessionSpec spec_;
  int pid_;
  asio::posix::stream_descriptor master_;
  OutputRing ring_;
  std::shared_ptr<SessionEmulator> emulator_;
  AsyncEvent emulator_caught_up_;  // the read loop waits on it past kMaxEmulatorLag
  std::optional<std::pair<int, int>> pending_size_;  // cols, rows
  bool resize_posted_ = false;
  std::uint64_t changes_ = 0;
  std::uint64_t recorded_changes_ = ~std::uint64_t{0};  // changes_ at the last record()
  std::set<SessionObserver*> observers_;
  std::deque<std::string> input_;
  std::size_t input_bytes_ = 0;
  std::size_t input_front_done_ = 0;  // bytes of input_.front() already written
  bool writing_ = false;
  bool waiting_for_emulator_ = false;
  bool read_done_ = false;
  bool reaped_ = false;
  bool finished_ = false;
  bool forget_ = false;
  std::optional<int> exit_code_;
  std::optional<int> exit_signal_;
  std::int64_t created_at_ms_;
  std::optional<std::int64_t> last_attached_ms_;
  asio::steady_timer kill_timer_;
  std::optional<std::chrono::steady_clock::time_point> kill_deadline_;
  std::optional<std::chrono::milliseconds> pending_kill_;  // to arm at start()
  asio::steady_timer drain_timer_;
};

}  // namespace ptyctl::sup
