// The CLI's other entry points: --version, --help on each command, validate, unknown input.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <filesystem>

#include "tests/support/stratus_process.h"

namespace stratus::testing {
namespace {

TEST_CASE("--version and --help") {
  auto version = RunStratus({"--version"});
  CHECK(version.exit_code == 0);
  CHECK(version.out == std::string("stratus ") + STRATUS_VERSION + "\n");

  auto help = RunStratus({"--help"});
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("start") != std::string::npos);
  CHECK(help.out.find("validate") != std::string::npos);

  for (const char* command : {"start", "validate"}) {
    CAPTURE(command);
    auto r = RunStratus({command, "--help"});
    CHECK(r.exit_code == 0);
    CHECK(r.out.find(std::string("usage: stratus ") + command) != std::string::npos);
    CHECK(r.out.find("--help") != std::string::npos);
  }
  auto start_help = RunStratus({"start", "--help"});
  for (const char* option : {"--host", "--port", "--gateway-port", "--data-dir", "--ephemeral",
                             "--ready-file", "--seed", "-c, --config"}) {
    CAPTURE(option);
    CHECK(start_help.out.find(option) != std::string::npos);
  }
}

TEST_CASE("an unknown command names the nearest one") {
  auto r = RunStratus({"strat"});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "stratus: error: unknown command 'strat' (did you mean 'start'?); "
                 "see 'stratus --help'\n");
  CHECK(RunStratus({}).exit_code == 2);
}

TEST_CASE("validate: valid, invalid with file:line:col, and --json") {
  TempDir dir;
  std::string good = dir.Write("good.yaml",
                               "functions:\n  api:\n    runtime: nodejs20.x\n    handler: src/api.handler\n"
                               "    events:\n      - http:\n          method: GET\n          path: /orders/{id}\n"
                               "queues:\n  jobs: {}\n");
  auto ok = RunStratus({"validate", "-c", good});
  CHECK(ok.exit_code == 0);
  CHECK(ok.out == good + ": valid (1 functions, 1 queues, 0 buckets, 0 tables)\n");

  auto json = RunStratus({"validate", "-c", good, "--json"});
  CHECK(json.exit_code == 0);
  auto parsed = nlohmann::json::parse(json.out);
  CHECK(parsed["valid"] == true);
  CHECK(parsed["functions"][0]["name"] == "api");
  CHECK(parsed["functions"][0]["events"] == 1);

  std::string bad = dir.Write("bad.yaml", "functions:\n  api:\n    runtime: python3.11\n"
                                          "    handler: a.b\n    memory: lots\n");
  auto invalid = RunStratus({"validate", "-c", bad});
  CHECK(invalid.exit_code == 1);
  CHECK(invalid.err.rfind(bad + ":5:13: ", 0) == 0);
  CHECK(invalid.err.find("'memory' must be an integer") != std::string::npos);

  std::string broken = dir.Write("broken.yaml", "functions:\n  api: [unclosed\n");
  auto syntax = RunStratus({"validate", "-c", broken});
  CHECK(syntax.exit_code == 1);
  CHECK(syntax.err.rfind(broken + ":", 0) == 0);

  auto invalid_json = RunStratus({"validate", "-c", bad, "--json"});
  CHECK(invalid_json.exit_code == 1);
  CHECK(nlohmann::json::parse(invalid_json.out)["valid"] == false);

  auto default_file = RunStratus({"validate"}, dir.path());
  CHECK(default_file.exit_code == 1);
  CHECK(default_file.err.find("cannot read stratus.yaml") != std::string::npos);
}

}  // namespace
}  // namespace stratus::testing

namespace stratus::testing {
namespace {

TEST_CASE("validate reports a function whose interpreter or bootstrap is missing") {
  TempDir dir;
  std::string missing = dir.Write("stratus.yaml",
                                  "functions:\n  native:\n    runtime: provided.al2023\n"
                                  "  py:\n    runtime: python3.11\n    handler: a.b\n"
                                  "runtimes:\n  python3.11: /nonexistent/python\n");
  auto r = RunStratus({"validate", "-c", missing});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find(missing + ":2:3: function 'native': no executable " + dir.path() +
                   "/bootstrap") != std::string::npos);
  dir.Write("bootstrap", "#!/bin/sh\n");
  std::filesystem::permissions(dir.path() + "/bootstrap", std::filesystem::perms::owner_all);
  auto py = RunStratus({"validate", "-c", missing});
  CHECK(py.exit_code == 1);
  CHECK(py.err.find(":4:3: function 'py': no interpreter for python3.11 (tried "
                    "/nonexistent/python") != std::string::npos);
}

}  // namespace
}  // namespace stratus::testing
