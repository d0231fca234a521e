// The HTTP API (payload format 2.0) end to end: real Python functions behind the gateway port.
#include <doctest/doctest.h>

#include <thread>

#include "emulator/util/base64.h"
#include "tests/triggers/gateway/fixture.h"

namespace stratus::gwtest {
namespace {

const char* kYaml =
    "functions:\n"
    "  item:\n"
    "    runtime: python3.11\n    handler: echo.handler\n"
    "    events:\n"
    "      - http: {method: GET, path: '/items/{id}'}\n"
    "      - http: {method: GET, path: /items/special}\n"
    "      - http: {method: ANY, path: '/files/{proxy+}'}\n"
    "      - http: {method: POST, path: /echo}\n"
    "  respond:\n"
    "    runtime: python3.11\n    handler: respond.handler\n"
    "    events: [{http: {method: POST, path: /respond}}]\n"
    "  mirror:\n"
    "    runtime: python3.11\n    handler: mirror.handler\n"
    "    events: [{http: {method: POST, path: /mirror}}]\n"
    "  fail:\n"
    "    runtime: python3.11\n    handler: fail.handler\n"
    "    events: [{http: {method: GET, path: /fail}}]\n"
    "  slow:\n"
    "    runtime: python3.11\n    handler: slow.handler\n    timeout: 1\n    concurrency: 1\n"
    "    events: [{http: {method: GET, path: /slow}}]\n";

TEST_CASE("path parameters, greedy paths and precedence pick the route AWS would") {
  Fixture f(kYaml);
  json e = f.Event("GET", "/items/a%20b");
  CHECK(e["routeKey"] == "GET /items/{id}");
  CHECK(e["rawPath"] == "/items/a%20b");
  CHECK(e["pathParameters"] == json{{"id", "a b"}});
  CHECK(e["requestContext"]["routeKey"] == "GET /items/{id}");

  e = f.Event("GET", "/items/special");  // a literal beats a parameter
  CHECK(e["routeKey"] == "GET /items/special");
  CHECK_FALSE(e.contains("pathParameters"));

  e = f.Event("DELETE", "/files/a/b/c.txt");  // ANY with a greedy tail
  CHECK(e["routeKey"] == "ANY /files/{proxy+}");
  CHECK(e["pathParameters"] == json{{"proxy", "a/b/c.txt"}});
  CHECK(e["requestContext"]["http"]["method"] == "DELETE");
}

TEST_CASE("query strings, headers and cookies are shaped as payload 2.0 shapes them") {
  Fixture f(kYaml);
  json e = f.Event("POST", "/echo?a=1&a=2&b=x%2Fy&flag", "hi",
                   "X-Multi: one\r\nX-Multi: two\r\nCookie: c1=v1; c2=v2\r\nCookie: c3=v3\r\n"
                   "Content-Type: text/plain\r\nUser-Agent: test-agent\r\n");
  CHECK(e["version"] == "2.0");
  CHECK(e["rawQueryString"] == "a=1&a=2&b=x%2Fy&flag");
  CHECK(e["queryStringParameters"] == json{{"a", "1,2"}, {"b", "x/y"}, {"flag", ""}});
  CHECK(e["headers"]["x-multi"] == "one,two");
  CHECK(e["headers"]["content-type"] == "text/plain");
  CHECK_FALSE(e["headers"].contains("cookie"));
  CHECK(e["cookies"] == json{"c1=v1", "c2=v2", "c3=v3"});
  CHECK(e["body"] == "hi");
  CHECK(e["isBase64Encoded"] == false);
  CHECK_FALSE(e.contains("stageVariables"));
  const json& rc = e["requestContext"];
  CHECK(rc["http"]["userAgent"] == "test-agent");
  CHECK(rc["http"]["sourceIp"] == "127.0.0.1");
  CHECK(rc["http"]["protocol"] == "HTTP/1.1");
  CHECK(rc["stage"] == "$default");
  CHECK(rc["domainName"] == "localhost:3000");
  CHECK(rc["accountId"] == "000000000000");
  CHECK(rc["timeEpoch"].is_number_integer());
}

TEST_CASE("the request id is the same in the event and the apigw-requestid header") {
  Fixture f(kYaml);
  auto response = f.Request("GET", "/items/1");
  REQUIRE(response.status == 200);
  json e = json::parse(response.body);
  CHECK_FALSE(response.Header("apigw-requestid").empty());
  CHECK(e["requestContext"]["requestId"] == response.Header("apigw-requestid"));
}

TEST_CASE("binary bodies travel base64 both ways") {
  Fixture f(kYaml);
  std::string binary("\x00\x01\xff\xfe png\x89", 10);
  auto response = f.Request("POST", "/mirror", binary, "Content-Type: image/png\r\n");
  CHECK(response.status == 200);
  CHECK(response.body == binary);
  CHECK(response.Header("content-type") == "application/octet-stream");
}

TEST_CASE("response mapping: statusCode objects, cookies, base64 and inference") {
  Fixture f(kYaml);
  auto r = f.Request("POST", "/respond",
                     R"({"statusCode":201,"headers":{"X-A":"1"},"cookies":["a=1","b=2"],)"
                     R"("body":"made"})");
  CHECK(r.status == 201);
  CHECK(r.body == "made");
  CHECK(r.Header("x-a") == "1");
  CHECK(r.headers.count("set-cookie") == 2);

  r = f.Request("POST", "/respond", R"({"statusCode":200,"body":"aGk=","isBase64Encoded":true})");
  CHECK(r.body == "hi");

  r = f.Request("POST", "/respond", R"({"message":"hello"})");  // no statusCode: inferred
  CHECK(r.status == 200);
  CHECK(r.Header("content-type") == "application/json");
  CHECK(json::parse(r.body) == json{{"message", "hello"}});

  r = f.Request("POST", "/respond", R"("Hello from Lambda!")");
  CHECK(r.status == 200);
  CHECK(r.body == "Hello from Lambda!");
}

TEST_CASE("a function error or a malformed response is a 500 Internal Server Error") {
  Fixture f(kYaml);
  auto r = f.Request("GET", "/fail");
  CHECK(r.status == 500);
  CHECK(json::parse(r.body) == json{{"message", "Internal Server Error"}});
  CHECK_FALSE(r.Header("apigw-requestid").empty());

  r = f.Request("POST", "/respond", R"({"statusCode":"not a number"})");
  CHECK(r.status == 500);
  r = f.Request("POST", "/respond", R"({"statusCode":200,"body":{"not":"a string"}})");
  CHECK(r.status == 500);
}

TEST_CASE("unknown routes are 404 Not Found; a known path with another method too") {
  Fixture f(kYaml);
  auto r = f.Request("GET", "/nowhere");
  CHECK(r.status == 404);
  CHECK(json::parse(r.body) == json{{"message", "Not Found"}});
  CHECK_FALSE(r.Header("apigw-requestid").empty());
  CHECK(f.Request("DELETE", "/items/1").status == 404);
  CHECK(f.Request("GET", "/").status == 404);
}

TEST_CASE("$default catches what no other route matches") {
  Fixture f(
      "functions:\n  item:\n    runtime: python3.11\n    handler: echo.handler\n"
      "    events:\n      - http: $default\n      - http: {method: GET, path: /x}\n");
  json e = f.Event("PATCH", "/any/thing?q=1");
  CHECK(e["routeKey"] == "$default");
  CHECK(e["requestContext"]["routeKey"] == "$default");
  CHECK_FALSE(e.contains("pathParameters"));
  CHECK(f.Event("GET", "/")["routeKey"] == "$default");
  CHECK(f.Event("GET", "/x")["routeKey"] == "GET /x");
}

TEST_CASE("a function that times out is a function error: 500") {
  Fixture f(kYaml);
  auto r = f.Request("GET", "/slow?s=3");
  CHECK(r.status == 500);
  CHECK(json::parse(r.body) == json{{"message", "Internal Server Error"}});
}

TEST_CASE("the integration timeout answers 503 Service Unavailable") {
  Fixture f(std::string("gateway: {timeout: 300ms}\n") + kYaml);
  auto r = f.Request("GET", "/slow?s=0.8");
  CHECK(r.status == 503);
  CHECK(json::parse(r.body) == json{{"message", "Service Unavailable"}});
  CHECK_FALSE(r.Header("apigw-requestid").empty());
}

TEST_CASE("a throttled function answers 429 Too Many Requests") {
  Fixture f(kYaml);
  REQUIRE(f.Request("GET", "/slow?s=0").status == 200);  // warm, so the next call is quick
  testing::RawClient first(f.port());
  first.Send("GET /slow?s=0.8 HTTP/1.1\r\nHost: x\r\n\r\n");
  // The first request holds the only instance; poll until a second one is throttled.
  int throttled = 0;
  for (int i = 0; i < 50 && throttled == 0; ++i) {
    auto r = f.Request("GET", "/slow?s=0");
    if (r.status == 429) {
      throttled++;
      CHECK(json::parse(r.body) == json{{"message", "Too Many Requests"}});
    }
  }
  CHECK(throttled == 1);
  auto r = first.Read(std::chrono::seconds(10));
  REQUIRE(r.has_value());
  CHECK(r->status == 200);
}

TEST_CASE("bytes that are not UTF-8 in headers or the query reach the function replaced") {
  Fixture f(kYaml);
  json e = f.Event("POST", "/echo?bad=%FF", "", "X-Bad: \xff\xfe\r\n");
  CHECK(e["queryStringParameters"]["bad"] == "\xEF\xBF\xBD");  // U+FFFD
  CHECK(e["headers"].contains("x-bad"));
  CHECK(e["headers"]["x-forwarded-proto"] == "http");
  CHECK(e["headers"]["x-forwarded-for"] == "127.0.0.1");
}

TEST_CASE("stage variables reach HTTP API events; without them the key is absent") {
  Fixture plain(kYaml);
  CHECK_FALSE(plain.Event("GET", "/items/1").contains("stageVariables"));
  Fixture f(std::string("gateway: {stage_variables: {table: orders}}\n") + kYaml);
  CHECK(f.Event("GET", "/items/1")["stageVariables"] == json{{"table", "orders"}});
}

}  // namespace
}  // namespace stratus::gwtest
