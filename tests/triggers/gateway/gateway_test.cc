// The gateway module's lifecycle: route collection, start-up errors, and `stratus start`
// printing the route table and serving the routes with the real binary.
#include "triggers/gateway/gateway.h"

#include <signal.h>

#include <doctest/doctest.h>

#include "tests/triggers/gateway/fixture.h"

namespace stratus::gwtest {
namespace {

using triggers::gateway::Api;
using triggers::gateway::CollectRoutes;

TEST_CASE("routes are collected from http: and rest: events with their positions") {
  auto project = config::ParseConfig(
      "functions:\n  a:\n    runtime: python3.11\n    handler: echo.handler\n"
      "    events:\n      - http: {method: GET, path: /x}\n      - http: $default\n"
      "      - rest: {path: '/r/{id}'}\n",
      "p.yaml");
  REQUIRE(project.ok());
  auto routes = CollectRoutes(project.value());
  REQUIRE(routes.size() == 3);
  CHECK(routes[0].api == Api::kHttp);
  CHECK(routes[0].route_key() == "GET /x");
  CHECK(routes[0].position.line == 6);
  CHECK(routes[1].route_key() == "$default");
  CHECK(routes[2].api == Api::kRest);
  CHECK(routes[2].route_key() == "ANY /r/{id}");
  CHECK(routes[2].router_method() == "*");
}

Status StartWith(const std::string& yaml) {
  testing::LoopThread lt;
  testing::TempDir dir;
  auto project = config::ParseConfig(yaml, dir.path() + "/stratus.yaml");
  REQUIRE(project.ok());
  EmulatorOptions options;
  options.project = project.value();
  options.service_port = 0;
  options.gateway_port = 0;
  options.ephemeral = true;
  options.log_fd = -1;
  auto emulator = std::make_unique<Emulator>(lt.loop(), std::move(options));
  emulator->AddModule(std::make_unique<GatewayTrigger>());
  Status started = lt.Run([&] { return emulator->Start(); });
  testing::StopAndDestroy(lt, emulator);
  return started;
}

TEST_CASE("the same route twice is a positioned start-up error") {
  const char* head = "functions:\n  a:\n    runtime: python3.11\n    handler: echo.handler\n"
                     "    events:\n";
  Status s = StartWith(std::string(head) + "      - http: {method: GET, path: /x}\n" +
                       "      - rest: {method: GET, path: /x}\n");
  CHECK(s.code() == Status::Code::kInvalidArgument);
  CHECK_MESSAGE(s.message().find("stratus.yaml:7:") != std::string::npos, s.message());
  CHECK(s.message().find("declared twice") != std::string::npos);

  s = StartWith(std::string(head) + "      - http: $default\n      - http: $default\n");
  CHECK(s.code() == Status::Code::kInvalidArgument);
  CHECK(s.message().find("$default") != std::string::npos);

  CHECK(StartWith(std::string(head) + "      - http: {method: GET, path: /x}\n" +
                  "      - http: {method: POST, path: /x}\n").ok());
}

TEST_CASE("stratus start prints the route table and serves the routes") {
  testing::TempDir dir;
  for (const auto& [name, content] : Handlers()) dir.Write(name, content);
  std::string config = dir.Write(
      "stratus.yaml",
      "functions:\n  echo:\n    runtime: python3.11\n    handler: echo.handler\n"
      "    events:\n      - http: {method: GET, path: '/items/{id}'}\n"
      "      - rest: {method: POST, path: /orders}\n");
  testing::StratusProcess p({"start", "-c", config, "--port", "0", "--gateway-port", "0",
                             "--ephemeral"});
  REQUIRE(p.WaitReady());
  auto r = testing::RoundTrip(p.gateway_port(), "GET /items/7 HTTP/1.1\r\nHost: x\r\n\r\n");
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(json::parse(r->body)["pathParameters"]["id"] == "7");
  p.Signal(SIGTERM);
  CHECK(p.Wait() == 0);
  CHECK_MESSAGE(p.err().find("http GET /items/{id} -> echo") != std::string::npos, p.err());
  CHECK(p.err().find("rest POST /orders -> echo") != std::string::npos);
}

}  // namespace
}  // namespace stratus::gwtest
