// Scaling when every instance is busy: lean (the default) queues a request for a busy instance
// unless the expected wait exceeds the function's init duration, with a timer so that no
// request waits longer than an init; eager starts an instance per concurrent request, as
// Lambda does. Concurrency limits throttle the same requests under both.
#include <algorithm>

#include "tests/emulator/functions/fixture.h"

namespace stratus::fntest {
namespace {

const RuntimeCase kPython = AllRuntimes()[0];

std::string PythonFn(const std::string& name, const std::string& extra = "") {
  return FunctionYaml({"python", kPython.runtime, "handler.handler", "", "", "", ""}, name, extra);
}

constexpr const char* kEcho = R"({"action":"echo"})";

// Waits for every future; returns the highest instance count seen meanwhile.
size_t AwaitAll(Fixture& f, const std::string& name,
                const std::vector<std::shared_future<InvokeResult>>& futures) {
  size_t most = 0;
  auto all_done = [&] {
    most = std::max(most, f.InstanceCount(name));
    for (const auto& future : futures) {
      if (future.wait_for(std::chrono::seconds(0)) != std::future_status::ready) return false;
    }
    return true;
  };
  REQUIRE(WaitUntil(all_done, std::chrono::seconds(60)));
  return most;
}

size_t WaitingCount(Fixture& f, const std::string& name) {
  return f.OnLoop([&] { return f.emulator().invoker().pool(name)->waiting_count(); });
}

TEST_CASE("lean: concurrent calls of a fast function share warm instances, and all complete") {
  Fixture f("functions:\n" + PythonFn("fast"), RuntimeFiles(), RuntimeOptions(ClockKind::kVirtual));
  REQUIRE(f.Invoke("fast", kEcho).status.ok());  // measures init and duration
  REQUIRE(f.Invoke("fast", kEcho).status.ok());
  constexpr int kCalls = 12;
  auto futures = f.StartMany("fast", kEcho, kCalls);
  size_t most = AwaitAll(f, "fast", futures);
  for (const auto& future : futures) {
    InvokeResult r = future.get();
    REQUIRE(r.status.ok());
    CHECK_FALSE(r.function_error);
    CHECK(ParseJson(r.payload)["echo"]["action"] == "echo");
  }
  CHECK(most < kCalls);
  CHECK(f.InstanceCount("fast") < kCalls);
  CHECK(WaitingCount(f, "fast") == 0);
}

TEST_CASE("lean: a slow function (duration far above its init) scales out at once") {
  Fixture f("functions:\n" + PythonFn("slow", "    timeout: 30\n"), RuntimeFiles(),
            RuntimeOptions(ClockKind::kVirtual));
  const std::string sleep = R"({"action":"sleep","seconds":2})";
  REQUIRE(f.Invoke("slow", sleep).status.ok());  // init and a 2 s duration measured
  auto futures = f.StartMany("slow", sleep, 3);
  // The idle instance takes one; each of the others expects a wait of seconds, more than an
  // init: both start instances in the same turn.
  CHECK(f.InstanceCount("slow") == 3);
  CHECK(WaitingCount(f, "slow") == 0);
  AwaitAll(f, "slow", futures);
  int cold = 0;
  for (const auto& future : futures) {
    InvokeResult r = future.get();
    REQUIRE(r.status.ok());
    CHECK_FALSE(r.function_error);
    cold += r.cold ? 1 : 0;
  }
  CHECK(cold == 2);
}

TEST_CASE("lean: a request waiting for a hung instance starts its own after an init duration") {
  Fixture f("functions:\n" + PythonFn("fn", "    timeout: 120\n"), RuntimeFiles(),
            RuntimeOptions(ClockKind::kVirtual));
  REQUIRE(f.Invoke("fn", kEcho).status.ok());
  REQUIRE(f.Invoke("fn", kEcho).status.ok());  // fast calls: waiting looks cheap
  auto hung = f.Start("fn", R"({"action":"sleep","seconds":100})");
  auto next = f.Start("fn", kEcho);
  // The timer runs on the virtual clock: advancing it past any init duration fires it even
  // if real time has not got there yet.
  f.Advance(std::chrono::seconds(5));
  REQUIRE(next.wait_for(std::chrono::seconds(60)) == std::future_status::ready);
  InvokeResult r = next.get();
  REQUIRE(r.status.ok());
  CHECK(r.cold);  // served by a new instance, not the hung one
  CHECK(hung.wait_for(std::chrono::seconds(0)) != std::future_status::ready);
  CHECK(f.InstanceCount("fn") == 2);
}

TEST_CASE("eager: every concurrent request finding no idle instance starts one") {
  Fixture f("scaling: eager\nfunctions:\n" + PythonFn("fast"), RuntimeFiles(),
            RuntimeOptions(ClockKind::kVirtual));
  REQUIRE(f.Invoke("fast", kEcho).status.ok());
  constexpr int kCalls = 6;
  auto futures = f.StartMany("fast", kEcho, kCalls);
  CHECK(f.InstanceCount("fast") == kCalls);  // the idle one and five new, in one turn
  CHECK(WaitingCount(f, "fast") == 0);
  AwaitAll(f, "fast", futures);
  for (const auto& future : futures) CHECK(future.get().status.ok());
}

TEST_CASE("lean: waiting requests count against the concurrency limit; the rest get 429") {
  Fixture f("functions:\n" + PythonFn("fn", "    concurrency: 2\n"), RuntimeFiles(),
            RuntimeOptions(ClockKind::kVirtual));
  REQUIRE(f.Invoke("fn", kEcho).status.ok());
  auto futures = f.StartMany("fn", R"({"action":"sleep","seconds":0.2})", 5);
  AwaitAll(f, "fn", futures);
  Outcomes outcomes = CountOutcomes(futures);
  CHECK(outcomes.ok == 2);
  CHECK(outcomes.throttled == 3);
  CHECK(f.InstanceCount("fn") <= 2);
}

}  // namespace
}  // namespace stratus::fntest
