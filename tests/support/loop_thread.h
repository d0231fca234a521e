// LoopThread: a Loop (and a clock) running on a thread of its own, so a test's main thread
// can act as a blocking client. Everything loop-owned is made and destroyed through Run(),
// which executes on the loop thread and waits for the result.
#pragma once

#include <functional>
#include <future>
#include <memory>
#include <thread>

#include "emulator/loop/loop.h"
#include "emulator/util/clock.h"

namespace stratus::testing {

class LoopThread {
 public:
  // A virtual clock (running, not frozen) when `virtual_clock`, else a real one.
  explicit LoopThread(bool virtual_clock = false);
  // Runs the teardown functions, closes the clock and checks every handle closed cleanly.
  ~LoopThread();

  // Runs fn on the loop thread and waits for it to return.
  template <typename Fn>
  auto Run(Fn fn) -> decltype(fn()) {
    using R = decltype(fn());
    std::packaged_task<R()> task(std::move(fn));
    auto future = task.get_future();
    loop_->Post([&task] { task(); });
    return future.get();
  }

  // Registered functions run on the loop thread at destruction, newest first.
  void AtTeardown(std::function<void()> fn) { teardown_.push_back(std::move(fn)); }

  loop::Loop& loop() { return *loop_; }
  Clock& clock() { return *clock_; }
  VirtualClock& virtual_clock() { return *static_cast<VirtualClock*>(clock_.get()); }

  // Handles left open at teardown (should be 0: each test closes what it made).
  int leaked_handles() const { return leaked_handles_; }

 private:
  std::unique_ptr<loop::Loop> loop_;
  std::unique_ptr<Clock> clock_;
  std::vector<std::function<void()>> teardown_;
  std::thread thread_;
  int leaked_handles_ = 0;
};

}  // namespace stratus::testing
