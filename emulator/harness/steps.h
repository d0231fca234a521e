// The steps of a scenario, run from the scenario's thread against its EmulatorHost: the
// actions (steps.cc: http, invoke, the S3 and SQS wire requests, advance, wait) and the
// expectations (expectations.cc). Internal to emulator/harness.
// Threading: the scenario's thread; emulator state is read only through host.Run/Await.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "emulator/harness/http_client.h"
#include "emulator/harness/runner.h"

namespace stratus::harness {

struct StepContext {
  EmulatorHost& host;
  const ScenarioFile& file;
  const RunOptions& options;
  CostSource& cost;
  std::string account = "000000000000";
  std::string region = "us-east-1";
  std::map<std::string, std::string> dead_letters;  // queue -> its DLQ, from the project
};

// What a failed step says; the runner adds the location and the logs.
struct StepError {
  std::string message;
  std::string diff;
};

// Runs one step, checking its `expect:` if any. nullopt when it passed.
std::optional<StepError> RunStep(StepContext& context, const Step& step);

// expectations.cc
std::optional<StepError> CheckResponse(const ResponseExpectation& expect, const HttpResult& got);
std::optional<StepError> CheckInvocations(StepContext& context, const Step& step);
std::optional<StepError> WaitInvocations(StepContext& context, const Step& step);
std::optional<StepError> CheckLogs(StepContext& context, const Step& step);
std::optional<StepError> CheckCost(StepContext& context, const Step& step);

// The SQS JSON 1.0 call `action` with `body`, on the service port (steps.cc).
Result<HttpResult> CallSqs(StepContext& context, const std::string& action,
                           const nlohmann::json& body);
std::string QueueUrl(const StepContext& context, const std::string& queue);

// The committed function log lines with an id above `after_id` (of one function, or all),
// as "function: line". Call host.Barrier() first to include the latest lines.
struct LogLines {
  int64_t last_id = 0;
  std::vector<std::string> lines;
};
LogLines ReadLogs(EmulatorHost& host, int64_t after_id, const std::string& function = "");
// The id of the newest committed log line, 0 when there is none.
int64_t LastLogId(EmulatorHost& host);

}  // namespace stratus::harness
