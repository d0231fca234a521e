// `stratus cost` as terminal tables.
#include <cmath>
#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

#include "cli/cost_output.h"
#include "emulator/util/time_format.h"

namespace stratus::cli {

namespace {

std::string Format(const char* format, double value) {
  char text[64];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

// Columns padded to their widest cell; the first column left-aligned, the rest right.
std::string Table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()), 0);
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      std::string pad(widths[i] - row[i].size(), ' ');
      line += (i ? "  " : "") + (i == 0 ? row[i] + pad : pad + row[i]);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += "  " + line + "\n";
  }
  return out;
}

std::string FunctionsTable(const billing::CostReport& r) {
  std::vector<std::vector<std::string>> rows = {
      {"function", "memory", "arch", "requests", "cold", "p50 ms", "p95 ms", "init ms", "GB-s",
       "cost (list)"}};
  for (const auto& f : r.functions) {
    rows.push_back({f.name, std::to_string(f.memory_mb) + " MB", f.arch,
                    std::to_string(f.invocations), std::to_string(f.cold),
                    Format("%.2f", f.p50_ms), Format("%.2f", f.p95_ms),
                    f.cold ? Format("%.1f", f.avg_init_ms) : "-", Format("%.4f", f.gb_seconds),
                    Money(f.cost)});
  }
  return Table(rows);
}

std::string ServicesTable(const billing::CostReport& r) {
  if (r.services.empty()) return "  (no API requests recorded)\n";
  std::vector<std::vector<std::string>> rows = {{"service", "class", "calls", "units", "cost (list)"}};
  for (const auto& s : r.services) {
    rows.push_back({s.service, s.billing_class, std::to_string(s.calls),
                    Format("%.1f", s.units) + " " + s.unit, s.priced ? Money(s.cost) : "unpriced"});
  }
  return Table(rows);
}

std::string WhatIfTables(const billing::CostReport& r) {
  std::string out;
  for (const auto& w : r.what_if) {
    out += "\nMemory what-if for " + w.function + " (" + w.method + "):\n";
    std::vector<std::vector<std::string>> rows = {
        {"memory", "p50 ms", "p95 ms", "avg ms", "per 1M requests", "month", ""}};
    for (const auto& p : w.points) {
      std::string mark = p.memory_mb == w.cheapest_mb ? "cheapest" : "";
      if (p.memory_mb == w.fastest_mb) mark += mark.empty() ? "fastest" : ", fastest";
      if (p.errors > 0) {
        mark += (mark.empty() ? "" : ", ") + std::to_string(p.errors) + " of " +
                std::to_string(p.calls) + " failed";
      }
      rows.push_back({std::to_string(p.memory_mb) + " MB", Format("%.2f", p.p50_ms),
                      Format("%.2f", p.p95_ms), Format("%.2f", p.avg_ms), Money(p.cost_per_million),
                      Money(p.monthly_cost), mark});
    }
    out += Table(rows);
  }
  return out;
}

std::string MonthSection(const billing::CostReport& r) {
  std::string out = "\nMonth (" + r.projection + ", " + Format("%.0f", r.monthly_requests) +
                    " invocations):\n";
  std::vector<std::vector<std::string>> rows = {{"function requests", Money(r.monthly.requests)},
                                                {"function compute", Money(r.monthly.compute)}};
  for (const auto& [service, classes] : r.monthly.services) {
    for (const auto& [cls, cost] : classes) rows.push_back({service + " " + cls, Money(cost)});
  }
  rows.push_back({"total", Money(r.monthly.total)});
  out += Table(rows);
  for (const auto& [name, why] : r.monthly.unpriced) out += "  " + name + ": " + why + "\n";
  return out;
}

}  // namespace

std::string Money(double amount) {
  if (amount != 0 && std::fabs(amount) < 0.01) return Format("$%.6f", amount);
  std::string digits = Format("%.2f", amount);
  size_t dot = digits.find('.');
  for (int i = static_cast<int>(dot) - 3; i > (digits[0] == '-' ? 1 : 0); i -= 3) {
    digits.insert(static_cast<size_t>(i), ",");
  }
  return "$" + digits;
}

std::string CostTable(const billing::CostReport& r) {
  std::string out = "Price sheet " + r.sheet + " (" + r.provider + " " + r.region + ", " +
                    r.currency + "), " + r.sheet_source + "\n";
  if (r.observed_requests == 0) {
    out += "No invocations recorded yet.\n";
  } else {
    out += "Observed " + Format("%.0f", r.observed_requests) + " invocations, " +
           IsoTimeUtc(r.first_ms) + " to " + IsoTimeUtc(r.last_ms) + "\n";
  }
  if (!r.cpu_note.empty()) out += "CPU: " + r.cpu_note + "\n";
  out += "\nFunctions:\n" + FunctionsTable(r) + "\nAPI requests:\n" + ServicesTable(r);
  out += MonthSection(r);
  out += WhatIfTables(r);
  if (!r.providers.empty()) {
    out += "\nSame functions elsewhere (compute and invocations, month):\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& p : r.providers) rows.push_back({p.sheet, p.provider, Money(p.monthly)});
    out += Table(rows);
  }
  if (r.break_even) {
    const auto& b = *r.break_even;
    out += "\nBreak-even against " + b.vm + " (" + Money(b.vm_monthly) + " / month): " +
           Format("%.0f", b.requests_per_month) + " requests / month (" +
           Format("%.2f", b.requests_per_second) + " / s) at " + Money(b.cost_per_request) +
           " per request\n";
  }
  return out;
}

}  // namespace stratus::cli
