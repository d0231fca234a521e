// `stratus start` as users run it: the real binary, real sockets, real signals.
#include <signal.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "tests/support/raw_client.h"
#include "tests/support/stratus_process.h"

namespace stratus::testing {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kEphemeralPorts = {"--port", "0", "--gateway-port", "0"};

std::vector<std::string> StartArgs(const std::string& config, std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"start", "-c", config};
  args.insert(args.end(), kEphemeralPorts.begin(), kEphemeralPorts.end());
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

TEST_CASE("start prints the ready line, serves health, and SIGTERM exits 0") {
  TempDir dir;
  std::string config = dir.Write("stratus.yaml", "functions: {}\n");
  std::string ready_file = dir.path() + "/ready.json";
  StratusProcess p(StartArgs(config, {"--ephemeral", "--ready-file", ready_file}));
  auto line = p.WaitReady();
  REQUIRE(line);
  auto ready = nlohmann::json::parse(*line);
  CHECK(ready["event"] == "ready");
  CHECK(ready["service_port"].get<int>() > 0);
  CHECK(ready["gateway_port"].get<int>() > 0);
  CHECK(ready["service_port"] != ready["gateway_port"]);
  CHECK(fs::is_directory(p.data_dir()));
  std::string file_line;
  std::getline(std::ifstream(ready_file), file_line);
  CHECK(file_line == *line);

  auto health = RoundTrip(p.service_port(), "GET /_stratus/health HTTP/1.1\r\nHost: x\r\n\r\n");
  REQUIRE(health);
  CHECK(health->status == 200);
  CHECK(health->Header("content-type") == "application/json");
  auto body = nlohmann::json::parse(health->body);
  CHECK(body["status"] == "ok");
  CHECK(body["version"] == STRATUS_VERSION);

  auto gateway = RoundTrip(p.gateway_port(), "GET /anything HTTP/1.1\r\nHost: x\r\n\r\n");
  REQUIRE(gateway);
  CHECK(gateway->status == 404);
  CHECK(gateway->body == R"({"message":"Not Found"})");

  p.Signal(SIGTERM);
  CHECK(p.Wait() == 0);
  CHECK_FALSE(fs::exists(p.data_dir()));  // --ephemeral: removed at exit
}

TEST_CASE("SIGINT lets a request in flight finish before exiting 0") {
  TempDir dir;
  std::string config = dir.Write("stratus.yaml", "");
  StratusProcess p(StartArgs(config, {"--ephemeral"}));
  REQUIRE(p.WaitReady());
  RawClient in_flight(p.service_port());
  in_flight.Send("GET /_stratus/health HTTP/1.1\r\nHost: x\r\n");  // half a request
  RawClient idle(p.service_port());
  idle.Send("GET /_stratus/health HTTP/1.1\r\nHost: x\r\n\r\n");
  REQUIRE(idle.Read());
  // Be sure the server has read the half request before the signal arrives.
  RawClient probe(p.service_port());
  probe.Send("GET /_stratus/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  REQUIRE(probe.Read());

  p.Signal(SIGINT);
  CHECK(idle.WaitClosed());  // idle keep-alive connections are closed at once
  in_flight.Send("\r\n");    // the rest of the request
  auto r = in_flight.Read();
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->Header("connection") == "close");
  CHECK(p.Wait() == 0);
}

TEST_CASE("the data directory defaults to .stratus beside the project file") {
  TempDir dir;
  std::string config = dir.Write("proj/stratus.yaml", "durability: full\n");
  StratusProcess p(StartArgs(config));
  REQUIRE(p.WaitReady());
  CHECK(fs::equivalent(p.data_dir(), dir.path() + "/proj/.stratus"));
  CHECK(fs::exists(dir.path() + "/proj/.stratus/stratus.db"));
  p.Signal(SIGTERM);
  CHECK(p.Wait() == 0);
  CHECK(fs::exists(dir.path() + "/proj/.stratus/stratus.db"));  // kept: not ephemeral
}

TEST_CASE("a port in use is a clear error, not a crash") {
  TempDir dir;
  std::string config = dir.Write("stratus.yaml", "");
  StratusProcess first(StartArgs(config, {"--ephemeral"}));
  REQUIRE(first.WaitReady());
  auto second = RunStratus({"start", "-c", config, "--ephemeral", "--gateway-port", "0", "--port",
                            std::to_string(first.service_port())});
  CHECK(second.exit_code == 1);
  CHECK(second.err.find("service port: cannot listen on 127.0.0.1:" +
                        std::to_string(first.service_port())) != std::string::npos);
  CHECK(second.err.find("address already in use") != std::string::npos);
  first.Signal(SIGTERM);
  CHECK(first.Wait() == 0);
}

TEST_CASE("bad input to start: a clear one-line error and exit status 2") {
  TempDir dir;
  std::string bad = dir.Write("bad.yaml", "functions:\n  api:\n    runtime: python3.11\n"
                                          "    handler: a.b\n    memroy: 256\n");
  struct Case {
    std::vector<std::string> args;
    std::string expect;
  } cases[] = {
      {{"start", "-c", bad, "--ephemeral"},
       bad + ":5:5: unknown key 'memroy' in function 'api' (did you mean 'memory'?)"},
      {{"start", "-c", dir.path() + "/missing.yaml"}, "cannot read " + dir.path() + "/missing.yaml"},
      {{"start", "--prot", "1"}, "unknown option '--prot' (did you mean '--port'?)"},
      {{"start", "--port", "70000"}, "--port must be a whole number from 0 to 65535"},
      {{"start", "--port"}, "--port needs a value"},
      {{"start", "--ephemeral", "--data-dir", "/tmp/x"}, "exclude each other"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.expect);
    auto r = RunStratus(c.args, dir.path());
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(c.expect) != std::string::npos);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);  // one line
  }
  auto none = RunStratus({"start"}, dir.path());  // no stratus.yaml in the cwd
  CHECK(none.exit_code == 2);
  CHECK(none.err.find("no stratus.yaml in") != std::string::npos);
}

}  // namespace
}  // namespace stratus::testing
