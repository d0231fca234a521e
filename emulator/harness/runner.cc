#include "emulator/harness/runner.h"

#include <atomic>
#include <mutex>
#include <thread>

#include "emulator/harness/steps.h"

namespace stratus::harness {

namespace {

std::string Location(const ScenarioFile& file, const Step& step) {
  return file.path + ":" + std::to_string(step.position.line) + ":" +
         std::to_string(step.position.column);
}

// Runs `steps` until one fails; returns that failure, with the logs written during it.
std::optional<StepFailure> RunSteps(StepContext& context, const std::vector<Step>& steps,
                                    int* steps_run) {
  for (const Step& step : steps) {
    context.host.Barrier();
    int64_t mark = LastLogId(context.host);
    auto error = RunStep(context, step);
    ++*steps_run;
    if (!error) continue;
    StepFailure failure;
    failure.step = step.name;
    failure.location = Location(context.file, step);
    failure.message = error->message;
    failure.diff = error->diff;
    context.host.Barrier();
    failure.logs = ReadLogs(context.host, mark).lines;
    return failure;
  }
  return std::nullopt;
}

Result<EmulatorOptions> ScenarioOptions(const ScenarioFile& file) {
  auto project = config::LoadConfigFile(file.project_path);
  if (!project.ok()) return project.status();
  EmulatorOptions options;
  options.config_path = file.project_path;
  options.project = std::move(project.value());
  options.service_port = 0;
  options.gateway_port = 0;
  options.ephemeral = true;
  options.clock = file.clock;
  options.seed = 1;  // request ids and samples repeat from run to run
  options.log_fd = -1;  // the lines are stored, and shown with a failure
  return options;
}

}  // namespace

ScenarioResult RunScenario(const ScenarioFile& file, const Scenario& scenario,
                           const RunOptions& options) {
  auto started_at = std::chrono::steady_clock::now();
  ScenarioResult result;
  result.file = file.path;
  result.name = scenario.name;
  auto finish = [&] {
    result.passed = !result.failure.has_value();
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_at).count();
    return result;
  };
  auto emulator_options = ScenarioOptions(file);
  if (!emulator_options.ok()) {
    result.failure = StepFailure{"start", file.path, emulator_options.status().message(), "", {}};
    return finish();
  }
  EmulatorHost host;
  std::unique_ptr<CostSource> cost = options.cost ? options.cost() : MeteredCost();
  StepContext context{host, file, options, *cost};
  context.account = emulator_options->project->account;
  context.region = emulator_options->project->region;
  for (const auto& [name, queue] : emulator_options->project->queues) {
    if (queue.dead_letter) context.dead_letters[name] = queue.dead_letter->queue;
  }
  Status started = host.Start(std::move(emulator_options.value()),
                              options.modules ? options.modules() : std::vector<std::unique_ptr<Module>>{});
  if (!started.ok()) {
    result.failure = StepFailure{"start", file.path, "the emulator did not start: " + started.message(), "", {}};
    return finish();
  }
  result.failure = RunSteps(context, file.setup, &result.steps_run);
  if (!result.failure) result.failure = RunSteps(context, scenario.steps, &result.steps_run);
  // Teardown runs whatever happened; its failure is reported only when nothing failed before.
  auto teardown = RunSteps(context, file.teardown, &result.steps_run);
  if (!result.failure) result.failure = std::move(teardown);
  host.Stop();
  return finish();
}

std::vector<ScenarioResult> RunScenarios(const std::vector<Selected>& scenarios,
                                         const RunOptions& options,
                                         const std::function<void(const ScenarioResult&)>& on_result) {
  std::vector<ScenarioResult> results(scenarios.size());
  std::atomic<size_t> next{0};
  std::mutex report;
  auto work = [&] {
    for (size_t i = next++; i < scenarios.size(); i = next++) {
      results[i] = RunScenario(*scenarios[i].file, *scenarios[i].scenario, options);
      if (on_result) {
        std::lock_guard lock(report);
        on_result(results[i]);
      }
    }
  };
  size_t workers = std::min<size_t>(std::max(options.jobs, 1), scenarios.size());
  std::vector<std::thread> threads;
  for (size_t w = 1; w < workers; ++w) threads.emplace_back(work);
  work();
  for (auto& t : threads) t.join();
  return results;
}

}  // namespace stratus::harness
