// `stratus cost` as users run it: invocations recorded by `stratus invoke`, then priced.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>

#include "tests/support/stratus_process.h"

namespace stratus::testing {
namespace {

const char* kProject =
    "functions:\n"
    "  api:\n"
    "    runtime: python3.11\n"
    "    handler: app.handler\n"
    "    memory: 512\n";

const char* kApp =
    "import time\n"
    "def handler(event, context):\n"
    "    end = time.process_time() + 0.02\n"
    "    while time.process_time() < end:\n"
    "        pass\n"
    "    return 'ok'\n";

struct Project {
  TempDir dir;
  Project() {
    dir.Write("stratus.yaml", kProject);
    dir.Write("app.py", kApp);
  }
};

nlohmann::json Json(const CommandResult& r) {
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  REQUIRE_FALSE(j.is_discarded());
  return j;
}

TEST_CASE("cost prices the recorded invocations, projects them and models memory sizes") {
  Project p;
  for (int i = 0; i < 3; ++i) {
    auto r = RunStratus({"invoke", "api"}, p.dir.path());
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  }
  // The model (--rerun 0) keeps this check free of timing: the re-run has a test of its own.
  auto j = Json(RunStratus({"cost", "--json", "--memory", "128,512,1769", "--rerun", "0"},
                           p.dir.path()));
  CHECK(j["sheet"]["name"] == "aws-us-east-1");
  REQUIRE(j["functions"].size() == 1);
  auto fn = j["functions"][0];
  CHECK(fn["name"] == "api");
  CHECK(fn["requests"] == 3);
  CHECK(fn["memory_mb"] == 512);
  CHECK(fn["gb_seconds"].get<double>() > 0);
  CHECK(fn["cost"].get<double>() > 3 * 0.0000002);
  CHECK(fn["p95_ms"].get<double>() >= fn["p50_ms"].get<double>());
  REQUIRE(j["what_if"].size() == 1);
  auto w = j["what_if"][0];
  CHECK(w["method"] == "cpu model (events not re-run: --rerun 0)");
  CHECK(w["points"].size() == 3);
  CHECK(w["fastest_mb"] == 1769);
  CHECK(w["points"][0]["avg_ms"].get<double>() > w["points"][2]["avg_ms"].get<double>());
  CHECK(j["providers"].size() >= 3);
  CHECK(j["month"]["total"] == 0);  // three calls sit in the free tier

  auto scaled = Json(RunStratus({"cost", "--json", "--monthly-requests", "30000000",
                                 "--no-free-tier"}, p.dir.path()));
  CHECK(scaled["projection"]["monthly_requests"].get<double>() == doctest::Approx(3e7));
  CHECK(scaled["month"]["requests"].get<double>() == doctest::Approx(3e7 * 0.0000002));
  double compute = scaled["month"]["compute"].get<double>();
  CHECK(compute == doctest::Approx(fn["gb_seconds"].get<double>() * 1e7 * 0.0000166667));

  auto table = RunStratus({"cost", "--memory", "128,256"}, p.dir.path());
  CHECK(table.exit_code == 0);
  CHECK(table.out.find("api") != std::string::npos);
  CHECK(table.out.find("cheapest") != std::string::npos);
  CHECK(table.out.find("Break-even against EC2 t3.micro") != std::string::npos);

  std::string html = p.dir.path() + "/report.html";
  auto written = RunStratus({"cost", "--html", html, "--memory", "128,1024"}, p.dir.path());
  CHECK(written.exit_code == 0);
  std::ifstream in(html);
  std::string page((std::istreambuf_iterator<char>(in)), {});
  CHECK(page.find("<svg class=\"chart cost-vs-memory\"") != std::string::npos);
  CHECK(page.find("<svg class=\"chart duration-vs-memory\"") != std::string::npos);
  CHECK(page.find("<script") == std::string::npos);
}

// Each call appends "MEMORY_SIZE N" to a file, so the test sees which events ran at which size.
const char* kRecordingApp =
    "import os\n"
    "def handler(event, context):\n"
    "    with open(os.environ['CALLS'], 'a') as f:\n"
    "        f.write(os.environ['AWS_LAMBDA_FUNCTION_MEMORY_SIZE'] + ' ' + str(event['n']) + '\\n')\n"
    "    return 'ok'\n";

struct RecordingProject {
  TempDir dir;
  std::string calls = dir.path() + "/calls.txt";
  RecordingProject() {
    dir.Write("stratus.yaml", std::string(kProject) + "    environment: {CALLS: " + calls + "}\n");
    dir.Write("app.py", kRecordingApp);
    for (int n = 1; n <= 3; ++n) {
      auto r = RunStratus({"invoke", "api", "--event", "-"}, dir.path(),
                          "{\"n\":" + std::to_string(n) + "}");
      REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    }
  }
  std::string Calls() const {
    std::ifstream in(calls);
    return std::string((std::istreambuf_iterator<char>(in)), {});
  }
};

TEST_CASE("cost --memory re-runs the newest stored events at each size under its CPU cap") {
  RecordingProject p;
  REQUIRE(p.Calls() == "512 1\n512 2\n512 3\n");
  auto j = Json(RunStratus({"cost", "--json", "--memory", "128,256", "--rerun", "2"},
                           p.dir.path()));
  auto w = j["what_if"].at(0);
  std::string recorded_cap = j["functions"].at(0)["cpu_limit"];
  if (recorded_cap.find(" vCPU (") == std::string::npos) {
    // This machine cannot cap CPU: the what-if must say so and model instead.
    CHECK(w["method"].get<std::string>().find("cpu model (events not re-run: function CPU "
                                              "not capped") == 0);
    CHECK(p.Calls() == "512 1\n512 2\n512 3\n");
    return;
  }
  // The newest two events, after a warm-up with the first of them, at each size in turn.
  CHECK(p.Calls() == "512 1\n512 2\n512 3\n"
                     "128 2\n128 2\n128 3\n"
                     "256 2\n256 2\n256 3\n");
  std::string method = w["method"];
  CHECK_MESSAGE(method.find("re-run: 2 stored events at each size, CPU capped by cgroup") == 0,
                method);
  CHECK(method.find("0.072 vCPU at 128 MB, 0.145 vCPU at 256 MB") != std::string::npos);
  for (const auto& point : w["points"]) {
    CHECK(point["calls"] == 2);
    CHECK(point["samples"] == 2);
    CHECK(point["errors"] == 0);
    CHECK(point["avg_ms"].get<double>() > 0);
  }
  // The project's own data is untouched: the re-runs ran in throwaway emulators.
  auto again = Json(RunStratus({"cost", "--json"}, p.dir.path()));
  CHECK(again["functions"].at(0)["requests"] == 3);
}

TEST_CASE("cost --memory models instead of re-running where CPU cannot be capped") {
  RecordingProject p;
  ::setenv("STRATUS_CPU_LIMITS", "off", 1);
  auto r = RunStratus({"cost", "--json", "--memory", "128,256"}, p.dir.path());
  ::unsetenv("STRATUS_CPU_LIMITS");
  auto w = Json(r)["what_if"].at(0);
  CHECK(w["method"] == "cpu model (events not re-run: function CPU not capped: "
                       "STRATUS_CPU_LIMITS=off)");
  CHECK(w["points"][0]["calls"] == 0);
  CHECK(p.Calls() == "512 1\n512 2\n512 3\n");
}

TEST_CASE("cost: bad usage and missing data get one clear line") {
  Project p;
  struct Case {
    std::vector<std::string> args;
    int exit_code;
    std::string error;
  } cases[] = {
      {{"cost", "--memory", "64"}, 2, "--memory takes sizes in MB from 128 to 10240"},
      {{"cost", "--memory", "128,abc"}, 2, "got 'abc'"},
      {{"cost", "--scale", "x0"}, 2, "--scale must be a positive number, got '0'"},
      {{"cost", "--scale", "2", "--monthly-requests", "5"}, 2, "alternatives"},
      {{"cost", "--json", "--html", "x.html"}, 2, "alternatives"},
      {{"cost", "--rerun", "3"}, 2, "--rerun goes with --memory"},
      {{"cost", "--memory", "128", "--rerun", "101"}, 2, "--rerun takes 0 to 100 events"},
      {{"cost"}, 1, "no stratus data in"},
      {{"cost", "--data-dir", "/nonexistent"}, 1, "no stratus data in /nonexistent"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.args.back());
    auto r = RunStratus(c.args, p.dir.path());
    CHECK(r.exit_code == c.exit_code);
    CHECK(r.err.find(c.error) != std::string::npos);
    CHECK(r.err.rfind("stratus: error: ", 0) == 0);
  }
  REQUIRE(RunStratus({"invoke", "api"}, p.dir.path()).exit_code == 0);
  auto unknown = RunStratus({"cost", "--pricing", "aws-mars-1"}, p.dir.path());
  CHECK(unknown.exit_code == 1);
  CHECK(unknown.err.find("no price sheet 'aws-mars-1'") != std::string::npos);
  p.dir.Write("bad.yaml", "name: x\nprovider: aws\nfunctions: {source: nope}\n");
  auto bad = RunStratus({"cost", "--pricing", "bad.yaml"}, p.dir.path());
  CHECK(bad.exit_code == 2);  // bad input
  CHECK(bad.err.find("bad.yaml:3:21: 'source' must be the URL") != std::string::npos);
}

}  // namespace
}  // namespace stratus::testing
