// `gateway:`: the REST API's stage and the HTTP API's CORS configuration.
#include <doctest/doctest.h>

#include <string>

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

}  // namespace
}  // namespace stratus::config
