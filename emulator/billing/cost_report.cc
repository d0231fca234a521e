#include "emulator/billing/cost_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "emulator/functions/limits.h"
#include "emulator/storage/db.h"

namespace stratus::billing {

namespace {

constexpr double kHoursPerMonth = 730;

// The CPU share an invocation had when it ran: its cap, or one full core when uncapped.
double ShareThen(const StoredInvocation& inv) {
  if (inv.cpu_limit.find("vCPU") == std::string::npos) return 1;
  return std::min(1.0, functions::CpuLimiter::VcpusFor(inv.memory_mb));
}

InvocationUsage UsageAt(const StoredInvocation& inv, int memory_mb, double duration_ms) {
  return {memory_mb, inv.max_memory_mb, duration_ms, inv.cold ? inv.init_ms : 0, inv.arch};
}

// The month's usage of `invocations` under `prices`, each at `memory_mb` (0: its own) with
// modeled durations when memory changes (or `durations[i]` when given), scaled by `factor`.
MonthlyUsage UsageOf(const std::vector<const StoredInvocation*>& invocations,
                     const FunctionPrices& prices, int memory_mb, double factor,
                     const std::vector<double>* durations = nullptr) {
  MonthlyUsage usage;
  for (size_t i = 0; i < invocations.size(); ++i) {
    const StoredInvocation* inv = invocations[i];
    int mb = memory_mb > 0 ? memory_mb : inv->memory_mb;
    double duration = durations ? (*durations)[i]
                      : mb == inv->memory_mb ? inv->duration_ms
                                             : ModeledDuration(*inv, mb);
    InvocationCharge c = ChargeInvocation(prices, UsageAt(*inv, mb, duration));
    usage.requests += factor;
    usage.gb_seconds[inv->arch] += c.gb_seconds * factor;
    usage.vcpu_seconds += c.vcpu_seconds * factor;
  }
  return usage;
}

std::vector<const StoredInvocation*> All(const std::vector<StoredInvocation>& invocations) {
  std::vector<const StoredInvocation*> all;
  for (const auto& inv : invocations) all.push_back(&inv);
  return all;
}

FunctionSummary Summarize(const std::string& name, const std::vector<const StoredInvocation*>& invs,
                          const FunctionPrices& prices) {
  FunctionSummary s;
  s.name = name;
  const StoredInvocation& last = *invs.back();
  s.runtime = last.runtime;
  s.arch = last.arch;
  s.memory_mb = last.memory_mb;
  s.cpu_limit = last.cpu_limit;
  std::vector<double> durations;
  double cpu = 0, cpu_wall = 0;
  for (const StoredInvocation* inv : invs) {
    ++s.invocations;
    durations.push_back(inv->duration_ms);
    if (inv->cold) {
      ++s.cold;
      s.avg_init_ms += inv->init_ms;
      s.avg_simulated_init_ms += inv->init_simulated_ms;
    }
    InvocationCharge c = ChargeInvocation(prices, UsageAt(*inv, inv->memory_mb, inv->duration_ms));
    s.gb_seconds += c.gb_seconds;
    s.cost += c.cost;
    if (inv->cpu_ms >= 0 && inv->duration_ms > 0) {
      cpu += inv->cpu_ms;
      cpu_wall += inv->duration_ms;
    }
  }
  if (s.cold > 0) {
    s.avg_init_ms /= s.cold;
    s.avg_simulated_init_ms /= s.cold;
  }
  s.p50_ms = Percentile(durations, 0.50);
  s.p95_ms = Percentile(durations, 0.95);
  if (cpu_wall > 0) s.cpu_share = std::min(1.0, cpu / cpu_wall);
  return s;
}

// The re-run at `mb` when it measured at least one call, else null.
const RerunSample* MeasuredAt(const Rerun* rerun, int mb) {
  if (!rerun) return nullptr;
  for (const RerunSample& sample : rerun->sizes) {
    if (sample.memory_mb == mb && !sample.durations_ms.empty()) return &sample;
  }
  return nullptr;
}

std::string WhatIfMethod(const Rerun* rerun, const std::vector<MemoryPoint>& points,
                         bool cpu_measured, const std::string& rerun_note) {
  std::string modeled, caps;
  for (const MemoryPoint& p : points) {
    if (p.samples == 0) modeled += (modeled.empty() ? "" : ", ") + std::to_string(p.memory_mb) + " MB";
  }
  bool any_measured =
      std::any_of(points.begin(), points.end(), [](const MemoryPoint& p) { return p.samples > 0; });
  if (rerun && any_measured) {
    // "0.072 vCPU (cgroup v1 cpu.cfs_quota_us)": the share per size, the mechanism once.
    std::string mechanism;
    for (const RerunSample& s : rerun->sizes) {
      size_t paren = s.cpu_limit.find(" (");
      caps += (caps.empty() ? "" : ", ") + s.cpu_limit.substr(0, paren) + " at " +
              std::to_string(s.memory_mb) + " MB";
      if (paren != std::string::npos) mechanism = s.cpu_limit.substr(paren + 2, s.cpu_limit.size() - paren - 3);
    }
    std::string method = "re-run: " + std::to_string(rerun->events) +
                         " stored events at each size, CPU capped by " + mechanism + ": " + caps;
    if (!modeled.empty()) method += "; cpu model where every call failed: " + modeled;
    return method;
  }
  if (!cpu_measured) return "no CPU data: durations unchanged";
  return rerun_note.empty() ? "cpu model" : "cpu model (" + rerun_note + ")";
}

// One what-if point: the re-run's measured durations, cycled over the stored invocations so
// their count and cold starts stay those observed, or else the CPU model's.
MemoryPoint WhatIfPoint(const std::vector<const StoredInvocation*>& invs, int mb,
                        const RerunSample* measured, const PriceSheet& sheet, double factor) {
  MemoryPoint p;
  p.memory_mb = mb;
  std::vector<double> measured_durations, durations;
  if (measured) {
    measured_durations = measured->durations_ms;
    p.calls = measured->calls;
    p.samples = static_cast<int>(measured_durations.size());
    p.errors = measured->errors;
  }
  for (size_t i = 0; i < invs.size(); ++i) {
    durations.push_back(measured ? measured_durations[i % measured_durations.size()]
                                 : ModeledDuration(*invs[i], mb));
  }
  const std::vector<double>& shown = measured ? measured_durations : durations;
  p.p50_ms = Percentile(shown, 0.5);
  p.p95_ms = Percentile(shown, 0.95);
  for (double d : shown) p.avg_ms += d / shown.size();
  MonthlyBill bill = PriceMonth(sheet, UsageOf(invs, sheet.functions, mb, factor, &durations), false);
  p.monthly_cost = bill.total;
  p.cost_per_million = bill.total / (invs.size() * factor) * 1e6;
  return p;
}

WhatIf MemoryWhatIf(const std::string& name, const std::vector<const StoredInvocation*>& invs,
                    const PriceSheet& sheet, const CostOptions& options, double factor) {
  WhatIf w;
  w.function = name;
  auto found = options.reruns.find(name);
  const Rerun* rerun = found == options.reruns.end() ? nullptr : &found->second;
  for (int mb : options.memory_sizes) {
    w.points.push_back(WhatIfPoint(invs, mb, MeasuredAt(rerun, mb), sheet, factor));
  }
  bool cpu_measured = std::any_of(invs.begin(), invs.end(),
                                  [](const StoredInvocation* i) { return i->cpu_ms >= 0; });
  w.method = WhatIfMethod(rerun, w.points, cpu_measured, options.rerun_note);
  if (w.points.empty()) return w;
  // A size where calls failed (out of memory, say) is no recommendation, unless all are so.
  std::vector<const MemoryPoint*> usable;
  for (const MemoryPoint& p : w.points) if (p.errors == 0) usable.push_back(&p);
  if (usable.empty()) for (const MemoryPoint& p : w.points) usable.push_back(&p);
  auto cheapest = *std::min_element(usable.begin(), usable.end(), [](auto* a, auto* b) {
    return a->monthly_cost < b->monthly_cost;
  });
  auto fastest = *std::min_element(usable.begin(), usable.end(), [](auto* a, auto* b) {
    return a->avg_ms < b->avg_ms || (a->avg_ms == b->avg_ms && a->monthly_cost < b->monthly_cost);
  });
  w.cheapest_mb = cheapest->memory_mb;
  w.fastest_mb = fastest->memory_mb;
  return w;
}

std::vector<ServiceSummary> Services(const std::vector<RequestTotals>& requests,
                                     const PriceSheet& sheet, double factor,
                                     MonthlyUsage& usage) {
  std::vector<ServiceSummary> out;
  for (const RequestTotals& t : requests) {
    ServiceSummary s{t.service, t.billing_class, "request", t.calls, t.units, 0, false};
    auto svc = sheet.requests.find(t.service);
    if (svc != sheet.requests.end() && svc->second.count(t.billing_class)) {
      const RequestClass& rc = svc->second.at(t.billing_class);
      s.unit = rc.unit;
      s.priced = true;
      s.cost = TieredCost(rc.tiers, t.units);
    }
    usage.units[t.service][t.billing_class] += t.units * factor;
    out.push_back(s);
  }
  return out;
}

std::optional<BreakEven> VmBreakEven(const PriceSheet& sheet, const CostReport& report) {
  if (!sheet.vm || report.observed_requests <= 0) return std::nullopt;
  double observed_cost = 0;
  for (const auto& f : report.functions) observed_cost += f.cost;
  for (const auto& s : report.services) observed_cost += s.cost;
  BreakEven b;
  b.vm = sheet.vm->name;
  b.vm_monthly = sheet.vm->hourly * kHoursPerMonth;
  b.cost_per_request = observed_cost / report.observed_requests;
  if (b.cost_per_request <= 0) return std::nullopt;
  b.requests_per_month = b.vm_monthly / b.cost_per_request;
  b.requests_per_second = b.requests_per_month / (kHoursPerMonth * 3600);
  return b;
}

std::string Projection(const CostOptions& options, double factor) {
  char text[96];
  if (options.monthly_requests) {
    std::snprintf(text, sizeof text, "%.0f requests / month (x%g)", *options.monthly_requests, factor);
  } else if (options.scale) {
    std::snprintf(text, sizeof text, "x%g", factor);
  } else {
    return "as observed (x1)";
  }
  return text;
}

}  // namespace

double Percentile(std::vector<double> values, double q) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  size_t rank = static_cast<size_t>(std::ceil(q * values.size()));
  return values[std::min(values.size() - 1, rank == 0 ? 0 : rank - 1)];
}

double ModeledDuration(const StoredInvocation& inv, int memory_mb) {
  if (inv.cpu_ms < 0 || memory_mb == inv.memory_mb) return inv.duration_ms;
  double cpu_wall = std::min(inv.duration_ms, inv.cpu_ms / ShareThen(inv));
  double other = inv.duration_ms - cpu_wall;
  double share_now = std::min(1.0, functions::CpuLimiter::VcpusFor(memory_mb));
  return other + inv.cpu_ms / share_now;
}

Result<CostReport> BuildCostReport(const std::vector<StoredInvocation>& invocations,
                                   const std::vector<RequestTotals>& requests,
                                   const PriceSheet& sheet, const std::vector<PriceSheet>& others,
                                   const CostOptions& options) {
  CostReport r;
  r.sheet = sheet.name;
  r.provider = sheet.provider;
  r.region = sheet.region;
  r.currency = sheet.currency;
  r.sheet_source = sheet.functions.cite.source;
  r.observed_requests = static_cast<double>(invocations.size());
  if (options.monthly_requests && invocations.empty()) {
    return Status::InvalidArgument("--monthly-requests needs recorded invocations to scale");
  }
  r.factor = options.monthly_requests ? *options.monthly_requests / r.observed_requests
                                      : options.scale.value_or(1.0);
  r.monthly_requests = r.observed_requests * r.factor;
  r.projection = Projection(options, r.factor);
  std::map<std::string, std::vector<const StoredInvocation*>> by_function;
  for (const auto& inv : invocations) {
    by_function[inv.function].push_back(&inv);
    r.first_ms = r.first_ms == 0 ? inv.start_ms : std::min(r.first_ms, inv.start_ms);
    r.last_ms = std::max(r.last_ms, inv.start_ms);
    if (r.cpu_note.empty() && !inv.cpu_limit.empty()) r.cpu_note = inv.cpu_limit;
  }
  for (const auto& [name, invs] : by_function) {
    r.functions.push_back(Summarize(name, invs, sheet.functions));
    if (!options.memory_sizes.empty()) {
      r.what_if.push_back(MemoryWhatIf(name, invs, sheet, options, r.factor));
    }
  }
  MonthlyUsage usage = UsageOf(All(invocations), sheet.functions, 0, r.factor);
  r.services = Services(requests, sheet, r.factor, usage);
  r.monthly = PriceMonth(sheet, usage, options.free_tier);
  // Function compute and invocations only: other providers' API services differ too much to
  // map request by request.
  for (const PriceSheet& other : others) {
    MonthlyUsage theirs = UsageOf(All(invocations), other.functions, 0, r.factor);
    MonthlyBill bill = PriceMonth(other, theirs, options.free_tier);
    r.providers.push_back({other.name, other.provider, bill.total});
  }
  r.break_even = VmBreakEven(sheet, r);
  return r;
}

Result<std::vector<StoredInvocation>> ReadInvocations(storage::Db& db,
                                                      const config::ProjectConfig* project) {
  db.FlushPending();  // invocation records are written a few milliseconds late
  auto stmt = db.Prepare(
      "SELECT function, architecture, memory_mb, max_memory_mb, duration_ms, init_ms,"
      " init_simulated_ms, cold, cpu_ms, cpu_limit, start_ms FROM invocations"
      " WHERE outcome IN ('success', 'error') ORDER BY start_ms, rowid");
  if (!stmt.ok()) return stmt.status();
  std::vector<StoredInvocation> out;
  while (true) {
    auto row = (*stmt)->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    storage::Statement* s = *stmt;
    StoredInvocation inv;
    inv.function = s->Text(0);
    inv.arch = s->Text(1);
    inv.memory_mb = static_cast<int>(s->Int64(2));
    inv.max_memory_mb = static_cast<int>(s->Int64(3));
    inv.duration_ms = s->Double(4);
    inv.init_ms = s->Double(5);
    inv.init_simulated_ms = s->Double(6);
    inv.cold = s->Int64(7) != 0;
    inv.cpu_ms = s->Double(8);
    inv.cpu_limit = s->Text(9);
    inv.start_ms = s->Int64(10);
    if (project != nullptr) {
      auto fn = project->functions.find(inv.function);
      if (fn != project->functions.end()) inv.runtime = fn->second.runtime;
    }
    out.push_back(std::move(inv));
  }
  return out;
}

}  // namespace stratus::billing
