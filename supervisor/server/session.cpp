#include "session.hpp"

#include <ptyctl/common/environment.hpp>
#include <ptyctl/common/log.hpp>
#include <ptyctl/common/process.hpp>
#include <ptyctl/common/registry.hpp>  // now_ms

#include <ptyctl/proto/errors.hpp>
#include <ptyctl/proto/record.hpp>
#include <ptyctl/proto/session_listing.hpp>
#include <ptyctl/proto/version.hpp>

#include <dirent.h>
#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <tuple>

extern char** environ;

namespace ptyctl::sup {

namespace {

// systemd's variables describe our process, not the shell's; our tokens are
// secrets (passes_to_programs).
// A process's working directory as the kernel knows it (/proc), if it has one.
std::optional<std::string> cwd_of_process(int pid) {
  char buf[4096];
  const std::string link = "/proc/" + std::to_string(pid) + "/cwd";
  const ssize_t n = ::readlink(link.c_str(), buf, sizeof buf - 1);
  if (n <= 0) return std::nullopt;
  return std::string(buf, static_cast<std::size_t>(n));
}

std::vector<std::string> session_env(const SessionSpec& spec, const std::string& state_dir) {
  std::map<std::string, std::string> env;
  for (char** e = environ; spec.inherits_env() && e && *e; ++e) {
    std::string_view kv(*e);
    const std::size_t eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string name(kv.substr(0, eq));
    if (passes_to_programs(name)) env[name] = std::string(kv.substr(eq + 1));
  }
  for (const auto& [k, v] : spec.env.value_or(std::map<std::string, std::string>{}))
    if (passes_to_programs(k)) env[k] = v;
  env["TERM"] = "xterm-256color";
  env["PTYCTL_SESSION_ID"] = spec.sessionId;
  // So that ptyctl inside the session talks to the server it runs under.
  if (!state_dir.empty()) env["PTYCTL_STATE_DIR"] = state_dir;
  std::vector<std::string> out;
  for (const auto& [k, v] : env)
    out.push_back(k + "=" + v);
  return out;
}

[[noreturn]] void child_fail(int fd, int err) {
  ssize_t ignored = ::write(fd, &err, sizeof err);
  (void)ignored;
  _exit(127);
}

// A callable for the emulators' thread that runs `fn` on the loop, if the
// session still lives by then.
template <class... Args, class F>
std::function<void(Args...)> on_loop(asio::io_context& io, std::weak_ptr<Session> weak, F fn) {
  return [&io, weak = std::move(weak), fn = std::move(fn)](Args... args) {
    asio::post(io, [weak, fn, args...]() mutable {
      if (auto s = weak.lock()) fn(*s, std::move(args)...);
    });
  };
}

}  // namespace

std::shared_ptr<Session> Session::spawn(asio::io_context& io, EmulatorWorker& emulators,
                                        const SessionSpec& spec, std::size_t ring_size,
                                        const std::string& state_dir) {
  // Everything the child needs is built before fork: after it, only
  // async-signal-safe calls.
  std::vector<std::string> argv_s{spec.shell};
  if (spec.command) {
    argv_s.push_back("-c");
    argv_s.push_back(*spec.command);
  } else {
    argv_s.insert(argv_s.end(), spec.args.begin(), spec.args.end());
  }
  std::vector<std::string> env_s = session_env(spec, state_dir);
  std::vector<char*> argv = c_strings(argv_s);
  std::vector<char*> envp = c_strings(env_s);
  const std::string cwd = spec.cwd;

  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0)
    throw proto::ProtocolError(proto::code::kSpawnFailed, std::string("pipe: ") + strerror(errno));
  winsize ws{};
  ws.ws_row = static_cast<unsigned short>(spec.rows);
  ws.ws_col = static_cast<unsigned short>(spec.cols);
  int master = -1;
  const pid_t pid = ::forkpty(&master, nullptr, nullptr, &ws);
  if (pid < 0) {
    const int err = errno;
    ::close(report[0]);
    ::close(report[1]);
    throw proto::ProtocolError(proto::code::kSpawnFailed, std::string("forkpty: ") + strerror(err));
  }
  if (pid == 0) {
    // The child: a session leader with the PTY as its controlling terminal
    // (forkpty). Undo what the supervisor set up, keep nothing of its fds.
    ::close(report[0]);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int sig : {SIGPIPE, SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU})
      signal(sig, SIG_DFL);
    if (report[1] > 3) ::close_range(3, report[1] - 1, 0);
    ::close_range(report[1] + 1, ~0u, 0);
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) child_fail(report[1], errno);
    ::execvpe(argv[0], argv.data(), envp.data());
    child_fail(report[1], errno);
  }
  ::close(report[1]);
  int child_errno = 0;
  ssize_t got;
  do {
    got = ::read(report[0], &child_errno, sizeof child_errno);
  } while (got < 0 && errno == EINTR);
  ::close(report[0]);
  if (got == sizeof child_errno) {
    int status;
    ::waitpid(pid, &status, 0);
    ::close(master);
    throw proto::ProtocolError(proto::code::kSpawnFailed,
                               "cannot start " + spec.shell + " in " +
                                   (cwd.empty() ? std::string("the current directory") : cwd) +
                                   ": " + strerror(child_errno));
  }
  ::fcntl(master, F_SETFL, ::fcntl(master, F_GETFL) | O_NONBLOCK);
  ::fcntl(master, F_SETFD, FD_CLOEXEC);
  return std::make_shared<Session>(io, emulators, spec, pid, master, ring_size);
}

Session::Session(asio::io_context& io, EmulatorWorker& emulators, const SessionSpec& spec, int pid,
                 int master_fd, std::size_t ring_size)
    : io_(io),
      spec_(spec),
      pid_(pid),
      master_(io),
      ring_(ring_size),
      emulator_(std::make_shared<SessionEmulator>(emulators, spec.cols, spec.rows)),
      emulator_caught_up_(io.get_executor()),
      created_at_ms_(now_ms()),
      kill_timer_(io),
      drain_timer_(io) {
  if (master_fd >= 0) master_.assign(master_fd);
}

std::size_t Session::emulator_lag_limit() const {
  return std::min(kMaxEmulatorLag, ring_.capacity() / 2);
}

void Session::start() {
  // Terminal queries: the emulator answers those of output forwarded while
  // nobody was attached (an attached terminal answers itself), so the
  // program gets exactly one answer.
  const std::size_t high = emulator_lag_limit();
  emulator_->on_worker(
      on_loop<std::string>(
          io_, weak_from_this(),
          [](Session& s, std::string answer) { s.queue_input(std::move(answer)); }),
      on_loop<>(io_, weak_from_this(), [](Session& s) { s.emulator_caught_up_.notify_all(); }),
      high, high - high / 8);
  asio::co_spawn(io_, read_loop(), asio::detached);
  if (reaped_ && !finished_) arm_drain_timer();       // handed over while draining
  if (finished_) shrink_if_read();                    // handed over before it was read
  if (pending_kill_) arm_kill_timer(*pending_kill_);  // a kill's grace, handed over
  pending_kill_.reset();
}

asio::awaitable<void> Session::read_loop() {
  auto self = shared_from_this();
  // Batches: what the PTY has now (up to a bound) is ringed, forwarded and
  // queued for the emulator once, not once per kernel chunk (4 KB). Nothing
  // waits for more to come.
  std::vector<char> buf(std::clamp<std::size_t>(ring_.capacity() / 4, 1024, kReadBatch));
  for (;;) {
    // The emulator only delays the program when it is a whole lag behind
    // (hostile output): it must never show a wrong screen, so the PTY is
    // not read until it has caught up an eighth (small steps: twenty floods
    // resuming together with a megabyte each starved everyone's echo).
    while (emulator_->backlog() > emulator_lag_limit() && master_.is_open()) {
      waiting_for_emulator_ = true;
      co_await emulator_caught_up_.wait();
      waiting_for_emulator_ = false;
    }
    if (!master_.is_open()) break;
    auto [ec, n] =
        co_await master_.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
    // EIO once the last holder of the PTY's other side has gone; aborted
    // when it is hung up.
    if (ec) break;
    const auto slice_end = std::chrono::steady_clock::now() + kReadSlice;
    while (n < buf.size() && master_.is_open() && std::chrono::steady_clock::now() < slice_end) {
      const ssize_t more = ::read(master_.native_handle(), buf.data() + n, buf.size() - n);
      if (more <= 0) break;
      n += static_cast<std::size_t>(more);
    }
    on_bytes(std::string_view(buf.data(), n));
    if (!master_.is_open()) break;
  }
  read_done_ = true;
  if (reaped_ && !finished_) finish();
}

void Session::preload(std::string_view bytes) {
  // Recorded output: its terminal queries were answered when it was new.
  ring_.append(bytes);
  ++changes_;
  emulator_->feed(bytes, false);
}

void Session::on_bytes(std::string_view bytes) {
  apply_pending_resize();  // output after a resize is drawn at the new size
  // The ring and the connections, then the emulator's queue: forwarding
  // never waits for the emulator (it runs on its own thread).
  ring_.append(bytes);
  ++changes_;
  for (SessionObserver* o : std::vector<SessionObserver*>(observers_.begin(), observers_.end()))
    o->on_output(*this);
  emulator_->feed(bytes, observers_.empty());
}

bool Session::queue_input(std::string bytes) {
  if (finished_ || !master_.is_open()) return false;
  if (input_bytes_ + bytes.size() > kMaxInputQueue) return false;
  if (bytes.empty()) return true;
  input_bytes_ += bytes.size();
  input_.push_back(std::move(bytes));
  if (!writing_) {
    writing_ = true;
    asio::co_spawn(io_, write_loop(), asio::detached);
  }
  return true;
}

asio::awaitable<void> Session::write_loop() {
  auto self = shared_from_this();
  while (!input_.empty()) {
    // A piece at a time, so that what is written so far is known at any
    // moment (an upgrade hands over exactly the rest).
    const std::string& front = input_.front();
    auto [ec, n] = co_await master_.async_write_some(
        asio::buffer(front.data() + input_front_done_, front.size() - input_front_done_),
        asio::as_tuple(asio::use_awaitable));
    if (ec) {
      input_.clear();
      input_bytes_ = 0;
      input_front_done_ = 0;
      break;
    }
    input_front_done_ += n;
    input_bytes_ -= n;
    if (input_front_done_ == input_.front().size()) {
      input_.pop_front();
      input_front_done_ = 0;
    }
  }
  writing_ = false;
}

void Session::resize(int cols, int rows) {
  // Coalesced: a resize costs rows x cols (and moves lines to and from the
  // scrollback), so a burst of them (a window dragged, or a hostile client's
  // storm) is applied once, after the requests of this turn of the loop.
  pending_size_ = std::make_pair(cols, rows);
  if (resize_posted_) return;
  resize_posted_ = true;
  asio::post(io_, [self = shared_from_this()] { self->apply_pending_resize(); });
}

void Session::apply_pending_resize() {
  resize_posted_ = false;
  if (!pending_size_) return;
  const auto [cols, rows] = *pending_size_;
  pending_size_.reset();
  // In the emulator's queue after the output read so far (what the program
  // wrote for the old size is drawn at it). If its thread cannot take the
  // size (memory), it says so and keeps the old one.
  emulator_->resize(cols, rows);
  spec_.cols = cols;
  spec_.rows = rows;
  ++changes_;
  if (master_.is_open()) {
    winsize ws{};
    ws.ws_row = static_cast<unsigned short>(rows);
    ws.ws_col = static_cast<unsigned short>(cols);
    ::ioctl(master_.native_handle(), TIOCSWINSZ, &ws);  // the program gets SIGWINCH
  }
}

bool Session::send_signal(int sig) {
  if (finished_) return false;
  pid_t group = master_.is_open() ? ::tcgetpgrp(master_.native_handle()) : -1;
  if (group <= 0) group = pid_;
  if (::kill(-group, sig) == 0) return true;
  return ::kill(pid_, sig) == 0;
}

void Session::kill(int sig, std::chrono::milliseconds grace) {
  if (finished_) return;
  // The session's own group and the terminal's foreground group.
  pid_t fg = master_.is_open() ? ::tcgetpgrp(master_.native_handle()) : -1;
  ::kill(-pid_, sig);
  if (fg > 0 && fg != pid_) ::kill(-fg, sig);
  // SIGHUP means the terminal has gone: it is hung up, as closing a terminal
  // window does. A shell still starting up can miss the signal (bash 5.2
  // notes it and acts on its next input, up to one run in ten within 10 ms
  // of its start), never the hangup: its reads fail and it exits.
  if (sig == SIGHUP) hang_up();
  arm_kill_timer(grace);
}

void Session::hang_up() {
  // What the program wrote before the hangup is kept (the kernel drops what
  // is unread): read it while it fits in the ring with what the emulator has
  // still to take.
  std::vector<char> buf(65536);
  std::size_t taken = 0;
  while (master_.is_open() && taken + buf.size() <= ring_.capacity()) {
    const ssize_t n = ::read(master_.native_handle(), buf.data(), buf.size());
    if (n <= 0) break;
    on_bytes(std::string_view(buf.data(), static_cast<std::size_t>(n)));
    taken += static_cast<std::size_t>(n);
  }
  boost::system::error_code ignored;
  master_.close(ignored);  // the read loop ends; a pending write is dropped
  emulator_caught_up_.notify_all();
}

namespace {
// Every process whose session is `sid`: a job the shell put in its own group
// is in it too, and with the terminal hung up its group is not known. (While
// any of them lives the id is not given to a new process.)
void kill_session_members(pid_t sid, int sig) {
  ::kill(-sid, sig);
  DIR* proc = ::opendir("/proc");
  if (!proc) return;
  while (dirent* e = ::readdir(proc)) {
    char* end;
    const long pid = std::strtol(e->d_name, &end, 10);
    if (*end != '\0' || pid <= 0) continue;
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    char stat[512];
    const ssize_t n = ::read(fd, stat, sizeof stat - 1);
    ::close(fd);
    if (n <= 0) continue;
    stat[n] = '\0';
    // pid (comm) state ppid pgrp session: comm may hold anything but ')'.
    const char* after = std::strrchr(stat, ')');
    char state;
    int ppid, pgrp, session;
    if (after && std::sscanf(after + 1, " %c %d %d %d", &state, &ppid, &pgrp, &session) == 4 &&
        session == sid)
      ::kill(static_cast<pid_t>(pid), sig);
  }
  ::closedir(proc);
}
}  // namespace

void Session::arm_kill_timer(std::chrono::milliseconds grace) {
  kill_deadline_ = std::chrono::steady_clock::now() + grace;
  kill_timer_.expires_after(grace);
  kill_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec || self->finished_) return;
    log_warn("session " + self->id() + " did not end after its signal; sending SIGKILL");
    // The groups as they are now: the terminal's foreground one too.
    const pid_t fg = self->master_.is_open() ? ::tcgetpgrp(self->master_.native_handle()) : -1;
    if (fg > 0 && fg != self->pid_) ::kill(-fg, SIGKILL);
    if (!self->reaped_) ::kill(self->pid_, SIGKILL);
    kill_session_members(self->pid_, SIGKILL);
  });
}

void Session::on_reaped(int status) {
  reaped_ = true;
  if (WIFEXITED(status)) {
    exit_code_ = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    exit_signal_ = WTERMSIG(status);
    exit_code_ = 128 + WTERMSIG(status);
  }
  if (read_done_) {
    finish();
    return;
  }
  arm_drain_timer();
}

void Session::arm_drain_timer() {
  // Drain what the program wrote before it ended; a background process that
  // still holds the terminal does not keep the session alive for long. While
  // the read loop waits for the emulator the PTY is not being read: its
  // last bytes are still to come, so wait for that first.
  drain_timer_.expires_after(std::chrono::milliseconds(300));
  drain_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec || self->finished_) return;
    if (self->waiting_for_emulator_) {
      self->arm_drain_timer();
      return;
    }
    boost::system::error_code ignored;
    self->master_.cancel(ignored);
    self->finish();
  });
}

void Session::finish() {
  if (finished_) return;
  finished_ = true;
  kill_timer_.cancel();
  drain_timer_.cancel();
  boost::system::error_code ignored;
  master_.close(ignored);
  input_.clear();
  input_bytes_ = 0;
  input_front_done_ = 0;
  shrink_if_read();
  for (SessionObserver* o : std::vector<SessionObserver*>(observers_.begin(), observers_.end()))
    o->on_finished(*this);
  if (on_finished) on_finished(*this);
}

proto::handover::SessionState Session::describe() const {
  proto::handover::SessionState st;
  st.spec = spec_;  // its environment too: the next image's records need it
  st.createdAt = created_at_ms_;
  st.lastAttachedAt = last_attached_ms_;
  return st;
}

void Session::record(const std::optional<std::string>& end_reason,
                     std::function<void(std::string)> done, bool wait) {
  apply_pending_resize();
  proto::handover::SessionState st = describe();
  st.pid = pid_;
  st.lastCwd = current_cwd();
  st.recordedAt = now_ms();
  st.endReason = end_reason;
  recorded_changes_ = changes_;
  // Encoded on the emulators' thread, after the output read so far.
  const auto encode = [](proto::handover::SessionState state, const emu::Emulator& e) {
    const emu::Emulator::Handover h = e.handover();
    return proto::record::encode(std::move(state), proto::kPtyctlVersion, h.rehydrate, h.screen,
                                 h.scrollback);
  };
  if (wait) {
    done(emulator_->call<std::string>(
        [&](emu::Emulator& e, std::uint64_t) { return encode(std::move(st), e); }));
    return;
  }
  auto deliver = on_loop<std::string>(
      io_, weak_from_this(),
      [done = std::move(done)](Session&, std::string bytes) { done(std::move(bytes)); });
  emulator_->run([st = std::move(st), encode, deliver](emu::Emulator& e, std::uint64_t) {
    deliver(encode(st, e));
  });
}

std::string Session::current_cwd() {
  if (auto cwd = emulator_->cwd(); cwd && !cwd->empty()) return *cwd;
  std::vector<int> pids;
  if (master_.is_open()) {
    const pid_t foreground = ::tcgetpgrp(master_.native_handle());
    if (foreground > 0) pids.push_back(foreground);
  }
  if (!finished_) pids.push_back(pid_);
  for (int pid : pids)
    if (auto cwd = cwd_of_process(pid)) return *cwd;
  return spec_.cwd;
}

void Session::clear_history() {
  emulator_->clear();
  ++changes_;
}

SessionHandover Session::handover() {
  apply_pending_resize();
  SessionHandover h;
  auto& st = h.state;
  st = describe();
  st.pid = pid_;
  st.masterFd = master_fd();
  st.reaped = reaped_;
  st.finished = finished_;
  st.forget = forget_;
  st.exitCode = exit_code_;
  st.exitSignal = exit_signal_;
  if (kill_deadline_ && !finished_)
    st.killInMs = std::max<std::int64_t>(0, std::chrono::duration_cast<std::chrono::milliseconds>(
                                                *kill_deadline_ - std::chrono::steady_clock::now())
                                                .count());
  st.ringCapacity = ring_.capacity();
  st.ringEnd = ring_.end();
  // Its memfd, or (without one) its bytes.
  st.ringFd = ring_.fd();
  if (st.ringFd < 0) h.ring = ring_.held_pieces();
  // The emulator where it is (the loop waits a piece of work at most); the
  // output after its offset is in the ring, and the next image feeds it.
  std::tie(h.emulator, st.emulatorOffset) =
      emulator_->call<std::pair<emu::Emulator::Handover, std::uint64_t>>(
          [](emu::Emulator& e, std::uint64_t offset) { return std::pair(e.handover(), offset); });
  for (std::size_t i = 0; i < input_.size(); ++i)
    h.input += i == 0 ? input_[i].substr(input_front_done_) : input_[i];
  return h;
}

void restore_emulator(emu::Emulator& emulator, const proto::handover::SessionBytes& bytes) {
  if (!emulator.restore({bytes.rehydrate, bytes.screen, bytes.scrollback, bytes.pending}))
    throw proto::handover::HandoverError("a session's scrollback does not add up");
}

std::shared_ptr<Session> Session::adopt(asio::io_context& io, EmulatorWorker& emulators,
                                        const proto::handover::SessionState& st,
                                        const proto::handover::SessionBytes& bytes,
                                        std::size_t ring_size) {
  if (st.masterFd >= 0 && ::fcntl(st.masterFd, F_GETFD) < 0)
    throw proto::handover::HandoverError("session " + st.spec.sessionId + "'s PTY (fd " +
                                         std::to_string(st.masterFd) + ") is not open");
  auto s = std::make_shared<Session>(io, emulators, st.spec, st.pid, -1,
                                     std::max<std::size_t>(ring_size, 1));
  if (st.masterFd >= 0) {
    ::fcntl(st.masterFd, F_SETFD, FD_CLOEXEC);
    s->master_.assign(st.masterFd);
  }
  if (st.ringFd >= 0)
    s->ring_.adopt(st.ringFd, static_cast<std::size_t>(st.ringCapacity), st.ringEnd);
  else
    s->ring_.restore(static_cast<std::size_t>(st.ringCapacity), st.ringEnd, bytes.ring);
  restore_emulator(s->emulator_->unshared(), bytes);
  s->emulator_->set_offset(st.emulatorOffset);
  // The output the old image's emulator had not taken in, from the ring
  // (its queries were the old image's to answer).
  std::string backlog;
  s->ring_.read(st.emulatorOffset, static_cast<std::size_t>(st.ringEnd - st.emulatorOffset),
                backlog);
  s->emulator_->feed(backlog, false);
  s->created_at_ms_ = st.createdAt;
  s->last_attached_ms_ = st.lastAttachedAt;
  s->reaped_ = st.reaped;
  s->finished_ = st.finished;
  s->read_done_ = st.finished;
  s->forget_ = st.forget;
  s->exit_code_ = st.exitCode;
  s->exit_signal_ = st.exitSignal;
  if (!bytes.input.empty() && !st.finished) s->queue_input(std::string(bytes.input));
  if (st.killInMs && !st.finished) s->pending_kill_ = std::chrono::milliseconds(*st.killInMs);
  return s;
}

void Session::close() {
  boost::system::error_code ignored;
  master_.close(ignored);
  emulator_caught_up_.notify_all();
}

void Session::attach(SessionObserver* observer) {
  observers_.insert(observer);
  last_attached_ms_ = now_ms();
  ++changes_;
}

void Session::detach(SessionObserver* observer) {
  observers_.erase(observer);
  shrink_if_read();
}

void Session::shrink_if_read() {
  // Its output is complete: keep what a late reader may still resume from.
  if (!finished_) return;
  for (SessionObserver* o : observers_)
    if (o->behind(*this)) return;
  ring_.shrink(kFinishedRingBytes);
}

void Session::snapshot(std::function<void(proto::Snapshot)> done) {
  apply_pending_resize();  // a snapshot is at the size last asked for
  auto deliver = on_loop<proto::Snapshot>(
      io_, weak_from_this(), [done = std::move(done)](Session& s, proto::Snapshot snap) {
        // No OSC 7 from the shell: its working directory as the kernel knows it.
        if (!snap.cwd && !s.finished_) snap.cwd = cwd_of_process(s.pid_);
        done(std::move(snap));
      });
  emulator_->run(
      [deliver](emu::Emulator& e, std::uint64_t offset) {
        proto::Snapshot snap = e.snapshot();
        // A character or sequence in progress is continued by the data after
        // this offset (the ring's end at the request but for that, unless the
        // emulator was more than kSnapshotPatience behind).
        snap.offset = offset - e.unfinished_bytes();
        deliver(std::move(snap));
      },
      kSnapshotPatience);
}

namespace {

proto::sup::SessionInfo info_of(const SessionSpec& spec, std::int64_t created_at,
                                std::optional<std::int64_t> last_attached_at) {
  proto::sup::SessionInfo i = proto::session_info_of(spec);
  i.createdAt = created_at;
  i.lastAttachedAt = last_attached_at;
  return i;
}

}  // namespace

proto::sup::SessionInfo info_of(const proto::handover::SessionState& st) {
  proto::sup::SessionInfo i = info_of(st.spec, st.createdAt, st.lastAttachedAt);
  i.pid = st.pid;
  return i;
}

proto::sup::SessionInfo Session::info() const {
  proto::sup::SessionInfo i = info_of(spec_, created_at_ms_, last_attached_ms_);
  i.pid = pid_;
  i.isAlive = !finished_;
  if (finished_) {
    i.exitCode = exit_code_.value_or(0);
    i.signal = exit_signal_;
  }
  if (pending_size_) std::tie(i.cols, i.rows) = *pending_size_;
  i.offset = ring_.end();
  i.attachedClients = static_cast<int>(observers_.size());
  return i;
}

}  // namespace ptyctl::sup
