// `stratus cost --json`: the report as one JSON object (numbers unrounded).
#include "cli/cost_output.h"

namespace stratus::cli {

namespace {

nlohmann::json FunctionsJson(const billing::CostReport& r) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& f : r.functions) {
    out.push_back({{"name", f.name},           {"runtime", f.runtime},
                   {"architecture", f.arch},   {"memory_mb", f.memory_mb},
                   {"requests", f.invocations}, {"cold", f.cold},
                   {"p50_ms", f.p50_ms},       {"p95_ms", f.p95_ms},
                   {"avg_init_ms", f.avg_init_ms},
                   {"avg_simulated_init_ms", f.avg_simulated_init_ms},
                   {"gb_seconds", f.gb_seconds}, {"cost", f.cost},
                   {"cpu_share", f.cpu_share}, {"cpu_limit", f.cpu_limit}});
  }
  return out;
}

nlohmann::json WhatIfJson(const billing::CostReport& r) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& w : r.what_if) {
    nlohmann::json points = nlohmann::json::array();
    for (const auto& p : w.points) {
      points.push_back({{"memory_mb", p.memory_mb}, {"p50_ms", p.p50_ms}, {"p95_ms", p.p95_ms},
                        {"avg_ms", p.avg_ms}, {"monthly_cost", p.monthly_cost},
                        {"cost_per_million", p.cost_per_million}, {"calls", p.calls}, {"samples", p.samples},
                        {"errors", p.errors}});
    }
    out.push_back({{"function", w.function}, {"method", w.method}, {"points", points},
                   {"cheapest_mb", w.cheapest_mb}, {"fastest_mb", w.fastest_mb}});
  }
  return out;
}

}  // namespace

nlohmann::json CostJson(const billing::CostReport& r) {
  nlohmann::json services = nlohmann::json::array();
  for (const auto& s : r.services) {
    services.push_back({{"service", s.service}, {"class", s.billing_class}, {"calls", s.calls},
                        {"units", s.units}, {"unit", s.unit}, {"cost", s.cost},
                        {"priced", s.priced}});
  }
  nlohmann::json month = {{"requests", r.monthly.requests},
                          {"compute", r.monthly.compute},
                          {"services", r.monthly.services},
                          {"unpriced", r.monthly.unpriced},
                          {"total", r.monthly.total}};
  nlohmann::json providers = nlohmann::json::array();
  for (const auto& p : r.providers) {
    providers.push_back({{"sheet", p.sheet}, {"provider", p.provider}, {"monthly", p.monthly}});
  }
  nlohmann::json out = {
      {"sheet", {{"name", r.sheet}, {"provider", r.provider}, {"region", r.region},
                 {"currency", r.currency}, {"source", r.sheet_source}}},
      {"cpu", r.cpu_note},
      {"observed", {{"requests", r.observed_requests}, {"first_ms", r.first_ms},
                    {"last_ms", r.last_ms}}},
      {"projection", {{"label", r.projection}, {"factor", r.factor},
                      {"monthly_requests", r.monthly_requests}}},
      {"functions", FunctionsJson(r)},
      {"services", services},
      {"month", month},
      {"what_if", WhatIfJson(r)},
      {"providers", providers},
      {"break_even", nullptr},
  };
  if (r.break_even) {
    const auto& b = *r.break_even;
    out["break_even"] = {{"vm", b.vm}, {"vm_monthly", b.vm_monthly},
                         {"cost_per_request", b.cost_per_request},
                         {"requests_per_month", b.requests_per_month},
                         {"requests_per_second", b.requests_per_second}};
  }
  return out;
}

}  // namespace stratus::cli
