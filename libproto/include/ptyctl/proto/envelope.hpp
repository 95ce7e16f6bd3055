#pragma once
// The envelopes shared by both wires:
//   request  {id, type, payload}
//   success  {id, ok:true, payload}
//   failure  {id, ok:false, error:{code, message}}
//   event    {type:"event", event, sessionId, payload}

#include <ptyctl/proto/errors.hpp>
#include <ptyctl/proto/json_conv.hpp>

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace ptyctl::proto {

struct ErrorInfo {
  std::string code;
  std::string message;
  bool operator==(const ErrorInfo&) const = default;
};
PTYCTL_PROTO_JSON(ErrorInfo);

struct Request {
  std::string id;
  std::string type;
  boost::json::value payload;  // null when absent
  bool operator==(const Request&) const = default;
};

struct Response {
  std::string id;
  bool ok = true;
  boost::json::value payload;      // success payload (null on failure)
  std::optional<ErrorInfo> error;  // set on failure
  bool operator==(const Response&) const = default;
};

struct Event {
  std::string event;  // "data", "exit", "error"
  std::string sessionId;
  boost::json::value payload;
  bool operator==(const Event&) const = default;
};

using Envelope = std::variant<Request, Response, Event>;

// Classifies a decoded object. Responses are told apart by `ok`, events by
// type == "event" without an id. Throws ProtocolError(INVALID_REQUEST) naming
// the field that is missing or of the wrong type. Unknown fields are ignored.
Envelope parse_envelope(const boost::json::object& message);

boost::json::object to_json(const Request& r);
boost::json::object to_json(const Response& r);
boost::json::object to_json(const Event& e);

boost::json::object make_request(std::string_view id, std::string_view type,
                                 boost::json::value payload = {});
boost::json::object make_success(std::string_view id, boost::json::value payload);
boost::json::object make_failure(std::string_view id, std::string_view code,
                                 std::string_view message);
boost::json::object make_failure(std::string_view id, const ProtocolError& error);
boost::json::object make_event(std::string_view event, std::string_view session_id,
                               boost::json::value payload);

// A request of a typed payload P (P::kType names it).
template <class P>
boost::json::object make_request(std::string_view id, const P& payload) {
  return make_request(id, P::kType, boost::json::value_from(payload));
}

// An event of a typed payload E (E::kEvent names it).
template <class E>
boost::json::object make_event(std::string_view session_id, const E& payload) {
  return make_event(E::kEvent, session_id, boost::json::value_from(payload));
}

// The id of a message that may not parse as a request (for its failure):
// "" when it has no string id.
std::string request_id_in(const boost::json::object& message);

// The session a request's payload names (its sessionId, if a string), even
// in a payload that failed to parse: "" when it names none.
std::string session_id_in(const boost::json::value& payload);

// A typed request payload: one of Ts, chosen by the request's type.
template <class... Ts>
struct RequestSet {
  using Payload = std::variant<Ts...>;

  static bool known(std::string_view type) { return ((type == Ts::kType) || ...); }

  // Throws ProtocolError: UNKNOWN_REQUEST for a type not in the set, else the
  // payload's validation error (INVALID_PAYLOAD, INVALID_SESSION_ID, ...).
  static Payload parse(std::string_view type, const boost::json::value& payload) {
    std::optional<Payload> out;
    (void)((type == Ts::kType
                ? (out.emplace(std::in_place_type<Ts>, boost::json::value_to<Ts>(payload)), true)
                : false) ||
           ...);
    if (!out)
      throw ProtocolError(code::kUnknownRequest, "unknown request type: " + std::string(type));
    return std::move(*out);
  }
};

}  // namespace ptyctl::proto
