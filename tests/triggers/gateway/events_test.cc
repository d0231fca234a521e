// Golden tests: the events stratus builds against AWS's documented examples
// (fixtures/events/), for a request matching each example; plus the pure helpers.
#include "triggers/gateway/gateway_events.h"

#include <doctest/doctest.h>

#include "tests/support/event_golden.h"
#include "tests/triggers/gateway/fixture.h"
#include "emulator/util/escape.h"

namespace stratus::gwtest {
namespace {

using triggers::gateway::FormatRequestTime;
using triggers::gateway::IsTextContentType;


TEST_CASE("an HTTP API event matches AWS's payload format 2.0 example") {
  Fixture f("account: '123456789012'\nfunctions:\n  echo:\n    runtime: python3.11\n"
            "    handler: echo.handler\n    events: [{http: $default}]\n");
  json event = f.Event("POST", "/my/path?parameter1=value1&parameter1=value2&parameter2=value",
                       "Hello from Lambda",
                       "Header1: value1\r\nHeader2: value1\r\nHeader2: value2\r\n"
                       "Cookie: cookie1; cookie2\r\nUser-Agent: agent\r\n"
                       "Content-Type: text/plain\r\n",
                       "id.execute-api.us-east-1.amazonaws.com");
  auto diffs = testing::CompareWithGolden(testing::GoldenEvent("apigw-http-v2.json"), event,
                                          testing::HttpApiRules());
  CHECK_MESSAGE(diffs.empty(), testing::JoinLines(diffs));
}

TEST_CASE("a REST API event matches AWS's payload format 1.0 example") {
  GatewayTrigger::Options options;
  options.rest_stage = "$default";  // the example's stage, with no prefix
  Fixture f("account: '123456789012'\nfunctions:\n  echo:\n    runtime: python3.11\n"
            "    handler: echo.handler\n    events: [{rest: {method: GET, path: /my/path}}]\n",
            options);
  json event = f.Event("GET", "/my/path?parameter1=value1&parameter1=value2&parameter2=value",
                       "Hello from Lambda!",
                       "Header1: value1\r\nHeader2: value1\r\nHeader2: value2\r\n"
                       "User-Agent: user-agent\r\nContent-Type: text/plain\r\n",
                       "id.execute-api.us-east-1.amazonaws.com");
  auto diffs = testing::CompareWithGolden(testing::GoldenEvent("apigw-rest-v1.json"), event,
                                          testing::RestApiRules());
  CHECK_MESSAGE(diffs.empty(), testing::JoinLines(diffs));
}

TEST_CASE("request times are formatted as API Gateway formats them") {
  CHECK(FormatRequestTime(1583348638390) == "04/Mar/2020:19:03:58 +0000");
  CHECK(FormatRequestTime(0) == "01/Jan/1970:00:00:00 +0000");
}

TEST_CASE("text and binary content types") {
  struct Case {
    const char* type;
    bool text;
  } cases[] = {{"text/plain", true},          {"application/json; charset=utf-8", true},
               {"application/vnd.api+json", true}, {"application/xml", true},
               {"image/png", false},          {"application/octet-stream", false},
               {"multipart/form-data; boundary=x", false}};
  for (const auto& c : cases) CHECK_MESSAGE(IsTextContentType(c.type) == c.text, c.type);
  CHECK(IsValidUtf8("h\xc3\xa9llo"));
  CHECK_FALSE(IsValidUtf8("\xff\xfe"));
  CHECK_FALSE(IsValidUtf8("\xc3"));
}

}  // namespace
}  // namespace stratus::gwtest

namespace stratus::triggers::gateway {
namespace {

TEST_CASE("MapHttpResponse: only a top-level statusCode makes a response object") {
  auto nested = MapHttpResponse(R"({"data":{"statusCode":404},"list":[{"statusCode":1}]})");
  REQUIRE(nested);
  CHECK(nested->status == 200);  // inferred: the statusCode is not the object's own
  CHECK(nested->body == R"({"data":{"statusCode":404},"list":[{"statusCode":1}]})");
  auto list = MapHttpResponse(R"([1,"two",null])");
  REQUIRE(list);
  CHECK(list->status == 200);
  CHECK(list->body == R"([1,"two",null])");
  auto text = MapHttpResponse(R"("line\nbreak")");
  REQUIRE(text);
  CHECK(text->body == "line\nbreak");
  auto number = MapHttpResponse("42");
  REQUIRE(number);
  CHECK(number->body == "42");
  auto own = MapHttpResponse(R"({"body":"x","statusCode":418})");
  REQUIRE(own);
  CHECK(own->status == 418);
  CHECK(own->body == "x");
  auto escaped = MapHttpResponse(R"({"status\u0043ode":202,"body":"esc"})");  // a \u-spelt key
  REQUIRE(escaped);
  CHECK(escaped->status == 202);
  CHECK(escaped->body == "esc");
  auto spaced = MapHttpResponse(" \n \"padded\"");
  REQUIRE(spaced);
  CHECK(spaced->body == "padded");
  CHECK_FALSE(MapHttpResponse("{\"statusCode\":200"));   // cut short
  CHECK_FALSE(MapHttpResponse("not json"));
  CHECK_FALSE(MapHttpResponse(""));
  CHECK_FALSE(MapHttpResponse("{} trailing"));
}

}  // namespace
}  // namespace stratus::triggers::gateway
