#include "emulator/util/clock.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tests/support/loop_thread.h"

namespace stratus {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// A frozen virtual clock on a loop that is never run: fully deterministic.
struct FrozenFixture {
  loop::Loop loop;
  VirtualClock clock{loop, /*frozen=*/true};
  ~FrozenFixture() { clock.Close(); }
};

TEST_CASE("virtual clock fires due timers in time order, ties in creation order") {
  FrozenFixture f;
  std::vector<std::string> fired;
  auto t3 = f.clock.After(seconds(3), [&] { fired.push_back("3s"); });
  auto t1 = f.clock.After(seconds(1), [&] { fired.push_back("1s-a"); });
  auto t1b = f.clock.After(seconds(1), [&] { fired.push_back("1s-b"); });
  auto t10 = f.clock.After(seconds(10), [&] { fired.push_back("10s"); });

  f.clock.Advance(milliseconds(999));
  CHECK(fired.empty());
  f.clock.Advance(seconds(5));
  CHECK(fired == std::vector<std::string>{"1s-a", "1s-b", "3s"});
  CHECK(t10.active());
  CHECK_FALSE(t1.active());
  f.clock.Advance(seconds(5));
  CHECK(fired.back() == "10s");
  CHECK(f.clock.pending_timers() == 0);
}

TEST_CASE("a timer made while firing is placed relative to its parent's due time") {
  FrozenFixture f;
  auto start = f.clock.Now();
  std::vector<std::pair<std::string, Clock::Duration>> fired;
  Timer child;
  auto parent = f.clock.After(seconds(1), [&] {
    fired.emplace_back("parent", f.clock.Now() - start);
    child = f.clock.After(seconds(2), [&] { fired.emplace_back("child", f.clock.Now() - start); });
  });
  auto later = f.clock.After(seconds(4), [&] { fired.emplace_back("later", f.clock.Now() - start); });

  f.clock.Advance(seconds(10));
  REQUIRE(fired.size() == 3);
  CHECK(fired[0] == std::make_pair(std::string("parent"), Clock::Duration(seconds(1))));
  CHECK(fired[1] == std::make_pair(std::string("child"), Clock::Duration(seconds(3))));
  CHECK(fired[2] == std::make_pair(std::string("later"), Clock::Duration(seconds(4))));
  CHECK(f.clock.Now() - start == seconds(10));
}

TEST_CASE("cancelled and destroyed timers never fire") {
  FrozenFixture f;
  int fired = 0;
  auto kept = f.clock.After(seconds(1), [&] { fired += 1; });
  auto cancelled = f.clock.After(seconds(1), [&] { fired += 10; });
  cancelled.Cancel();
  { auto dropped = f.clock.After(seconds(1), [&] { fired += 100; }); }
  Timer moved_to;
  moved_to = f.clock.After(seconds(1), [&] { fired += 1000; });
  f.clock.Advance(seconds(2));
  CHECK(fired == 1001);
}

TEST_CASE("frozen clock stands still; wall time moves with advances") {
  FrozenFixture f;
  auto now = f.clock.Now();
  auto wall = f.clock.WallNowMs();
  CHECK(f.clock.Now() == now);
  f.clock.Advance(std::chrono::minutes(5));
  CHECK(f.clock.Now() - now == std::chrono::minutes(5));
  CHECK(f.clock.WallNowMs() - wall == 5 * 60 * 1000);
}

TEST_CASE("running virtual clock fires real-time timers and skips ahead on advance") {
  testing::LoopThread lt(/*virtual_clock=*/true);
  std::promise<void> short_fired;
  Timer short_timer, long_timer;
  bool long_fired = false;
  lt.Run([&] {
    short_timer = lt.clock().After(milliseconds(5), [&] { short_fired.set_value(); });
    long_timer = lt.clock().After(std::chrono::hours(1), [&] { long_fired = true; });
    return 0;
  });
  short_fired.get_future().wait();  // fired by real time passing
  CHECK(lt.Run([&] { return long_fired; }) == false);
  lt.Run([&] {
    lt.virtual_clock().Advance(std::chrono::hours(1));
    return 0;
  });
  CHECK(lt.Run([&] { return long_fired; }));
}

TEST_CASE("real clock timers fire after at least their delay") {
  testing::LoopThread lt;
  std::promise<Clock::Duration> elapsed;
  Timer t;
  auto start = std::chrono::steady_clock::now();
  lt.Run([&] {
    t = lt.clock().After(milliseconds(20), [&] { elapsed.set_value(std::chrono::steady_clock::now() - start); });
    return 0;
  });
  CHECK(elapsed.get_future().get() >= milliseconds(20));
}

}  // namespace
}  // namespace stratus
