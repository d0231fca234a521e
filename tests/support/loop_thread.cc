#include "tests/support/loop_thread.h"

#include <doctest/doctest.h>

namespace stratus::testing {

LoopThread::LoopThread(bool virtual_clock) {
  std::promise<void> ready;
  thread_ = std::thread([this, virtual_clock, &ready] {
    loop_ = std::make_unique<loop::Loop>();
    if (virtual_clock) {
      clock_ = std::make_unique<VirtualClock>(*loop_, /*frozen=*/false);
    } else {
      clock_ = std::make_unique<RealClock>(*loop_);
    }
    loop_->KeepAlive(true);
    ready.set_value();
    loop_->Run();
  });
  ready.get_future().wait();
}

LoopThread::~LoopThread() {
  loop_->Post([this] {
    for (auto it = teardown_.rbegin(); it != teardown_.rend(); ++it) (*it)();
    teardown_.clear();
    clock_->Close();
    loop_->Stop();
  });
  thread_.join();
  // Run() returned: only handles someone forgot can be left.
  uv_walk(
      loop_->raw(),
      [](uv_handle_t* h, void* arg) {
        if (!uv_is_closing(h)) ++*static_cast<int*>(arg);
      },
      &leaked_handles_);
  CHECK_MESSAGE(leaked_handles_ == 0, "handles left open at the end of the test");
  clock_.reset();
  loop_.reset();
}

}  // namespace stratus::testing
