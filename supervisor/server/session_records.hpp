#pragma once
// The sessions' records for cold restore (docs/operations.md, "Records and
// restore"): `<state-dir>/sessions/<id>/record`, one per live session,
// rewritten when it changed (Supervisor's batching), read back by the next
// supervisor, which lists the ones without a live session as restorable.
//
// Files are written by a thread of their own: a write ends in two fsyncs,
// which on a loaded disk take long enough to stall every session if the event
// loop waited for them. The loop only encodes and queues; everything else of
// this class runs on the loop.

#include <ptyctl/proto/record.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

namespace ptyctl::sup {

struct RecordOptions {
  bool enabled = true;
  std::chrono::milliseconds interval{2000};  // at most one write per session per interval
  std::chrono::milliseconds max_age{std::chrono::hours(24 * 30)};
  std::uint64_t budget_bytes = 256u * 1024 * 1024;  // all records together
};

class SessionRecords {
 public:
  SessionRecords(std::string state_dir, RecordOptions options);
  ~SessionRecords();  // what is queued is written first
  SessionRecords(const SessionRecords&) = delete;
  SessionRecords& operator=(const SessionRecords&) = delete;

  const RecordOptions& options() const { return options_; }
  bool enabled() const { return options_.enabled && dir_fd_ >= 0; }

  // Creates sessions/ (0700) if needed and reads every record in it: those of
  // `live` sessions are theirs, the others restorable. A bad one is moved
  // aside with one log line naming it. Then prunes (by age and by budget).
  void load(const std::set<std::string>& live);

  // Records without a live session: their descriptions (no screens).
  const std::map<std::string, proto::handover::SessionState>& restorable() const {
    return restorable_;
  }
  // The whole record of a restorable session, read again; it is then no
  // longer restorable (its new session writes the record from now on).
  // nullopt if it is gone or bad (moved aside, logged).
  std::optional<proto::record::Record> take(const std::string& id);

  // Queues a write of a live session's record (a later one for the same id
  // replaces it if not yet written).
  void write(const std::string& id, std::string bytes);
  // Queues its removal (a killed or ended session; a restorable one killed).
  void remove(const std::string& id);
  // Waits until everything queued is on disk (a clean stop).
  void flush();
  // Before an upgrade's exec, which ends the writer thread: the write in
  // progress finishes, queued removals are done here, queued writes are
  // dropped (the next image writes every live session's record at its first
  // interval anyway). Cheap where flush() could wait for many fsyncs.
  void prepare_for_exec();

  // Records that no longer fit: older than max_age, then past the budget,
  // oldest first (restorable ones only: a live session's is rewritten).
  void prune();

 private:
  struct Job {
    std::string id;
    std::optional<std::string> bytes;  // nullopt: remove
  };
  void run_writer();
  void do_write(const std::string& id, const std::string& bytes);
  void do_remove(const std::string& id);
  // Renames sessions/<name> to sessions/<name>~bad-<time>: kept for a look,
  // never read again.
  void move_aside(const std::string& name, const std::string& why);
  std::optional<proto::record::Record> read(const std::string& id, std::uint64_t* size);

  std::string state_dir_;
  RecordOptions options_;
  int dir_fd_ = -1;  // sessions/, opened without following a link
  std::map<std::string, proto::handover::SessionState> restorable_;
  std::map<std::string, std::uint64_t> sizes_;  // every record's bytes, for the budget

  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<Job> jobs_;
  bool busy_ = false;
  bool stop_ = false;
  std::map<std::string, std::string> last_failure_;  // the writer's, by id
  std::thread writer_;
};

}  // namespace ptyctl::sup
