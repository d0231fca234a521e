// CostReport: what `stratus cost` shows, computed from a data directory's stored invocations
// and API request counts: per function and per service totals, a monthly projection under a
// price sheet, a memory what-if (cheapest and fastest size), the same usage under every other
// provider's sheet, and the break-even rate against the sheet's always-on VM.
//
// The memory what-if uses the stored events run again at each size under a CPU cap (Rerun,
// measured by `stratus cost`, as AWS Lambda Power Tuning does) where it has them. Where it
// has not (no cgroup CPU control, no events, no project), it models each stored invocation
// at another size from its measured CPU time, as Lambda gives CPU in proportion to memory
// (1,769 MB = 1 vCPU): duration = (wall - cpu/share_then) + cpu/share_now, one thread assumed
// (a single thread cannot go faster than one vCPU). Invocations without a CPU measurement
// keep their duration. The report says which applied.
// Plain values and pure functions except BuildCostReport, which reads the database. No
// threading rule (the CLI calls it without a loop).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "emulator/billing/meter.h"
#include "emulator/billing/price_sheet.h"
#include "emulator/billing/pricing.h"
#include "emulator/config/config.h"

namespace stratus::billing {

// One stored invocation, as the report needs it.
struct StoredInvocation {
  std::string function;
  std::string runtime;
  std::string arch = "x86_64";
  int memory_mb = 128;
  int max_memory_mb = 0;
  double duration_ms = 0, init_ms = 0, init_simulated_ms = 0;
  bool cold = false;
  double cpu_ms = -1;      // -1: not measured
  std::string cpu_limit;   // "" or "... vCPU (...)" or "not capped: ..."
  int64_t start_ms = 0;
};

// One function's stored events, run again at one memory size under that size's CPU cap.
struct RerunSample {
  int memory_mb = 0;
  int calls = 0;
  std::vector<double> durations_ms;  // of the calls that ran to the end (success or error)
  int errors = 0;                    // calls that failed (function error, out of memory...)
  std::string cpu_limit;             // the cap they ran under
};

struct Rerun {
  int events = 0;  // stored events run at each size
  std::vector<RerunSample> sizes;
};

struct CostOptions {
  std::optional<double> monthly_requests;  // scale so the month has this many invocations
  std::optional<double> scale;             // or multiply the observed usage
  std::vector<int> memory_sizes;           // what-if sizes (MB); empty: none
  std::map<std::string, Rerun> reruns;     // by function: measured what-if sizes
  std::string rerun_note;                  // why the events were not re-run, if they were not
  bool free_tier = true;
};

struct FunctionSummary {
  std::string name, runtime, arch, cpu_limit;
  int memory_mb = 0;
  int64_t invocations = 0, cold = 0;
  double p50_ms = 0, p95_ms = 0, avg_init_ms = 0, avg_simulated_init_ms = 0;
  double gb_seconds = 0;  // observed
  double cost = 0;        // observed, list price, before the free tier
  double cpu_share = -1;  // CPU time / duration over the invocations that measured it
};

struct ServiceSummary {
  std::string service, billing_class, unit;
  int64_t calls = 0;
  double units = 0, cost = 0;  // observed, list price
  bool priced = true;
};

struct MemoryPoint {
  int memory_mb = 0;
  double p50_ms = 0, p95_ms = 0, avg_ms = 0;
  double monthly_cost = 0;  // this function's share, projected, before the free tier
  double cost_per_million = 0;
  int calls = 0;            // re-run calls at this size (0: modeled)
  int samples = 0;          // of which ran and were measured
  int errors = 0;           // of which failed
};

struct WhatIf {
  std::string function;
  // "re-run: N stored events at each size, CPU capped (...)", "cpu model (why not re-run)"
  // or "no CPU data: durations unchanged"
  std::string method;
  std::vector<MemoryPoint> points;
  int cheapest_mb = 0, fastest_mb = 0;  // among the sizes where no re-run call failed
};

// The projected month's function bill (compute and invocations, free tier as set) under
// another provider's sheet.
struct ProviderTotal {
  std::string sheet, provider;
  double monthly = 0;
};

struct BreakEven {
  std::string vm;
  double vm_monthly = 0;
  double cost_per_request = 0;     // functions and API requests, list price
  double requests_per_month = 0;   // where serverless costs as much as the VM
  double requests_per_second = 0;
};

struct CostReport {
  std::string sheet, provider, region, currency, sheet_source;
  std::string cpu_note;  // how CPU was capped when the invocations ran
  int64_t first_ms = 0, last_ms = 0;
  double observed_requests = 0, factor = 1, monthly_requests = 0;
  std::string projection;  // "as observed", "x10", "10000000 requests / month"
  std::vector<FunctionSummary> functions;
  std::vector<ServiceSummary> services;
  MonthlyBill monthly;
  std::vector<WhatIf> what_if;
  std::vector<ProviderTotal> providers;
  std::optional<BreakEven> break_even;
};

// Reads the stored invocations (successes and function errors: what the cloud bills) and
// API request totals from `db`, filling runtime from `project` when it names the function.
Result<std::vector<StoredInvocation>> ReadInvocations(storage::Db& db,
                                                      const config::ProjectConfig* project);

// Computes the report. `others` are the sheets to compare with (the active one may be
// among them). InvalidArgument for options that cannot apply (--monthly-requests with no
// invocations).
Result<CostReport> BuildCostReport(const std::vector<StoredInvocation>& invocations,
                                   const std::vector<RequestTotals>& requests,
                                   const PriceSheet& sheet, const std::vector<PriceSheet>& others,
                                   const CostOptions& options);

// The modeled duration of `inv` at `memory_mb` (see the file comment).
double ModeledDuration(const StoredInvocation& inv, int memory_mb);

// The value at quantile q (nearest rank) of `values`; 0 when empty.
double Percentile(std::vector<double> values, double q);

}  // namespace stratus::billing
