// `gateway:`: stage, CORS, binary media types, stage variables, timeout and authorizers.
#include <doctest/doctest.h>

#include <map>
#include <string>
#include <variant>

#include "emulator/config/config.h"

namespace stratus::config {
namespace {

TEST_CASE("gateway settings are read, with defaults when absent") {
  auto none = ParseConfig("functions: {}\n", "stratus.yaml");
  REQUIRE(none.ok());
  CHECK(none->gateway.stage.empty());
  CHECK_FALSE(none->gateway.cors.has_value());

  auto full = ParseConfig(
      "gateway:\n"
      "  stage: prod_1\n"
      "  cors:\n"
      "    allow_origins: [https://app.example, 'https://*']\n"
      "    allow_methods: [get, POST]\n"
      "    allow_headers: authorization\n"
      "    expose_headers: [x-id]\n"
      "    max_age: 300\n"
      "    allow_credentials: true\n",
      "stratus.yaml");
  REQUIRE_MESSAGE(full.ok(), full.status().message());
  const GatewayConfig& g = full->gateway;
  CHECK(g.stage == "prod_1");
  CHECK(g.position == Position{1, 1});
  REQUIRE(g.cors.has_value());
  CHECK(g.cors->allow_origins == std::vector<std::string>{"https://app.example", "https://*"});
  CHECK(g.cors->allow_methods == std::vector<std::string>{"GET", "POST"});
  CHECK(g.cors->allow_headers == std::vector<std::string>{"authorization"});
  CHECK(g.cors->expose_headers == std::vector<std::string>{"x-id"});
  CHECK(g.cors->max_age == 300);
  CHECK(g.cors->allow_credentials);
  CHECK(g.cors->position == Position{3, 3});

  auto on = ParseConfig("gateway: {cors: true}\n", "stratus.yaml");
  REQUIRE(on.ok());
  REQUIRE(on->gateway.cors.has_value());
  CHECK(on->gateway.cors->allow_origins == std::vector<std::string>{"*"});
  CHECK(on->gateway.cors->allow_methods == std::vector<std::string>{"*"});
  auto off = ParseConfig("gateway: {cors: false}\n", "stratus.yaml");
  REQUIRE(off.ok());
  CHECK_FALSE(off->gateway.cors.has_value());
}

TEST_CASE("gateway settings errors are positioned") {
  struct Case {
    const char* yaml;
    const char* error;
  } cases[] = {
      {"gateway:\n  stage: 'a b'\n",
       "stratus.yaml:2:10: 'stage' must be letters, digits, '-' and '_' (at most 128), got 'a b'"},
      {"gateway:\n  stag: x\n",
       "stratus.yaml:2:3: unknown key 'stag' in 'gateway' (did you mean 'stage'?)"},
      {"gateway:\n  cors:\n    max_age: 90000\n",
       "stratus.yaml:3:14: 'max_age' must be between 0 and 86400, got 90000"},
      {"gateway:\n  cors:\n    allow_methods: [FETCH]\n",
       "stratus.yaml:3:20: 'allow_methods' has an unknown method 'FETCH' (valid: GET POST PUT "
       "PATCH DELETE HEAD OPTIONS *)"},
      {"gateway:\n  cors:\n    max_age: 5\n",
       "stratus.yaml:2:3: 'cors' needs 'allow_origins' (or write 'cors: true')"},
      {"gateway:\n  cors:\n    allow_origins: '*'\n    allow_credentials: true\n",
       "stratus.yaml:2:3: 'cors' cannot allow credentials with allow_origins '*' (as AWS "
       "refuses)"},
  };
  for (const auto& c : cases) {
    auto parsed = ParseConfig(c.yaml, "stratus.yaml");
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().message() == c.error);
  }
}

TEST_CASE("REST CORS, binary media types, stage variables, timeout and authorizers are read") {
  auto parsed = ParseConfig(
      "gateway:\n"
      "  rest_cors: true\n"
      "  binary_media_types: [image/png, '*/*']\n"
      "  stage_variables: {table: orders, limit: 10}\n"
      "  timeout: 2s\n"
      "  authorizers:\n"
      "    tokens: {type: token, function: auth}\n"
      "    simple: {type: request, function: auth, simple_responses: true,\n"
      "             identity_source: [$request.header.X-Key], ttl: 60}\n"
      "    users: {type: jwt, issuer: https://issuer.example, audience: app, jwks: keys/jwks.json}\n"
      "functions:\n"
      "  auth: {runtime: python3.11, handler: a.h}\n"
      "  api:\n"
      "    runtime: python3.11\n"
      "    handler: a.h\n"
      "    events:\n"
      "      - http: {method: GET, path: /me, authorizer: users, scopes: [read]}\n"
      "      - rest: {method: GET, path: /r, authorizer: tokens}\n",
      "/project/stratus.yaml");
  REQUIRE_MESSAGE(parsed.ok(), parsed.status().message());
  const GatewayConfig& g = parsed->gateway;
  CHECK(g.rest_cors.has_value());
  CHECK_FALSE(g.cors.has_value());
  CHECK(g.binary_media_types == std::vector<std::string>{"image/png", "*/*"});
  CHECK(g.stage_variables == std::map<std::string, std::string>{{"limit", "10"}, {"table", "orders"}});
  CHECK(g.timeout == std::chrono::milliseconds(2000));
  REQUIRE(g.authorizers.size() == 3);
  const AuthorizerConfig& tokens = g.authorizers.at("tokens");
  CHECK(tokens.type == AuthorizerConfig::Type::kToken);
  CHECK(tokens.identity_source == std::vector<std::string>{"method.request.header.Authorization"});
  const AuthorizerConfig& simple = g.authorizers.at("simple");
  CHECK(simple.simple_responses);
  CHECK(simple.ttl == std::chrono::seconds(60));
  CHECK(simple.identity_source == std::vector<std::string>{"$request.header.X-Key"});
  const AuthorizerConfig& users = g.authorizers.at("users");
  CHECK(users.type == AuthorizerConfig::Type::kJwt);
  CHECK(users.jwks_file == "/project/keys/jwks.json");
  CHECK(users.audience == std::vector<std::string>{"app"});
  CHECK(users.identity_source == std::vector<std::string>{"$request.header.Authorization"});
  const auto& route = std::get<HttpEvent>(parsed->functions.at("api").events[0]);
  CHECK(route.authorizer == "users");
  CHECK(route.scopes == std::vector<std::string>{"read"});
}

TEST_CASE("authorizer errors are positioned") {
  const std::string fns =
      "functions:\n"
      "  auth: {runtime: python3.11, handler: a.h}\n"
      "  api:\n"
      "    runtime: python3.11\n"
      "    handler: a.h\n"
      "    events:\n";
  struct Case {
    std::string yaml;
    const char* error;
  } cases[] = {
      {"gateway:\n  authorizers:\n    a: {type: jwt, issuer: i}\n",
       "stratus.yaml:3:5: a jwt authorizer needs 'issuer', 'audience' and 'jwks'"},
      {"gateway:\n  authorizers:\n    a: {type: request}\n",
       "stratus.yaml:3:5: a request authorizer needs a 'function'"},
      {"gateway:\n  authorizers:\n    a: {type: token, function: auth, simple_responses: true}\n",
       "stratus.yaml:3:5: 'simple_responses' needs a request authorizer with payload_version 2.0"},
      {"gateway:\n  authorizers:\n    a: {function: auth, identity_source: Authorization}\n",
       "stratus.yaml:3:42: 'identity_source' 'Authorization' must be $request.header.NAME, "
       "$request.querystring.NAME, method.request.header.NAME or method.request.querystring.NAME"},
      {"gateway:\n  authorizers:\n    a: {function: nope}\n" + fns + "      - http: {path: /x}\n",
       "stratus.yaml:3:5: function 'nope' is not declared in 'functions' (declared: api, auth)"},
      {"gateway:\n  authorizers:\n    a: {function: auth}\n" + fns +
           "      - http: {path: /x, authorizer: b}\n",
       "stratus.yaml:10:9: authorizer 'b' is not declared in 'gateway.authorizers' (did you mean "
       "'a'?)"},
      {"gateway:\n  authorizers:\n    t: {type: token, function: auth}\n" + fns +
           "      - http: {path: /x, authorizer: t}\n",
       "stratus.yaml:10:9: authorizer 't' is a token authorizer; HTTP APIs take request and jwt "
       "authorizers"},
      {"gateway:\n  authorizers:\n    a: {function: auth}\n" + fns +
           "      - rest: {path: /x, authorizer: a, scopes: [s]}\n",
       "stratus.yaml:10:9: 'scopes' needs a jwt 'authorizer'"},
      {"gateway:\n  timeout: 31s\n",
       "stratus.yaml:2:12: 'timeout' must be between 50ms and 30s, got 31s"},
      {"gateway:\n  binary_media_types: [png]\n",
       "stratus.yaml:2:23: 'binary_media_types' entries are type/subtype (e.g. image/png, "
       "image/*, */*), got 'png'"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.yaml);
    auto parsed = ParseConfig(c.yaml, "stratus.yaml");
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().message() == c.error);
  }
}

}  // namespace
}  // namespace stratus::config
