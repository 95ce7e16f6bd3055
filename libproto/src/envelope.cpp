#include <ptyctl/proto/envelope.hpp>

#include <boost/json.hpp>

namespace ptyctl::proto {

namespace json = boost::json;

namespace {

[[noreturn]] void invalid_envelope(std::string_view what) {
  throw ProtocolError(code::kInvalidRequest, std::string(what));
}

std::string string_member(const json::object& m, std::string_view key, bool required) {
  const json::value* v = m.if_contains(key);
  if (!v) {
    if (required) invalid_envelope(std::string(key) + " is required");
    return {};
  }
  if (!v->is_string()) invalid_envelope(std::string(key) + " must be a string");
  return std::string(v->get_string());
}

json::value payload_member(const json::object& m) {
  const json::value* v = m.if_contains("payload");
  return v ? *v : json::value();
}

}  // namespace

Envelope parse_envelope(const json::object& m) {
  if (const json::value* ok = m.if_contains("ok")) {
    Response r;
    r.id = string_member(m, "id", true);
    if (!ok->is_bool()) invalid_envelope("ok must be a boolean");
    r.ok = ok->get_bool();
    if (r.ok) {
      r.payload = payload_member(m);
    } else {
      const json::value* err = m.if_contains("error");
      if (!err || !err->is_object()) invalid_envelope("error must be an object");
      try {
        r.error = json::value_to<ErrorInfo>(*err);
      } catch (const ProtocolError& e) {
        invalid_envelope(std::string("error.") + e.what());
      }
    }
    return r;
  }
  if (m.contains("id")) {
    Request r;
    r.id = string_member(m, "id", true);
    r.type = string_member(m, "type", true);
    r.payload = payload_member(m);
    return r;
  }
  const json::value* type = m.if_contains("type");
  if (type && type->is_string() && type->get_string() == "event") {
    Event e;
    e.event = string_member(m, "event", true);
    e.sessionId = string_member(m, "sessionId", false);
    e.payload = payload_member(m);
    return e;
  }
  invalid_envelope("id is required");
}

json::object to_json(const Request& r) {
  json::object o;
  o["id"] = r.id;
  o["type"] = r.type;
  if (!r.payload.is_null()) o["payload"] = r.payload;
  return o;
}

json::object to_json(const Response& r) {
  json::object o;
  o["id"] = r.id;
  o["ok"] = r.ok;
  if (r.ok) {
    o["payload"] = r.payload;
  } else {
    o["error"] = json::value_from(r.error.value_or(ErrorInfo{}));
  }
  return o;
}

json::object to_json(const Event& e) {
  json::object o;
  o["type"] = "event";
  o["event"] = e.event;
  o["sessionId"] = e.sessionId;
  o["payload"] = e.payload;
  return o;
}

json::object make_request(std::string_view id, std::string_view type, json::value payload) {
  return to_json(Request{std::string(id), std::string(type), std::move(payload)});
}

json::object make_success(std::string_view id, json::value payload) {
  return to_json(Response{std::string(id), true, std::move(payload), std::nullopt});
}

json::object make_failure(std::string_view id, std::string_view code, std::string_view message) {
  return to_json(
      Response{std::string(id), false, {}, ErrorInfo{std::string(code), std::string(message)}});
}

json::object make_failure(std::string_view id, const ProtocolError& error) {
  return make_failure(id, error.code(), error.what());
}

std::string request_id_in(const json::object& message) {
  const json::value* id = message.if_contains("id");
  return id && id->is_string() ? std::string(id->get_string()) : std::string();
}

std::string session_id_in(const json::value& payload) {
  const json::object* p = payload.if_object();
  const json::value* s = p ? p->if_contains("sessionId") : nullptr;
  return s && s->is_string() ? std::string(s->get_string()) : std::string();
}

json::object make_event(std::string_view event, std::string_view session_id, json::value payload) {
  return to_json(Event{std::string(event), std::string(session_id), std::move(payload)});
}

}  // namespace ptyctl::proto
