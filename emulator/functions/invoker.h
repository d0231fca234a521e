// Invoker: the one path every event takes to a function (DESIGN.md): a trigger, the Invoke
// API or the CLI calls Invoke(); the function's Pool runs it on a warm or new instance; the
// result is recorded and handed back. Triggers never talk to instances.
//
// Invocation types: RequestResponse (a throttle is an immediate 429-style error), Event
// (accepted at once; queued until capacity allows; 2 retries 1 and 2 minutes apart on a
// function error; then the on-failure destination), DryRun (checks the function only).
// Threading: loop thread only. Shutdown() before destruction.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "emulator/functions/function.h"
#include "emulator/functions/invocation.h"
#include "emulator/functions/invocation_store.h"
#include "emulator/functions/limits.h"
#include "emulator/functions/logs.h"
#include "emulator/functions/pool.h"

namespace stratus::functions {

class Invoker {
 public:
  struct Options {
    FunctionContext context;
    int account_concurrency = 1000;
  };
  // Where a queue destination's message goes (the queue trigger sets it).
  using QueueSink = std::function<Status(const std::string& queue, const std::string& body)>;

  Invoker(loop::Loop& loop, Clock& clock, Random& random, LogSink& logs,
          InvocationStore* store, MemoryLimiter& memory);
  ~Invoker();

  // Resolves every function (interpreters, bootstraps) and starts provisioned instances.
  // NotFound names the first function whose runtime cannot be found.
  Status Start(const config::ProjectConfig& project, Options options);

  // Runs `request` on function `name`; `done` runs exactly once, possibly before Invoke
  // returns (unknown function, throttle, DryRun, and the acceptance of an Event).
  void Invoke(const std::string& name, InvokeRequest request, InvokeCallback done);

  const Function* Find(const std::string& name) const;
  std::vector<const Function*> List() const;
  Pool* pool(const std::string& name);

  // Retires the warm instances of `name` so the next call runs new code (--watch).
  void RetireWarm(const std::string& name);
  void SetQueueSink(QueueSink sink) { queue_sink_ = std::move(sink); }
  // Charges each finished invocation (fills InvokeResult::gb_seconds and cost) before it is
  // recorded (emulator/billing's Meter).
  using MeterHook = std::function<void(const Function& function, InvokeResult& result)>;
  void SetMeter(MeterHook meter) { meter_ = std::move(meter); }
  // Optional parts of the cold-start and billing model, set before Start().
  void SetCpuLimiter(CpuLimiter* cpu, std::string not_capped_reason) {
    env_.cpu = cpu;
    cpu_not_capped_ = std::move(not_capped_reason);
  }
  void SetInitSimulator(InitSimulator simulator) { env_.simulate_init = std::move(simulator); }
  void SetKeepAlivePolicy(billing::KeepAlivePolicy* policy) { env_.keep_alive = policy; }

  // Fails queued work, ends every instance; `done` once all processes are gone.
  void Shutdown(std::function<void()> done);

  // Test hooks: events waiting for a retry, and async events still in flight.
  size_t TestPendingRetries() const { return retry_timers_.size(); }

 private:
  struct AsyncEvent;
  InvocationPtr NewInvocation(const std::string& name, InvokeRequest request);
  void RunAsync(std::shared_ptr<AsyncEvent> event);
  void OnAsyncDone(std::shared_ptr<AsyncEvent> event, InvokeResult result);
  void Deliver(const config::Destination& destination, const std::string& record);
  std::string DestinationRecord(const AsyncEvent& event, const InvokeResult& result,
                                const std::string& condition) const;
  void Record(const Invocation& invocation, InvokeResult& result);
  void OnCapacity();

  loop::Loop& loop_;
  Clock& clock_;
  Random& random_;
  LogSink& logs_;
  InvocationStore* store_;
  InstanceEnv env_;
  AccountConcurrency account_;
  std::map<std::string, std::unique_ptr<Pool>> pools_;
  std::map<uint64_t, Timer> retry_timers_;
  uint64_t next_retry_ = 1;
  QueueSink queue_sink_;
  MeterHook meter_;
  std::string cpu_not_capped_;
  bool shutting_down_ = false;
};

}  // namespace stratus::functions
