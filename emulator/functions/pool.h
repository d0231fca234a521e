// Pool: the execution environments of one function. It reuses a warm idle instance, starts
// a new one (a cold start) while the function's concurrency allows, throttles or queues
// beyond it, reaps instances idle past their keep-alive, and keeps provisioned ones warm.
// When every instance is busy, the scaling mode decides: eager starts one per concurrent
// request, as Lambda does; lean queues the request and starts an instance only when the
// expected wait (waiting requests x recent mean duration / busy instances) exceeds the recent
// init duration, or once a request has waited that long (a hung instance cannot starve the
// queue). Threading: loop thread only.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "emulator/functions/instance.h"

namespace stratus::billing {
struct KeepAliveWindow;
}

namespace stratus::functions {

// Concurrency shared by every function (Lambda's account limit, 1,000 by default).
struct AccountConcurrency {
  int limit = 1000;
  int in_flight = 0;  // invocations running or starting, all functions
};

class Pool : private Instance::Delegate {
 public:
  // `on_capacity` runs whenever an invocation ends, so queued work elsewhere may start.
  Pool(InstanceEnv& env, std::shared_ptr<const Function> function, AccountConcurrency& account,
       config::ScalingMode scaling, std::function<void()> on_capacity);
  ~Pool() override;

  // Starts the provisioned instances.
  void Start();
  // Runs `invocation` on a warm or new instance, or (lean scaling) queues it for the next
  // free one. Returns false, leaving it untouched, when the function's or the account's
  // concurrency is used up (lean: running plus waiting requests); `*reason` then says which
  // (Lambda's ReservedFunctionConcurrentInvocationLimitExceeded or
  // ConcurrentInvocationLimitExceeded).
  bool TryRun(InvocationPtr invocation, std::string* reason);
  // Queues `invocation` to run as soon as capacity allows (asynchronous events).
  void Enqueue(InvocationPtr invocation);
  // Runs queued invocations while capacity allows.
  void Drain();
  // Replaces every instance: idle ones end now, busy ones after their invocation (--watch).
  void RetireAll();
  // Ends every instance (in-flight invocations fail); `done` once all processes are gone.
  void Shutdown(std::function<void()> done);

  const Function& function() const { return *function_; }
  size_t instance_count() const { return instances_.size(); }
  size_t busy_count() const;
  size_t queued_count() const { return queue_.size(); }
  // Requests waiting for a busy instance under lean scaling.
  size_t waiting_count() const { return waiting_.size(); }
  // Test hooks: the process ids of live instances, and how many are idle (warm, free).
  std::vector<pid_t> TestPids() const;
  size_t TestIdleCount() const;

 private:
  void OnInstanceIdle(Instance& instance) override;
  void OnInvocationDone(Instance& instance, InvocationPtr invocation, InvokeResult result) override;
  void OnInvocationReturned(Instance& instance, InvocationPtr invocation) override;
  void OnInstanceDead(Instance& instance) override;
  Status StartInstance(InvocationPtr first, bool provisioned);
  void SchedulePrewarm(const billing::KeepAliveWindow& window);
  // Starts an instance for `invocation` (counted in flight), failing it if that cannot be.
  void StartFor(InvocationPtr invocation);
  // Lean scaling: whether `waiting` requests justify a new instance now.
  bool ShouldScaleOut(size_t waiting) const;
  size_t active_count() const;  // instances starting or busy
  bool any_starting() const;
  // Starts an instance for the oldest request once it waited an init duration (one start
  // at a time); re-arms the timer while requests wait.
  void OnWaitTimer();
  void ArmWaitTimer();
  // How long a waiting request waits before starting its own instance: the init duration.
  Clock::Duration WaitPatience() const;
  void NoteResult(const InvokeResult& result);
  Instance* WarmIdle();
  int provisioned_alive() const;
  void MaybeFinishShutdown();

  InstanceEnv& env_;
  std::shared_ptr<const Function> function_;
  AccountConcurrency& account_;
  std::function<void()> on_capacity_;
  std::map<uint64_t, std::unique_ptr<Instance>> instances_;
  std::map<uint64_t, Timer> keep_alive_;
  std::map<uint64_t, Clock::Duration> prewarmed_;  // pre-warmed instance -> its keep-alive
  Timer prewarm_timer_;
  std::vector<std::unique_ptr<Instance>> graveyard_;  // freed a loop turn after death
  Timer bury_;
  std::deque<InvocationPtr> queue_;
  struct Waiting {
    InvocationPtr invocation;
    Clock::TimePoint since;
  };
  config::ScalingMode scaling_;
  std::deque<Waiting> waiting_;  // lean scaling: sync requests for the next free instance
  Timer wait_timer_;
  double mean_duration_ms_ = -1;  // recent (exponentially weighted); -1 before the first
  double init_ms_ = -1;           // likewise, of cold starts
  uint64_t next_id_ = 1;
  bool shutting_down_ = false;
  std::function<void()> shutdown_done_;
};

}  // namespace stratus::functions
