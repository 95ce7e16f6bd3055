#pragma once
// terminal-host's view of one session: which stream sockets watch it and,
// for each, the offset of the next byte it is owed. Output from the
// supervisor is cut at UTF-8 boundaries and handed to each viewer from its own
// offset, so a viewer that resumed earlier than the others, or a subscription
// that was rewound for a new viewer, never shows a byte twice or skips one.

#include "async_mutex.hpp"
#include "client_connection.hpp"

#include <ptyctl/proto/snapshot.hpp>

#include <boost/json.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ptyctl::host {

class SessionRoute {
 public:
  SessionRoute(asio::any_io_executor executor, std::string id);

  const std::string& id() const { return id_; }
  // Held across every supervisor request that changes the subscription.
  AsyncMutex& lock() { return lock_; }

  // --- viewers -------------------------------------------------------------
  // `inside`: the session the viewer runs in, if it said (viewerSessionId).
  void add_viewer(const std::shared_ptr<ClientConnection>& stream, std::uint64_t next,
                  const std::string& inside = {});
  // The sessions inside which viewers of this one run.
  std::vector<std::string> viewed_from() const;
  bool remove_viewer(const ClientConnection* stream);
  // Forgets every viewer and the subscription (the session was replaced).
  void clear_viewers();
  bool has_viewer(const ClientConnection* stream) const;
  std::size_t viewer_count() const;
  bool empty() const { return viewer_count() == 0; }
  // The lowest offset any viewer is owed (where a resubscription starts).
  std::uint64_t lowest_next() const;

  // --- the supervisor subscription ----------------------------------------
  bool subscribed() const { return subscribed_; }
  // Data follows from `from` (a new or rewound subscription).
  void subscribe(std::uint64_t from);
  void unsubscribe();
  // The end of the output received so far on the subscription.
  std::uint64_t position() const { return position_; }

  // --- events from the supervisor -----------------------------------------
  void on_data(std::uint64_t from, std::string_view bytes);
  // Viewers owed bytes before the snapshot's offset repaint from it instead.
  void repaint(const proto::Snapshot& snapshot);
  void on_exit(const boost::json::value& payload);
  void send_event(const std::string& line);

 private:
  struct Viewer {
    std::weak_ptr<ClientConnection> stream;
    const ClientConnection* key;
    std::uint64_t next;
    std::string inside;
  };
  void deliver(std::uint64_t base, std::string_view text);
  void prune();

  std::string id_;
  AsyncMutex lock_;
  std::vector<Viewer> viewers_;
  bool subscribed_ = false;
  std::uint64_t position_ = 0;
  // Bytes of an incomplete UTF-8 sequence at the end of the output so far,
  // which starts at carry_from_.
  std::string carry_;
  std::uint64_t carry_from_ = 0;
  // The viewers have had the exit: a resubscription after a lost supervisor
  // connection (or an upgrade) brings it again, and it is not repeated.
  bool exit_sent_ = false;
};

}  // namespace ptyctl::host
