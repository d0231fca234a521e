// Instance lifecycle through the pools: the concurrency limit (sync calls throttled, async
// ones queued), keep-alive reaping and provisioned instances, under the virtual clock.
#include <algorithm>
#include <set>

#include "tests/emulator/functions/fixture.h"

namespace stratus::fntest {
namespace {

const RuntimeCase kPython = AllRuntimes()[0];

std::string PythonFn(const std::string& name, const std::string& handler,
                     const std::string& extra) {
  return FunctionYaml({"python", kPython.runtime, handler, "", "", "", ""}, name, extra);
}

TEST_CASE("20 parallel sync calls against concurrency 4: at most 4 processes, the rest throttled") {
  Fixture f("functions:\n" + PythonFn("slow", "handler.handler", "    concurrency: 4\n"),
            RuntimeFiles());
  auto futures = f.StartMany("slow", R"({"action":"sleep","seconds":0.3})", 20);
  size_t most_pids = 0;
  int most_processes = 0;
  auto all_done = [&] {
    most_pids = std::max(most_pids, f.Pids("slow").size());
    most_processes = std::max(most_processes, CountFunctionProcesses("slow", f.dir()));
    for (auto& future : futures) {
      if (future.wait_for(std::chrono::seconds(0)) != std::future_status::ready) return false;
    }
    return true;
  };
  REQUIRE(WaitUntil(all_done, std::chrono::seconds(60)));
  Outcomes outcomes = CountOutcomes(futures);
  CHECK(outcomes.ok == 4);  // all were asked in one loop turn, so none had finished
  CHECK(outcomes.throttled == 16);
  CHECK(most_pids <= 4);
  CHECK(most_processes <= 4);
  CHECK(f.Pids("slow").size() <= 4);
}

TEST_CASE("async Event calls against concurrency 1 are queued, and all of them run") {
  Fixture f("functions:\n" + PythonFn("rec", "handler.record", "    concurrency: 1\n"),
            RuntimeFiles());
  std::vector<std::shared_future<InvokeResult>> accepted;
  for (int i = 0; i < 5; ++i) {
    accepted.push_back(f.Start("rec", "{\"n\":" + std::to_string(i) + "}", InvocationType::kEvent));
  }
  for (auto& a : accepted) {
    REQUIRE(a.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
    CHECK(a.get().status.ok());  // accepted at once, as Lambda's 202
  }
  size_t most = 0;
  REQUIRE(WaitUntil([&] {
    most = std::max(most, f.Pids("rec").size());
    return ReadLines(f.dir() + "/received.log").size() == 5;
  }));
  CHECK(most <= 1);
  std::set<int> seen;
  for (const auto& line : ReadLines(f.dir() + "/received.log")) {
    seen.insert(ParseJson(line)["n"].get<int>());
  }
  CHECK(seen == std::set<int>{0, 1, 2, 3, 4});
  // None was throttled: every record is a success.
  std::vector<std::vector<std::string>> rows;
  REQUIRE(WaitUntil([&] {
    rows = f.Query("SELECT outcome, type FROM invocations WHERE function = 'rec'");
    return rows.size() == 5;
  }));
  for (const auto& row : rows) {
    CHECK(row[0] == "success");
    CHECK(row[1] == "Event");
  }
}

TEST_CASE("an idle instance is reaped after its keep-alive (virtual clock); the next call is cold") {
  Fixture f("functions:\n" + PythonFn("fn", "handler.handler", "    keep_alive: 1m\n"),
            RuntimeFiles(), RuntimeOptions(ClockKind::kVirtual));
  auto first = f.Invoke("fn", R"({"action":"pid"})");
  REQUIRE(first.status.ok());
  CHECK(first.cold);
  pid_t pid = ParseJson(first.payload)["pid"].get<int>();
  auto warm = f.Invoke("fn", R"({"action":"pid"})");
  CHECK_FALSE(warm.cold);
  CHECK(ParseJson(warm.payload)["pid"].get<int>() == pid);

  f.Advance(std::chrono::seconds(30));  // not yet
  CHECK(f.InstanceCount("fn") == 1);
  CHECK(ProcessAlive(pid));
  f.Advance(std::chrono::seconds(31));
  CHECK(WaitUntil([&] { return f.InstanceCount("fn") == 0 && !ProcessAlive(pid); }));

  auto again = f.Invoke("fn", R"({"action":"pid"})");
  REQUIRE(again.status.ok());
  CHECK(again.cold);
  CHECK(ParseJson(again.payload)["pid"].get<int>() != pid);
}

TEST_CASE("provisioned instances are warm at start, serve the first call warm, and are never reaped") {
  Fixture f("functions:\n" + PythonFn("fn", "handler.handler",
                                      "    provisioned: 2\n    keep_alive: 1m\n"),
            RuntimeFiles(), RuntimeOptions(ClockKind::kVirtual));
  REQUIRE(WaitUntil([&] { return f.IdleCount("fn") == 2; }));
  auto pids = f.Pids("fn");
  REQUIRE(pids.size() == 2);
  for (pid_t pid : pids) {
    CHECK(ProcessEnv(pid)["AWS_LAMBDA_INITIALIZATION_TYPE"] == "provisioned-concurrency");
  }
  auto first = f.Invoke("fn", R"({"action":"pid"})");
  REQUIRE(first.status.ok());
  CHECK_FALSE(first.cold);
  CHECK(first.init_ms == 0);
  f.Advance(std::chrono::hours(1));
  CHECK(f.InstanceCount("fn") == 2);
  auto later = f.Pids("fn");
  std::sort(pids.begin(), pids.end());
  std::sort(later.begin(), later.end());
  CHECK(later == pids);
  for (pid_t pid : pids) CHECK(ProcessAlive(pid));
}

}  // namespace
}  // namespace stratus::fntest
