#include "cli/cost_rerun.h"

#include <unistd.h>

#include <cstdio>

#include "emulator/functions/invocation_store.h"
#include "emulator/functions/invoker.h"
#include "emulator/functions/limits.h"
#include "emulator/harness/host.h"
#include "triggers/registry.h"

namespace stratus::cli {

namespace {

using Events = std::map<std::string, std::vector<std::string>>;

functions::InvokeResult InvokeOnce(harness::EmulatorHost& host, const std::string& function,
                                   const std::string& event) {
  return host.Await<functions::InvokeResult>(
      [&](Emulator& e, std::function<void(functions::InvokeResult)> done) {
        functions::InvokeRequest request;
        request.payload = event;
        request.source = "cost-rerun";
        e.invoker().Invoke(function, std::move(request), std::move(done));
      });
}

billing::RerunSample RunEvents(harness::EmulatorHost& host, const std::string& function,
                               const std::vector<std::string>& events, int memory_mb) {
  billing::RerunSample sample;
  sample.memory_mb = memory_mb;
  InvokeOnce(host, function, events.front());  // warm-up: its cold start is not measured
  for (const std::string& event : events) {
    functions::InvokeResult result = InvokeOnce(host, function, event);
    ++sample.calls;
    if (!result.status.ok() || result.function_error) ++sample.errors;
    // A function error still ran (and is billed); a call that never ran says nothing.
    if (result.status.ok()) sample.durations_ms.push_back(result.duration_ms);
    if (!result.cpu_limit.empty()) sample.cpu_limit = result.cpu_limit;
  }
  return sample;
}

Status RunAtSize(config::ProjectConfig project, const Events& events, int memory_mb,
                 std::map<std::string, billing::Rerun>& reruns) {
  for (auto& [name, function] : project.functions) {
    function.memory = memory_mb;
    function.provisioned = 0;  // one instance, warmed by the first call, is what is measured
  }
  project.coldstart = config::ColdStartMode::kReal;
  EmulatorOptions options;
  options.project = std::move(project);
  options.ephemeral = true;
  options.service_port = 0;
  options.gateway_port = 0;
  options.log_fd = -1;
  harness::EmulatorHost host;
  STRATUS_RETURN_IF_ERROR(host.Start(std::move(options), triggers::BuiltinTriggers().CreateAll()));
  for (const auto& [function, list] : events) {
    std::fprintf(stderr, "stratus: re-running %zu events of %s at %d MB\n", list.size(),
                 function.c_str(), memory_mb);
    billing::Rerun& rerun = reruns[function];
    rerun.events = static_cast<int>(list.size());
    rerun.sizes.push_back(RunEvents(host, function, list, memory_mb));
  }
  host.Stop();
  return Status::Ok();
}

}  // namespace

Result<std::map<std::string, billing::Rerun>> RerunStoredEvents(
    const config::ProjectConfig& project, storage::Db& db, const RerunRequest& request,
    std::string* why) {
  std::map<std::string, billing::Rerun> reruns;
  if (request.events <= 0 || request.sizes.empty()) {
    *why = "events not re-run: --rerun 0";
    return reruns;
  }
  std::string not_capped;
  if (!functions::CpuLimiter::Create("stratus-cpu-probe-" + std::to_string(::getpid()),
                                     &not_capped)) {
    *why = "events not re-run: function CPU " + not_capped;
    return reruns;
  }
  Events events;
  for (const auto& [name, function] : project.functions) {
    auto stored = functions::InvocationStore::RecentEvents(db, name, request.events);
    if (!stored.ok()) return stored.status();
    if (!stored->empty()) events[name] = std::move(stored.value());
  }
  if (events.empty()) {
    *why = "no stored events to re-run";
    return reruns;
  }
  for (int mb : request.sizes) {
    Status ran = RunAtSize(project, events, mb, reruns);
    if (!ran.ok()) return ran.Annotate("re-running the stored events at " + std::to_string(mb) + " MB");
  }
  return reruns;
}

}  // namespace stratus::cli
