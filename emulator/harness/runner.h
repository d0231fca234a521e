// The scenario runner: each selected scenario runs against a fresh emulator (EmulatorHost:
// own loop thread, ephemeral data directory, ephemeral ports, the file's clock), its file's
// setup steps first and teardown steps last; up to `jobs` scenarios run at once, each on a
// worker thread of its own. Results come back in the order the scenarios were given.
// Threading: RunScenarios blocks the calling thread; `on_result` runs on worker threads,
// one call at a time.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "emulator/harness/host.h"
#include "emulator/harness/scenario.h"

namespace stratus::harness {

// The simulated bill so far, for `expect_cost`: by default the emulator's metered usage
// under its price sheet (MeteredCost).
class CostSource {
 public:
  virtual ~CostSource() = default;
  // Total USD of the emulator's metered usage. Called on the loop thread.
  virtual Result<double> TotalUsd(Emulator& emulator) = 0;
};

// Reports Unavailable: for embedders that leave billing out.
std::unique_ptr<CostSource> NoBilling();
// List price of the stored invocations and API requests, no free tier (billing/).
std::unique_ptr<CostSource> MeteredCost();

struct StepFailure {
  std::string step;      // the step's name
  std::string location;  // FILE:LINE:COL of the step
  std::string message;   // what was expected and what came instead
  std::string diff;      // expected vs actual, when there is a value to compare
  std::vector<std::string> logs;  // the function log lines written during the step
};

struct ScenarioResult {
  std::string file;
  std::string name;
  bool passed = false;
  std::optional<StepFailure> failure;  // the first failure (a start error has no step)
  int steps_run = 0;
  double seconds = 0;
};

struct RunOptions {
  ModuleFactory modules;  // the triggers each emulator gets
  std::function<std::unique_ptr<CostSource>()> cost = MeteredCost;
  int jobs = 1;
  std::chrono::milliseconds request_timeout{60000};  // per HTTP step
};

struct Selected {
  const ScenarioFile* file;
  const Scenario* scenario;
};

// Runs `scenarios`; on_result (may be empty) is told of each as it finishes.
std::vector<ScenarioResult> RunScenarios(const std::vector<Selected>& scenarios,
                                         const RunOptions& options,
                                         const std::function<void(const ScenarioResult&)>& on_result);

// Runs one scenario on the calling thread.
ScenarioResult RunScenario(const ScenarioFile& file, const Scenario& scenario,
                           const RunOptions& options);

}  // namespace stratus::harness
