// EmulatorHost: one Emulator on a loop thread of its own, so a scenario's thread can act as
// a blocking client (HTTP to its ports) and hand work to the loop with Run(). Each scenario
// gets its own host: its own loop, clock, ephemeral data directory and ports, so scenarios
// run in parallel share nothing.
// Threading: construct, Start, Run and Stop from one non-loop thread; the Emulator itself is
// only touched on the loop thread (inside Run).
#pragma once

#include <functional>
#include <future>
#include <memory>
#include <thread>
#include <vector>

#include "emulator/emulator.h"
#include "emulator/module.h"

namespace stratus::harness {

using ModuleFactory = std::function<std::vector<std::unique_ptr<Module>>()>;

class EmulatorHost {
 public:
  EmulatorHost();
  ~EmulatorHost();  // stops the emulator if it runs, then the loop thread
  EmulatorHost(const EmulatorHost&) = delete;
  EmulatorHost& operator=(const EmulatorHost&) = delete;

  // Creates the emulator with `modules` and starts it. On error the emulator is stopped and
  // released again and the error returned (the config's, a missing runtime's, a port's).
  Status Start(EmulatorOptions options, std::vector<std::unique_ptr<Module>> modules);

  // Runs fn(emulator) on the loop thread and waits for its result. Start() must have worked.
  template <typename Fn>
  auto Run(Fn fn) -> decltype(fn(std::declval<Emulator&>())) {
    using R = decltype(fn(std::declval<Emulator&>()));
    std::packaged_task<R()> task([&] { return fn(*emulator_); });
    auto future = task.get_future();
    loop_->Post([&task] { task(); });
    return future.get();
  }

  // Runs start(emulator, done) on the loop thread and waits until done(value) is called
  // there (an asynchronous operation: an invocation, a group-commit barrier).
  template <typename T>
  T Await(std::function<void(Emulator&, std::function<void(T)>)> start) {
    std::promise<T> result;
    loop_->Post([&] { start(*emulator_, [&](T value) { result.set_value(std::move(value)); }); });
    return result.get_future().get();
  }

  // Waits until every log line and invocation record so far is committed to the database.
  void Barrier();

  // Stops the emulator (in-flight requests drain, processes end, the data dir is removed).
  void Stop();

  bool running() const { return emulator_ != nullptr; }
  int service_port() const { return service_port_; }
  int gateway_port() const { return gateway_port_; }

 private:
  std::unique_ptr<loop::Loop> loop_;
  std::unique_ptr<Emulator> emulator_;
  std::thread thread_;
  int service_port_ = 0;
  int gateway_port_ = 0;
};

}  // namespace stratus::harness
