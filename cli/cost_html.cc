// `stratus cost --html FILE`: one self-contained page, inline CSS and SVG, no scripts and no
// external resources, so it opens offline and can be attached to a CI run.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/cost_output.h"
#include "emulator/util/escape.h"
#include "emulator/util/time_format.h"

namespace stratus::cli {

namespace {

constexpr int kWidth = 520, kHeight = 260, kLeft = 70, kRight = 20, kTop = 30, kBottom = 45;

std::string Num(const char* format, double v) {
  char text[64];
  std::snprintf(text, sizeof text, format, v);
  return text;
}

struct Series {
  std::string title, y_label;
  std::vector<double> x, y;
  std::vector<std::string> x_labels;
  int highlight = -1;  // index drawn larger
};

// A line chart of `s`, x spaced evenly (memory sizes are usually doublings).
std::string LineChart(const Series& s, const std::string& css_class) {
  double top = *std::max_element(s.y.begin(), s.y.end());
  if (top <= 0) top = 1;
  int plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  auto px = [&](size_t i) {
    return kLeft + (s.y.size() == 1 ? plot_w / 2.0 : plot_w * double(i) / (s.y.size() - 1));
  };
  auto py = [&](double v) { return kTop + plot_h * (1 - v / (top * 1.1)); };
  std::string svg = "<svg class=\"chart " + css_class + "\" xmlns=\"http://www.w3.org/2000/svg\" " +
                    "width=\"" + std::to_string(kWidth) + "\" height=\"" + std::to_string(kHeight) +
                    "\" viewBox=\"0 0 " + std::to_string(kWidth) + " " + std::to_string(kHeight) +
                    "\" role=\"img\"><title>" + XmlEscape(s.title) + "</title>";
  svg += "<text x=\"" + std::to_string(kLeft) + "\" y=\"18\" class=\"t\">" + XmlEscape(s.title) + "</text>";
  svg += "<line x1=\"" + std::to_string(kLeft) + "\" y1=\"" + std::to_string(kTop + plot_h) +
         "\" x2=\"" + std::to_string(kLeft + plot_w) + "\" y2=\"" + std::to_string(kTop + plot_h) +
         "\" class=\"axis\"/><line x1=\"" + std::to_string(kLeft) + "\" y1=\"" +
         std::to_string(kTop) + "\" x2=\"" + std::to_string(kLeft) + "\" y2=\"" +
         std::to_string(kTop + plot_h) + "\" class=\"axis\"/>";
  for (double f : {0.0, 0.5, 1.0}) {
    double v = top * 1.1 * f;
    svg += "<text x=\"" + std::to_string(kLeft - 6) + "\" y=\"" + Num("%.1f", py(v) + 4) +
           "\" class=\"yl\">" + XmlEscape(s.y_label == "$" ? Money(v) : Num("%.1f", v)) + "</text>";
  }
  std::string points;
  for (size_t i = 0; i < s.y.size(); ++i) points += Num("%.1f,", px(i)) + Num("%.1f ", py(s.y[i]));
  svg += "<polyline points=\"" + points + "\" class=\"line\"/>";
  for (size_t i = 0; i < s.y.size(); ++i) {
    bool mark = static_cast<int>(i) == s.highlight;
    svg += "<circle cx=\"" + Num("%.1f", px(i)) + "\" cy=\"" + Num("%.1f", py(s.y[i])) +
           "\" r=\"" + (mark ? "6" : "3.5") + "\" class=\"" + (mark ? "best" : "pt") + "\"/>";
    svg += "<text x=\"" + Num("%.1f", px(i)) + "\" y=\"" + std::to_string(kTop + plot_h + 16) +
           "\" class=\"xl\">" + XmlEscape(s.x_labels[i]) + "</text>";
  }
  svg += "<text x=\"" + std::to_string(kLeft + plot_w / 2) + "\" y=\"" +
         std::to_string(kHeight - 6) + "\" class=\"xl\">memory (MB)</text></svg>";
  return svg;
}

// "10 runs", "2 of 10 failed", or "model".
std::string Measured(const billing::MemoryPoint& p) {
  if (p.calls == 0) return "model";
  if (p.errors == 0) return std::to_string(p.calls) + " runs";
  return std::to_string(p.errors) + " of " + std::to_string(p.calls) + " failed";
}

std::string WhatIfSection(const billing::WhatIf& w) {
  Series cost{"Monthly cost of " + w.function + " by memory", "$", {}, {}, {}, -1};
  Series time{"Average duration of " + w.function + " by memory (ms)", "ms", {}, {}, {}, -1};
  for (size_t i = 0; i < w.points.size(); ++i) {
    const auto& p = w.points[i];
    for (Series* s : {&cost, &time}) {
      s->x.push_back(p.memory_mb);
      s->x_labels.push_back(std::to_string(p.memory_mb));
    }
    cost.y.push_back(p.monthly_cost);
    time.y.push_back(p.avg_ms);
    if (p.memory_mb == w.cheapest_mb) cost.highlight = static_cast<int>(i);
    if (p.memory_mb == w.fastest_mb) time.highlight = static_cast<int>(i);
  }
  std::string out = "<section><h2>Memory what-if: " + XmlEscape(w.function) + "</h2><p>Cheapest: <b>" +
                    std::to_string(w.cheapest_mb) + " MB</b>. Fastest: <b>" +
                    std::to_string(w.fastest_mb) + " MB</b>. Method: " + XmlEscape(w.method) +
                    ".</p><div class=\"charts\">" + LineChart(cost, "cost-vs-memory") +
                    LineChart(time, "duration-vs-memory") + "</div><table><tr><th>memory</th>"
                    "<th>p50 ms</th><th>p95 ms</th><th>avg ms</th><th>per 1M</th><th>month</th>"
                    "<th>measured</th></tr>";
  for (const auto& p : w.points) {
    out += "<tr><td>" + std::to_string(p.memory_mb) + " MB</td><td>" + Num("%.2f", p.p50_ms) +
           "</td><td>" + Num("%.2f", p.p95_ms) + "</td><td>" + Num("%.2f", p.avg_ms) + "</td><td>" +
           Money(p.cost_per_million) + "</td><td>" + Money(p.monthly_cost) + "</td><td>" +
           Measured(p) + "</td></tr>";
  }
  return out + "</table></section>";
}

std::string FunctionsSection(const billing::CostReport& r) {
  std::string out = "<section><h2>Functions</h2><table><tr><th>function</th><th>memory</th>"
                    "<th>arch</th><th>requests</th><th>cold</th><th>p50 ms</th><th>p95 ms</th>"
                    "<th>GB-s</th><th>cost (list)</th></tr>";
  for (const auto& f : r.functions) {
    out += "<tr><td>" + XmlEscape(f.name) + "</td><td>" + std::to_string(f.memory_mb) + " MB</td><td>" +
           XmlEscape(f.arch) + "</td><td>" + std::to_string(f.invocations) + "</td><td>" +
           std::to_string(f.cold) + "</td><td>" + Num("%.2f", f.p50_ms) + "</td><td>" +
           Num("%.2f", f.p95_ms) + "</td><td>" + Num("%.4f", f.gb_seconds) + "</td><td>" +
           Money(f.cost) + "</td></tr>";
  }
  out += "</table><h2>API requests</h2><table><tr><th>service</th><th>class</th><th>calls</th>"
         "<th>units</th><th>cost (list)</th></tr>";
  for (const auto& s : r.services) {
    out += "<tr><td>" + XmlEscape(s.service) + "</td><td>" + XmlEscape(s.billing_class) + "</td><td>" +
           std::to_string(s.calls) + "</td><td>" + Num("%.1f", s.units) + " " + XmlEscape(s.unit) +
           "</td><td>" + (s.priced ? Money(s.cost) : "unpriced") + "</td></tr>";
  }
  return out + "</table></section>";
}

std::string MonthSection(const billing::CostReport& r) {
  std::string out = "<section><h2>Month: " + XmlEscape(r.projection) + "</h2><table>";
  out += "<tr><td>function requests</td><td>" + Money(r.monthly.requests) + "</td></tr>";
  out += "<tr><td>function compute</td><td>" + Money(r.monthly.compute) + "</td></tr>";
  for (const auto& [service, classes] : r.monthly.services) {
    for (const auto& [cls, cost] : classes) {
      out += "<tr><td>" + XmlEscape(service + " " + cls) + "</td><td>" + Money(cost) + "</td></tr>";
    }
  }
  out += "<tr><th>total</th><th>" + Money(r.monthly.total) + "</th></tr></table>";
  if (!r.providers.empty()) {
    out += "<h2>Same functions elsewhere</h2><table>";
    for (const auto& p : r.providers) {
      out += "<tr><td>" + XmlEscape(p.sheet) + "</td><td>" + Money(p.monthly) + "</td></tr>";
    }
    out += "</table>";
  }
  if (r.break_even) {
    const auto& b = *r.break_even;
    out += "<p>Break-even against " + XmlEscape(b.vm) + " (" + Money(b.vm_monthly) + " a month): " +
           Num("%.0f", b.requests_per_month) + " requests a month (" +
           Num("%.2f", b.requests_per_second) + " per second).</p>";
  }
  return out + "</section>";
}

const char* kStyle =
    "body{font:14px system-ui,sans-serif;margin:24px;color:#222}"
    "table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;"
    "text-align:right}td:first-child,th:first-child{text-align:left}"
    ".charts{display:flex;flex-wrap:wrap;gap:16px}.chart{border:1px solid #ddd}"
    ".axis{stroke:#888}.line{fill:none;stroke:#2a6fdb;stroke-width:2}.pt{fill:#2a6fdb}"
    ".best{fill:#e0531f}.t{font-size:13px;font-weight:600}.xl{font-size:11px;text-anchor:middle}"
    ".yl{font-size:11px;text-anchor:end}";

}  // namespace

std::string CostHtml(const billing::CostReport& r) {
  std::string out = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>stratus "
                    "cost: " + XmlEscape(r.sheet) + "</title><style>" + kStyle + "</style></head><body>";
  out += "<h1>stratus cost</h1><p>Price sheet <b>" + XmlEscape(r.sheet) + "</b> (" +
         XmlEscape(r.provider + " " + r.region + ", " + r.currency) + "), <a href=\"" +
         XmlEscape(r.sheet_source) + "\">" + XmlEscape(r.sheet_source) + "</a>.</p>";
  if (r.observed_requests > 0) {
    out += "<p>Observed " + Num("%.0f", r.observed_requests) + " invocations, " +
           IsoTimeUtc(r.first_ms) + " to " + IsoTimeUtc(r.last_ms) + ".</p>";
  }
  if (!r.cpu_note.empty()) out += "<p>CPU: " + XmlEscape(r.cpu_note) + "</p>";
  out += FunctionsSection(r) + MonthSection(r);
  for (const auto& w : r.what_if) out += WhatIfSection(w);
  return out + "</body></html>\n";
}

}  // namespace stratus::cli
