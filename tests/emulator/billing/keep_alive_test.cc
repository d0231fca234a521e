// Keep-alive policies: the hybrid histogram's windows from known inter-arrival patterns, and
// the cold-start counts both policies give real instances on a synthetic arrival pattern
// (virtual clock: time jumps, processes are real).
#include <doctest/doctest.h>

#include "emulator/billing/keep_alive.h"
#include "tests/emulator/functions/fixture.h"

namespace stratus::billing {
namespace {

using namespace std::chrono_literals;
using Minutes = std::chrono::duration<double, std::ratio<60>>;

double InMinutes(Clock::Duration d) { return Minutes(d).count(); }

TEST_CASE("hybrid: too few samples or a flat histogram keep the whole 4-hour range warm") {
  HybridHistogramKeepAlive policy;
  Clock::TimePoint t{};
  KeepAliveWindow unknown = policy.AfterIdle("fn", 10min);
  CHECK(unknown.prewarm == Clock::Duration::zero());
  CHECK(InMinutes(unknown.keep_alive) == doctest::Approx(240));
  for (int i = 0; i < 4; ++i) policy.OnInvocation("fn", t += 20min);  // 3 gaps: too few
  CHECK(policy.AfterIdle("fn", 10min).prewarm == Clock::Duration::zero());
  // Gaps spread evenly over the range: CV of the bins is low, not representative.
  HybridHistogramKeepAlive flat;
  t = {};
  for (int minute = 0; minute < 240; ++minute) flat.OnInvocation("fn", t += std::chrono::minutes(minute));
  KeepAliveWindow w = flat.AfterIdle("fn", 10min);
  CHECK(w.prewarm == Clock::Duration::zero());
  CHECK(InMinutes(w.keep_alive) == doctest::Approx(240));
}

TEST_CASE("hybrid: a regular 20-minute pattern pre-warms at 18 minutes and keeps 5.1 warm") {
  HybridHistogramKeepAlive policy;
  Clock::TimePoint t{};
  for (int i = 0; i < 12; ++i) policy.OnInvocation("fn", t += 20min);
  KeepAliveWindow w = policy.AfterIdle("fn", 10min);
  // Head: bin 20 (5th percentile) less 10 %; tail: the end of bin 20 (99th) plus 10 %.
  CHECK(InMinutes(w.prewarm) == doctest::Approx(18));
  CHECK(InMinutes(w.keep_alive) == doctest::Approx(21 * 1.1 - 18));
  // Another function has its own histogram.
  CHECK(policy.AfterIdle("other", 10min).prewarm == Clock::Duration::zero());
}

TEST_CASE("hybrid: mostly out-of-range gaps fall back to the conservative window") {
  HybridHistogramKeepAlive policy;
  Clock::TimePoint t{};
  for (int i = 0; i < 6; ++i) policy.OnInvocation("fn", t += 1min);
  for (int i = 0; i < 7; ++i) policy.OnInvocation("fn", t += 5h);
  CHECK(policy.AfterIdle("fn", 10min).prewarm == Clock::Duration::zero());
}

TEST_CASE("fixed: the function's own keep-alive") {
  FixedKeepAlive policy;
  KeepAliveWindow w = policy.AfterIdle("fn", 10min);
  CHECK(w.prewarm == Clock::Duration::zero());
  CHECK(w.keep_alive == 10min);
}

// Runs invocations `gaps` apart (virtual time) and counts the cold ones. The last minutes
// before each arrival pass in 5-second steps, each waiting for instances being started (a
// pre-warm) to finish their real INIT: one jump over the whole gap would also jump over the
// pre-warmed instance's 10-second INIT deadline.
int ColdStarts(const std::string& policy, const std::vector<Clock::Duration>& gaps) {
  using namespace stratus::fntest;
  Fixture f("keep_alive_policy: " + policy +
                "\nfunctions:\n  fn:\n    runtime: python3.11\n    handler: handler.handler\n"
                "    keep_alive: 10m\n",
            RuntimeFiles(), RuntimeOptions(ClockKind::kVirtual));
  int cold = 0;
  auto settle = [&] { WaitUntil([&] { return f.InstanceCount("fn") == f.IdleCount("fn"); }); };
  for (Clock::Duration gap : gaps) {
    Clock::Duration stepped = std::min<Clock::Duration>(gap, 3min);
    f.Advance(gap - stepped);
    settle();
    for (Clock::Duration done{0}; done < stepped; done += 5s) {
      f.Advance(5s);
      settle();
    }
    auto r = f.Invoke("fn", R"({"action":"pid"})");
    REQUIRE(r.status.ok());
    cold += r.cold ? 1 : 0;
  }
  return cold;
}

TEST_CASE("cold starts on a synthetic arrival pattern: fixed 10 min vs hybrid histogram") {
  // A burst, then a steady 20-minute period (the shape "Serverless in the Wild" targets:
  // periodic timers longer than the fixed keep-alive).
  std::vector<Clock::Duration> gaps = {0min, 1min, 5min, 15min, 2min, 30min};
  CHECK(ColdStarts("fixed", gaps) == 3);  // first, after 15 min, after 30 min
  std::vector<Clock::Duration> periodic(12, 20min);
  periodic.front() = 0min;
  // Fixed 10 min: every 20-minute arrival finds the instance reaped.
  CHECK(ColdStarts("fixed", periodic) == 12);
  // Hybrid: the first arrivals are cold or kept by the 4-hour conservative window; once five
  // gaps are known the pre-warm 18 minutes after each call has an instance ready at 20.
  CHECK(ColdStarts("hybrid", periodic) == 1);
}

}  // namespace
}  // namespace stratus::billing
