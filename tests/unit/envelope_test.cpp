// Envelopes: requests, successes, failures and events are told apart as the
// desktop client does (by `id`, then `ok`), and each round-trips.

#include <ptyctl/proto/envelope.hpp>

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace json = boost::json;
using namespace ptyctl::proto;

namespace {
std::string envelope_error(std::string_view text) {
  try {
    (void)parse_envelope(json::parse(text).as_object());
  } catch (const ProtocolError& e) {
    EXPECT_EQ(e.code(), "INVALID_REQUEST");
    return e.what();
  }
  return "OK";
}
}  // namespace

TEST(Envelope, RoundTripsEveryKind) {
  const Request req{"req_1", "listSessions", json::value()};
  EXPECT_EQ(std::get<Request>(parse_envelope(to_json(req))), req);
  EXPECT_FALSE(to_json(req).contains("payload"));  // sent without payload, as the app does

  const Request with_payload{"req_2", "write", json::parse(R"({"sessionId":"s","data":"x"})")};
  EXPECT_EQ(std::get<Request>(parse_envelope(to_json(with_payload))), with_payload);

  const Response ok{"req_2", true, json::parse(R"({"success":true})"), std::nullopt};
  EXPECT_EQ(std::get<Response>(parse_envelope(to_json(ok))), ok);

  const Response fail{"req_3", false, json::value(), ErrorInfo{"WRITE_FAILED", "no such session"}};
  EXPECT_EQ(std::get<Response>(parse_envelope(to_json(fail))), fail);

  const Event ev{"data", "s1", json::parse(R"({"type":"data","data":"hi","offset":0})")};
  const json::object ev_json = to_json(ev);
  EXPECT_EQ(ev_json.at("type"), "event");
  EXPECT_FALSE(ev_json.contains("id"));
  EXPECT_EQ(std::get<Event>(parse_envelope(ev_json)), ev);
}

TEST(Envelope, Builders) {
  EXPECT_EQ(json::serialize(make_failure("r", ProtocolError("UNKNOWN_REQUEST", "nope"))),
            R"({"id":"r","ok":false,"error":{"code":"UNKNOWN_REQUEST","message":"nope"}})");
  EXPECT_EQ(json::serialize(make_success("r", json::object{{"success", true}})),
            R"({"id":"r","ok":true,"payload":{"success":true}})");
  EXPECT_EQ(json::serialize(make_event("exit", "s", json::object{{"exitCode", 0}})),
            R"({"type":"event","event":"exit","sessionId":"s","payload":{"exitCode":0}})");
  EXPECT_EQ(json::serialize(make_request("q", "kill", json::object{{"sessionId", "s"}})),
            R"({"id":"q","type":"kill","payload":{"sessionId":"s"}})");
}

TEST(Envelope, ErrorsNameTheField) {
  EXPECT_EQ(envelope_error(R"({"type":"write"})"), "id is required");
  EXPECT_EQ(envelope_error(R"({"id":7,"type":"write"})"), "id must be a string");
  EXPECT_EQ(envelope_error(R"({"id":"1"})"), "type is required");
  EXPECT_EQ(envelope_error(R"({"id":"1","type":["x"]})"), "type must be a string");
  EXPECT_EQ(envelope_error(R"({"id":"1","ok":"yes"})"), "ok must be a boolean");
  EXPECT_EQ(envelope_error(R"({"id":"1","ok":false})"), "error must be an object");
  EXPECT_EQ(envelope_error(R"({"id":"1","ok":false,"error":{"code":"X"}})"),
            "error.message is required");
  EXPECT_EQ(envelope_error(R"({"type":"event","sessionId":"s"})"), "event is required");
  EXPECT_EQ(envelope_error(R"({})"), "id is required");
}

TEST(Envelope, UnknownFieldsAreIgnored) {
  const auto e = parse_envelope(json::parse(R"({"id":"1","type":"x","extra":[1,2]})").as_object());
  EXPECT_EQ(std::get<Request>(e).type, "x");
}
