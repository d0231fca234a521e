// The REST API (payload format 1.0, Lambda proxy integration) end to end.
#include <doctest/doctest.h>

#include "tests/triggers/gateway/fixture.h"

namespace stratus::gwtest {
namespace {

const char* kYaml =
    "functions:\n"
    "  item:\n"
    "    runtime: python3.11\n    handler: echo.handler\n"
    "    events:\n"
    "      - rest: {method: GET, path: '/items/{id}'}\n"
    "      - rest: {method: ANY, path: '/{proxy+}'}\n"
    "  respond:\n"
    "    runtime: python3.11\n    handler: respond.handler\n"
    "    events: [{rest: {method: POST, path: /respond}}]\n"
    "  mirror:\n"
    "    runtime: python3.11\n    handler: mirror.handler\n"
    "    events: [{rest: {method: POST, path: /mirror}}]\n"
    "  fail:\n"
    "    runtime: python3.11\n    handler: fail.handler\n"
    "    events: [{rest: {method: GET, path: /fail}}]\n"
    "  slow:\n"
    "    runtime: python3.11\n    handler: slow.handler\n    timeout: 1\n"
    "    events: [{rest: {method: GET, path: /slow}}]\n";

TEST_CASE("a REST event: resource, multi-value headers and query strings, nulls") {
  Fixture f(kYaml);
  json e = f.Event("GET", "/items/42?a=1&a=2&b=3", "",
                   "X-Multi: one\r\nX-Multi: two\r\nUser-Agent: ua\r\n");
  CHECK(e["resource"] == "/items/{id}");
  CHECK(e["path"] == "/items/42");
  CHECK(e["httpMethod"] == "GET");
  CHECK(e["pathParameters"] == json{{"id", "42"}});
  CHECK(e["headers"]["X-Multi"] == "two");
  CHECK(e["multiValueHeaders"]["X-Multi"] == json{"one", "two"});
  CHECK(e["queryStringParameters"] == json{{"a", "2"}, {"b", "3"}});
  CHECK(e["multiValueQueryStringParameters"] == json{{"a", {"1", "2"}}, {"b", {"3"}}});
  CHECK(e["stageVariables"].is_null());
  CHECK(e["body"].is_null());
  CHECK(e["isBase64Encoded"] == false);
  const json& rc = e["requestContext"];
  CHECK(rc["stage"] == "dev");
  CHECK(rc["path"] == "/items/42");  // as received: no stage is configured
  CHECK(rc["resourcePath"] == "/items/{id}");
  CHECK(rc["httpMethod"] == "GET");
  CHECK(rc["identity"]["sourceIp"] == "127.0.0.1");
  CHECK(rc["identity"]["userAgent"] == "ua");
  CHECK(rc["identity"]["user"].is_null());

  e = f.Event("PUT", "/deep/er/path");
  CHECK(e["resource"] == "/{proxy+}");
  CHECK(e["pathParameters"] == json{{"proxy", "deep/er/path"}});
  CHECK(e["queryStringParameters"].is_null());
}

TEST_CASE("with gateway.stage, REST routes are served under the stage") {
  Fixture f("gateway: {stage: prod}\n" + std::string(kYaml));
  json e = f.Event("GET", "/prod/items/42");
  CHECK(e["resource"] == "/items/{id}");
  CHECK(e["path"] == "/items/42");
  CHECK(e["requestContext"]["path"] == "/prod/items/42");
  CHECK(e["requestContext"]["stage"] == "prod");
  CHECK(f.Request("GET", "/items/42").status == 403);  // not without the stage
}

TEST_CASE("x-amzn-RequestId matches requestContext.requestId") {
  Fixture f(kYaml);
  auto r = f.Request("GET", "/items/1");
  REQUIRE(r.status == 200);
  CHECK(json::parse(r.body)["requestContext"]["requestId"] == r.Header("x-amzn-requestid"));
}

TEST_CASE("REST response mapping: multiValueHeaders, base64, default content type") {
  Fixture f(kYaml);
  auto r = f.Request("POST", "/respond",
                     R"({"statusCode":202,"headers":{"X-One":"a"},)"
                     R"("multiValueHeaders":{"X-Two":["b","c"]},"body":"ok"})");
  CHECK(r.status == 202);
  CHECK(r.body == "ok");
  CHECK(r.Header("x-one") == "a");
  CHECK(r.headers.count("x-two") == 2);
  CHECK(r.Header("content-type") == "application/json");
}

TEST_CASE("REST binary bodies: base64 only for binary_media_types, decoded for an Accept match") {
  std::string binary("\x00\x10\xff", 3);
  {
    // Without binaryMediaTypes a REST API passes bodies as text: bytes that are not UTF-8
    // arrive replaced, and the function's base64 answer is sent as the base64 text.
    Fixture f(kYaml);
    auto event = f.Event("POST", "/items/1", binary, "Content-Type: application/octet-stream\r\n");
    CHECK(event["isBase64Encoded"] == false);
    CHECK(event["body"] == std::string("\x00\x10\xef\xbf\xbd", 5));
  }
  Fixture f(std::string("gateway: {binary_media_types: [application/octet-stream, image/*]}\n") +
            kYaml);
  auto event = f.Event("POST", "/items/1", binary, "Content-Type: application/octet-stream\r\n");
  CHECK(event["isBase64Encoded"] == true);
  CHECK(event["body"] == "ABD/");
  auto r = f.Request("POST", "/mirror", binary,
                     "Content-Type: application/octet-stream\r\nAccept: image/png\r\n");
  CHECK(r.status == 200);
  CHECK(r.body == binary);
  r = f.Request("POST", "/mirror", binary,
                "Content-Type: application/octet-stream\r\nAccept: application/json\r\n");
  CHECK(r.body == "ABD/");
}

TEST_CASE("REST stage variables reach the event") {
  Fixture f(std::string("gateway: {stage_variables: {table: orders, limit: 10}}\n") + kYaml);
  auto event = f.Event("GET", "/items/1");
  CHECK(event["stageVariables"] == json{{"limit", "10"}, {"table", "orders"}});
}

TEST_CASE("REST CORS: preflight answered as the Enable CORS mock; gateway errors carry the origin") {
  Fixture f(std::string("gateway:\n  rest_cors: {allow_origins: ['https://app.example'],\n"
                        "              allow_methods: [GET, POST], allow_headers: [x-key]}\n") +
            kYaml);
  auto r = f.Request("OPTIONS", "/items/1", "",
                     "Origin: https://app.example\r\nAccess-Control-Request-Method: GET\r\n");
  CHECK(r.status == 200);
  CHECK(r.Header("access-control-allow-origin") == "https://app.example");
  CHECK(r.Header("access-control-allow-methods") == "GET,POST");
  CHECK(r.Header("access-control-allow-headers") == "x-key");
  // The function's own answer keeps its headers (a proxy integration sets its own CORS).
  r = f.Request("GET", "/items/1", "", "Origin: https://app.example\r\n");
  CHECK(r.status == 200);
  CHECK(r.Header("access-control-allow-origin").empty());
  r = f.Request("GET", "/fail", "", "Origin: https://app.example\r\n");
  CHECK(r.status == 502);
  CHECK(r.Header("access-control-allow-origin") == "https://app.example");
}

TEST_CASE("REST errors: 502 for a function error or bad answer, 403 for unknown routes") {
  Fixture f(kYaml);
  auto r = f.Request("GET", "/fail");
  CHECK(r.status == 502);
  CHECK(json::parse(r.body) == json{{"message", "Internal server error"}});
  CHECK_FALSE(r.Header("x-amzn-requestid").empty());

  r = f.Request("POST", "/respond", R"({"no":"statusCode"})");  // REST infers nothing
  CHECK(r.status == 502);
  r = f.Request("GET", "/slow?s=3");  // the function's own timeout: a function error
  CHECK(r.status == 502);

  Fixture only_items("functions:\n  item:\n    runtime: python3.11\n    handler: echo.handler\n"
                     "    events: [{rest: {method: GET, path: /items}}]\n");
  r = only_items.Request("GET", "/elsewhere");
  CHECK(r.status == 403);
  CHECK(json::parse(r.body) == json{{"message", "Missing Authentication Token"}});
  CHECK(r.Header("x-amzn-errortype") == "MissingAuthenticationTokenException");
  CHECK(only_items.Request("POST", "/items").status == 403);
}

TEST_CASE("the REST integration timeout answers 504 Endpoint request timed out") {
  Fixture f(std::string("gateway: {timeout: 300ms}\n") + kYaml);
  auto r = f.Request("GET", "/slow?s=0.8");
  CHECK(r.status == 504);
  CHECK(json::parse(r.body) == json{{"message", "Endpoint request timed out"}});
}

}  // namespace
}  // namespace stratus::gwtest
