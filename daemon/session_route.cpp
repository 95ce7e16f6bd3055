#include "session_route.hpp"

#include <ptyctl/proto/client_messages.hpp>
#include <ptyctl/proto/line_codec.hpp>
#include <ptyctl/proto/utf8.hpp>

#include <algorithm>
#include <limits>

namespace ptyctl::host {

namespace json = boost::json;
namespace client = proto::client;

SessionRoute::SessionRoute(asio::any_io_executor executor, std::string id)
    : id_(std::move(id)), lock_(std::move(executor)) {}

void SessionRoute::add_viewer(const std::shared_ptr<ClientConnection>& stream, std::uint64_t next,
                              const std::string& inside) {
  remove_viewer(stream.get());
  viewers_.push_back(Viewer{stream, stream.get(), next, inside});
}

std::vector<std::string> SessionRoute::viewed_from() const {
  std::vector<std::string> out;
  for (const auto& v : viewers_)
    if (!v.inside.empty() && !v.stream.expired() &&
        std::find(out.begin(), out.end(), v.inside) == out.end())
      out.push_back(v.inside);
  return out;
}

bool SessionRoute::remove_viewer(const ClientConnection* stream) {
  const auto before = viewers_.size();
  std::erase_if(viewers_, [&](const Viewer& v) { return v.key == stream; });
  return viewers_.size() != before;
}

void SessionRoute::clear_viewers() {
  viewers_.clear();
  unsubscribe();
  exit_sent_ = false;  // a new session of this id comes next
}

bool SessionRoute::has_viewer(const ClientConnection* stream) const {
  return std::any_of(viewers_.begin(), viewers_.end(),
                     [&](const Viewer& v) { return v.key == stream; });
}

std::size_t SessionRoute::viewer_count() const {
  return viewers_.size();
}

std::uint64_t SessionRoute::lowest_next() const {
  std::uint64_t lowest = std::numeric_limits<std::uint64_t>::max();
  for (const auto& v : viewers_)
    lowest = std::min(lowest, v.next);
  return lowest;
}

void SessionRoute::subscribe(std::uint64_t from) {
  subscribed_ = true;
  position_ = from;
  carry_.clear();
  carry_from_ = from;
}

void SessionRoute::unsubscribe() {
  subscribed_ = false;
  carry_.clear();
}

void SessionRoute::on_data(std::uint64_t from, std::string_view bytes) {
  if (from != position_ || carry_from_ + carry_.size() != from) {
    // Not the continuation of what we hold (a rewound subscription, or
    // events sent before it): start over from here.
    carry_.clear();
    carry_from_ = from;
  }
  position_ = from + bytes.size();
  if (carry_.empty()) {
    const std::size_t complete = proto::utf8_complete_prefix(bytes);
    deliver(from, bytes.substr(0, complete));
    carry_.assign(bytes.substr(complete));
    carry_from_ = from + complete;
    return;
  }
  std::string joined = carry_;
  joined.append(bytes);
  const std::size_t complete = proto::utf8_complete_prefix(joined);
  const std::uint64_t base = carry_from_;
  deliver(base, std::string_view(joined).substr(0, complete));
  carry_ = joined.substr(complete);
  carry_from_ = base + complete;
}

void SessionRoute::deliver(std::uint64_t base, std::string_view text) {
  if (text.empty()) return;
  const std::uint64_t end = base + text.size();
  std::uint64_t encoded_from = std::numeric_limits<std::uint64_t>::max();
  std::string line;
  for (auto& v : viewers_) {
    // A viewer owed an earlier byte waits for the rewound stream; one that
    // has these bytes already skips them.
    if (v.next < base || v.next >= end) continue;
    auto stream = v.stream.lock();
    if (!stream || stream->closed()) continue;
    if (v.next != encoded_from) {
      const std::string_view part = text.substr(static_cast<std::size_t>(v.next - base));
      line = proto::utf8_is_valid(part)
                 ? proto::encode_data_line(id_, part, v.next, end)
                 : proto::encode_data_line(id_, proto::utf8_sanitize(part), v.next, end);
      encoded_from = v.next;
    }
    v.next = end;
    stream->send(line);
  }
  prune();
}

void SessionRoute::repaint(const proto::Snapshot& snapshot) {
  client::DataEvent ev;
  // RIS, then the modes, then the screen: the same bytes a fresh client
  // would write, into a terminal that showed something else.
  ev.data =
      "\x1b"
      "c" +
      snapshot.rehydrateSequences + snapshot.snapshotAnsi;
  ev.offset = snapshot.offset;
  ev.endOffset = snapshot.offset;
  const std::string line = proto::encode_line(proto::make_event(id_, ev));
  for (auto& v : viewers_) {
    if (v.next >= snapshot.offset) continue;
    v.next = snapshot.offset;
    if (auto stream = v.stream.lock()) stream->send(line);
  }
  prune();
}

void SessionRoute::on_exit(const json::value& payload) {
  if (exit_sent_) return;
  exit_sent_ = true;
  // What is held back of an unfinished character is all there will be.
  if (!carry_.empty()) {
    const std::string held = std::move(carry_);
    carry_.clear();
    deliver(carry_from_, held);
    carry_from_ += held.size();
  }
  send_event(proto::encode_line(proto::make_event(proto::client::ExitEvent::kEvent, id_, payload)));
}

void SessionRoute::send_event(const std::string& line) {
  for (auto& v : viewers_)
    if (auto stream = v.stream.lock()) stream->send(line);
  prune();
}

void SessionRoute::prune() {
  std::erase_if(viewers_, [](const Viewer& v) {
    auto s = v.stream.lock();
    return !s || s->closed();
  });
}

}  // namespace ptyctl::host
