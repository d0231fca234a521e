// Misbehaving functions never take stratus down, and the caller gets the error Lambda gives:
// timeouts (the whole process group killed), crashes, exits, oversized responses, floods.
#include <regex>

#include "tests/emulator/functions/fixture.h"

namespace stratus::fntest {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

void CheckTimeout(Fixture& f, const RuntimeCase& rc) {
  std::string cwd = f.dir() + (rc.code.empty() ? "" : "/" + rc.code);
  auto result = f.Invoke("fn", R"({"action":"timeout"})");
  REQUIRE(result.status.ok());
  CHECK(result.function_error);
  CHECK(result.error_type == "Sandbox.Timedout");
  json body = ParseJson(result.payload);
  CHECK(body["errorType"] == "Sandbox.Timedout");
  CHECK(body["errorMessage"].get<std::string>().find("Task timed out after 1.00 seconds") !=
        std::string::npos);
  // The function's child (same process group) is killed with it.
  pid_t child = std::atoi(ReadFile(cwd + "/child.pid").c_str());
  REQUIRE(child > 0);
  CHECK(WaitUntil([&] { return !ProcessAlive(child); }));
  std::filesystem::remove(cwd + "/child.pid");
}

void CheckCrashes(Fixture& f, const RuntimeCase& rc) {
  auto first = f.Invoke("fn", R"({"action":"pid"})");
  REQUIRE_FALSE(first.function_error);
  pid_t old_pid = ParseJson(first.payload)["pid"].get<int>();

  auto segv = f.Invoke("fn", R"({"action":"segv"})");
  REQUIRE(segv.status.ok());
  CHECK(segv.function_error);
  CHECK(segv.error_type == "Runtime.ExitError");
  CHECK(ParseJson(segv.payload)["errorMessage"].get<std::string>().find(
            "signal: segmentation fault") != std::string::npos);
  CHECK(WaitUntil([&] { return !ProcessAlive(old_pid); }));

  auto exit3 = f.Invoke("fn", R"({"action":"exit3"})");
  REQUIRE(exit3.status.ok());
  CHECK(exit3.error_type == "Runtime.ExitError");
  CHECK(ParseJson(exit3.payload)["errorMessage"].get<std::string>().find("exit status 3") !=
        std::string::npos);

  // The next call works, on a fresh instance.
  auto next = f.Invoke("fn", R"({"action":"pid"})");
  REQUIRE(next.status.ok());
  CHECK_FALSE(next.function_error);
  CHECK(next.cold);
  CHECK(ParseJson(next.payload)["pid"].get<int>() != old_pid);
  (void)rc;
}

void CheckTooLarge(Fixture& f) {
  auto big = f.Invoke("fn", R"({"action":"big"})");
  REQUIRE(big.status.ok());
  CHECK(big.function_error);
  CHECK(big.error_type == "Function.ResponseSizeTooLarge");
  CHECK(ParseJson(big.payload)["errorType"] == "Function.ResponseSizeTooLarge");
  auto after = f.Invoke("fn", R"({"action":"echo","still":"alive"})");
  REQUIRE(after.status.ok());
  CHECK_FALSE(after.function_error);
  CHECK(ParseJson(after.payload)["echo"]["still"] == "alive");
}

TEST_CASE("timeouts, crashes, exits and oversized responses, in every runtime") {
  for (const RuntimeCase& rc : AllRuntimes()) {
    CAPTURE(rc.label);
    // A full vCPU (1,769 MB): at the 128 MB default the 6 MB answer is built at 0.072 vCPU,
    // close to the 1 s timeout, and the check would measure the CPU share instead.
    Fixture f("functions:\n" + FunctionYaml(rc, "fn", "    timeout: 1\n    memory: 1769\n"),
              RuntimeFiles(), RuntimeOptions());
    CheckTimeout(f, rc);
    CheckCrashes(f, rc);
    CheckTooLarge(f);
  }
}

TEST_CASE("a flood of output completes, keeps stratus's memory modest, and is capped in the logs") {
  RuntimeCase py = AllRuntimes()[0];
  Fixture f("functions:\n" + FunctionYaml(py, "fn", "    timeout: 30\n"), RuntimeFiles());
  f.Invoke("fn", R"({"action":"echo"})");  // warm, so the baseline includes the instance
  long before_kb = SelfRssKb();
  auto result = f.Invoke("fn", R"({"action":"flood"})");
  long after_kb = SelfRssKb();
  REQUIRE(result.status.ok());
  CHECK_FALSE(result.function_error);
  CHECK(ParseJson(result.payload)["flooded"] == true);
  CHECK(after_kb - before_kb < 100 * 1024);  // memory, not time: ~30 MB went through
  std::string id = result.request_id;
  // The stored lines stop at the budget, followed by the line saying what was dropped.
  std::vector<std::vector<std::string>> dropped;
  REQUIRE(WaitUntil([&] {
    dropped = f.Query("SELECT line FROM logs WHERE request_id = '" + id +
                      "' AND line LIKE '%bytes of output dropped%'");
    return !dropped.empty();
  }));
  CHECK(std::regex_search(dropped[0][0], std::regex(R"(\[stratus\] \d+ bytes of output dropped)")));
  auto stored = f.Query("SELECT SUM(LENGTH(line)) FROM logs WHERE request_id = '" + id +
                        "' AND stream = 'stdout'");
  REQUIRE(stored.size() == 1);
  CHECK(std::atol(stored[0][0].c_str()) <= 1024 * 1024 + 4096);
  CHECK(std::atol(stored[0][0].c_str()) > 512 * 1024);
  // And stratus still answers.
  auto after = f.Invoke("fn", R"({"action":"echo"})");
  CHECK_FALSE(after.function_error);
}

}  // namespace
}  // namespace stratus::fntest
