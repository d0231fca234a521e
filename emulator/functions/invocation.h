// Invocation: one call of a function on its way through the functions layer: what was asked
// (InvokeRequest), what came back (InvokeResult), and the record kept of it.
// Threading: loop thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "emulator/util/clock.h"
#include "emulator/util/status.h"

namespace stratus::functions {

enum class InvocationType { kRequestResponse, kEvent, kDryRun };
std::string_view InvocationTypeName(InvocationType type);

struct InvokeRequest {
  std::string payload = "{}";  // the event, JSON
  InvocationType type = InvocationType::kRequestResponse;
  std::string source = "invoke";   // who asked: "invoke-api", "cli", "gateway", "queue:jobs"...
  std::string client_context;      // JSON (already base64-decoded), or empty
  std::string cognito_identity;    // JSON, or empty
  bool log_tail = false;           // collect the last 4 KB of logs (X-Amz-Log-Type: Tail)
};

struct InvokeResult {
  std::string request_id;
  // Not OK when the function was never run: unknown function (NotFound), throttled
  // (ResourceExhausted, with throttle_reason), payload too large (InvalidArgument),
  // stopping (Unavailable).
  Status status;
  std::string throttle_reason;  // ReservedFunctionConcurrentInvocationLimitExceeded, ...
  std::string payload;          // the response, or the error JSON when function_error
  std::string content_type = "application/json";
  bool function_error = false;  // X-Amz-Function-Error: Unhandled
  std::string error_type;       // of a function error: MyError, Runtime.ExitError, ...
  std::string log_tail;         // last 4 KB of this invocation's log lines
  bool cold = false;
  double init_ms = 0;           // cold starts only: measured spawn-to-first-/next + simulated
  double init_simulated_ms = 0; // the part of init_ms added by `coldstart: simulated`
  double duration_ms = 0;
  int64_t billed_ms = 0;
  int max_memory_mb = 0;
  double cpu_ms = -1;           // CPU time of the runtime process during the call; -1 unknown
  std::string cpu_limit;        // "0.289 vCPU (cgroup v1 cpu.cfs_quota_us)" or why not capped
  // Set by the meter (emulator/billing) under the active price sheet.
  double gb_seconds = 0;
  double cost = 0;              // list price of this invocation, before any free tier
};

using InvokeCallback = std::function<void(InvokeResult)>;

// The state of one invocation while it is queued or running.
struct Invocation {
  std::string request_id;
  std::string function;
  InvokeRequest request;
  InvokeCallback done;
  Clock::TimePoint queued_at{};
  Clock::TimePoint started_at{};  // handed to the runtime
  int64_t start_wall_ms = 0;
  int attempt = 1;
  uint64_t instance_id = 0;
  // Logs: the last 4 KB for X-Amz-Log-Result, and a byte budget against floods.
  std::string log_tail;
  uint64_t log_bytes = 0;
  uint64_t log_dropped = 0;
  void AppendTail(std::string_view line);
  // Runs `done` once. Taking it out first matters: `done` usually holds this Invocation's
  // own shared_ptr, and a callback left in place would keep the Invocation alive forever.
  void Finish(InvokeResult result);
};

using InvocationPtr = std::shared_ptr<Invocation>;

// The size of the log tail Lambda returns in X-Amz-Log-Result.
constexpr size_t kLogTailBytes = 4096;

}  // namespace stratus::functions
