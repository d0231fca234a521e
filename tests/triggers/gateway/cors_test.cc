// CORS for HTTP APIs: preflights answered by the gateway, CORS headers owned by the gateway.
#include <doctest/doctest.h>

#include "tests/triggers/gateway/fixture.h"

namespace stratus::gwtest {
namespace {

const char* kYaml =
    "functions:\n"
    "  respond:\n"
    "    runtime: python3.11\n    handler: respond.handler\n"
    "    events: [{http: {method: POST, path: /respond}}]\n";

GatewayTrigger::Options WithCors(std::vector<std::string> origins, bool credentials = false) {
  GatewayTrigger::Options options;
  triggers::gateway::Cors cors;
  cors.allow_origins = std::move(origins);
  cors.allow_methods = {"GET", "POST"};
  cors.allow_headers = {"authorization", "content-type"};
  cors.expose_headers = {"x-id"};
  cors.max_age = 300;
  cors.allow_credentials = credentials;
  options.http_cors = cors;
  return options;
}

TEST_CASE("a preflight is answered by the gateway, with no OPTIONS route") {
  Fixture f(kYaml, WithCors({"https://app.example"}));
  auto r = f.Request("OPTIONS", "/respond", "",
                     "Origin: https://app.example\r\nAccess-Control-Request-Method: POST\r\n");
  CHECK(r.status == 204);
  CHECK(r.Header("access-control-allow-origin") == "https://app.example");
  CHECK(r.Header("access-control-allow-methods") == "GET,POST");
  CHECK(r.Header("access-control-allow-headers") == "authorization,content-type");
  CHECK(r.Header("access-control-max-age") == "300");
  CHECK_FALSE(r.Header("apigw-requestid").empty());

  // Even for a path no route has.
  r = f.Request("OPTIONS", "/nowhere", "",
                "Origin: https://app.example\r\nAccess-Control-Request-Method: GET\r\n");
  CHECK(r.status == 204);
  CHECK(r.Header("access-control-allow-origin") == "https://app.example");

  // An origin not allowed gets no CORS headers.
  r = f.Request("OPTIONS", "/respond", "",
                "Origin: https://evil.example\r\nAccess-Control-Request-Method: POST\r\n");
  CHECK(r.status == 204);
  CHECK(r.Header("access-control-allow-origin").empty());
}

TEST_CASE("the gateway's CORS headers replace the function's") {
  Fixture f(kYaml, WithCors({"https://*"}, /*credentials=*/true));
  std::string answer =
      R"({"statusCode":200,"headers":{"Access-Control-Allow-Origin":"https://wrong"},"body":"x"})";
  auto r = f.Request("POST", "/respond", answer, "Origin: https://app.example\r\n");
  CHECK(r.status == 200);
  CHECK(r.headers.count("access-control-allow-origin") == 1);
  CHECK(r.Header("access-control-allow-origin") == "https://app.example");
  CHECK(r.Header("access-control-expose-headers") == "x-id");
  CHECK(r.Header("access-control-allow-credentials") == "true");

  r = f.Request("POST", "/respond", answer, "Origin: http://plain.example\r\n");
  CHECK(r.Header("access-control-allow-origin").empty());  // https://* only

  r = f.Request("POST", "/respond", answer);  // no Origin: not a CORS request, untouched
  CHECK(r.Header("access-control-allow-origin") == "https://wrong");
}

TEST_CASE("without CORS an OPTIONS request is routed like any other") {
  Fixture f(kYaml);
  auto r = f.Request("OPTIONS", "/respond", "",
                     "Origin: https://app.example\r\nAccess-Control-Request-Method: POST\r\n");
  CHECK(r.status == 404);
}

TEST_CASE("allow_origins '*' answers '*' unless credentials are allowed") {
  Fixture f(kYaml, WithCors({"*"}));
  auto r = f.Request("OPTIONS", "/respond", "",
                     "Origin: https://a.example\r\nAccess-Control-Request-Method: POST\r\n");
  CHECK(r.Header("access-control-allow-origin") == "*");
}

TEST_CASE("gateway: {cors: true} in the project file turns CORS on") {
  Fixture f("gateway: {cors: true}\n" + std::string(kYaml));
  auto r = f.Request("OPTIONS", "/respond", "",
                     "Origin: https://a.example\r\nAccess-Control-Request-Method: POST\r\n");
  CHECK(r.status == 204);
  CHECK(r.Header("access-control-allow-origin") == "*");
  CHECK(r.Header("access-control-allow-methods") == "*");
}

}  // namespace
}  // namespace stratus::gwtest
