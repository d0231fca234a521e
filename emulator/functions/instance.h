// Instance: one execution environment of a function: its Runtime API listener, its process,
// and the invocation it is running. A lifecycle state object (as AWS's emulator has) that
// refuses every transition its state does not allow:
//
//   kStarting --first /next--> kIdle --Invoke--> kBusy --outcome--> kIdle ... --exit--> kDead
//       |  (Start may carry the invocation that caused the cold start; it is handed over
//       |   at the first /next)
//       +--init error, crash, init timeout--> kDead (the pending invocation fails)
//
// Threading: loop thread only. Owned by its Pool; destroy only after OnInstanceDead.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "emulator/functions/function.h"
#include "emulator/functions/invocation.h"
#include "emulator/functions/limits.h"
#include "emulator/functions/logs.h"
#include "emulator/functions/runtime_api.h"
#include "emulator/functions/sandbox.h"
#include "emulator/util/clock.h"
#include "emulator/util/ids.h"

namespace stratus::billing {
class KeepAlivePolicy;
}

namespace stratus::functions {

// Extra INIT time (ms) a cold start of `function` should take on top of the `measured_ms` it
// really took (`coldstart: simulated`); 0 for none.
using InitSimulator = std::function<double(const Function& function, double measured_ms)>;

// What instances share: the loop, time, ids, logs, the memory limiter, and optionally the CPU
// limiter, the cold-start simulation and the keep-alive policy (emulator/billing).
struct InstanceEnv {
  loop::Loop& loop;
  Clock& clock;
  Random& random;
  LogSink& logs;
  MemoryLimiter& memory;
  CpuLimiter* cpu = nullptr;
  InitSimulator simulate_init;
  billing::KeepAlivePolicy* keep_alive = nullptr;
};

class Instance : private RuntimeApi::Delegate {
 public:
  enum class State { kStarting, kIdle, kBusy, kDead };

  class Delegate {
   public:
    virtual ~Delegate() = default;
    // The instance can take an invocation (init finished, or the last one completed).
    virtual void OnInstanceIdle(Instance& instance) = 0;
    // The invocation handed to this instance is over (success or any failure).
    virtual void OnInvocationDone(Instance& instance, InvocationPtr invocation,
                                  InvokeResult result) = 0;
    // The instance died before its runtime took `invocation` (it crashed right after its
    // previous answer): the invocation never ran and can go to another instance.
    virtual void OnInvocationReturned(Instance& instance, InvocationPtr invocation) = 0;
    // The process is gone and every handle closed; the owner may destroy the instance now.
    virtual void OnInstanceDead(Instance& instance) = 0;
  };

  Instance(InstanceEnv& env, std::shared_ptr<const Function> function, uint64_t id,
           bool provisioned, Delegate& delegate);
  ~Instance() override;

  // Listens, then spawns the process. `first` (may be null) runs once init is over. On an
  // error (the process cannot start) `first` is left to the caller, no invocation callback
  // runs, and OnInstanceDead follows once the listener has closed.
  Status Start(InvocationPtr first);
  // Runs `invocation`; kIdle only (a programmer error otherwise).
  void Invoke(InvocationPtr invocation);
  // Ends the instance: at once when idle or starting without work, else after the current
  // invocation. The invocation in flight is not cut short.
  void Retire();
  // Kills the process now; a running invocation fails with Runtime.ExitError.
  void Kill();

  State state() const { return state_; }
  uint64_t id() const { return id_; }
  bool provisioned() const { return provisioned_; }
  bool retiring() const { return retiring_; }
  bool start_failed() const { return start_failed_; }
  const Function& function() const { return *function_; }
  Clock::TimePoint idle_since() const { return idle_since_; }
  pid_t pid() const { return sandbox_.pid(); }

 private:
  Status FailStart(Status status);
  void OnFirstNext() override;
  void FinishInit();
  void OnEventSent(const std::string& request_id) override;
  void OnOutcome(const std::string& request_id, RuntimeOutcome outcome) override;
  void OnOutput(bool is_stderr, std::string_view chunk);
  void OnExit(ExitInfo info);
  void Deliver();
  void Complete(InvokeResult result);
  void FailCurrent(const std::string& error_type, const std::string& message);
  void OnTimeout();
  void OnInitTimeout();
  void SampleMemory();
  void BecomeIdle();
  void Die();
  InvokeResult ResultFromOutcome(RuntimeOutcome outcome);
  void WriteReport(InvokeResult& result, Invocation* invocation);

  InstanceEnv& env_;
  std::shared_ptr<const Function> function_;
  uint64_t id_;
  bool provisioned_;
  Delegate& delegate_;
  State state_ = State::kStarting;
  RuntimeApi api_;
  Sandbox sandbox_;
  std::shared_ptr<MemoryAccount> memory_;  // shared with the thread that adopts the process
  std::shared_ptr<CpuCap> cpu_;             // likewise; null when CPU is not capped
  std::string cpu_not_capped_;              // why, when the limiter could not make a cap
  std::string log_stream_;
  InvocationPtr current_;
  bool current_cold_ = false;
  bool event_sent_ = false;  // the runtime has the current invocation's event
  double init_ms_ = 0;
  double init_simulated_ms_ = 0;
  ProcessCpu process_cpu_;
  double cpu_at_start_ms_ = -1;
  bool init_reported_ = false;
  Clock::TimePoint spawned_at_{};
  Clock::TimePoint idle_since_{};
  RuntimeOutcome init_error_;
  bool has_init_error_ = false;
  bool timed_out_ = false, killed_for_memory_ = false, retiring_ = false;
  bool exit_seen_ = false, api_closed_ = false, start_failed_ = false;
  Timer deadline_timer_, memory_timer_, simulated_init_timer_;
  LineSplitter out_lines_, err_lines_;
  uint64_t idle_log_bytes_ = 0, idle_log_dropped_ = 0;  // output outside invocations
};

std::string_view InstanceStateName(Instance::State state);

}  // namespace stratus::functions
