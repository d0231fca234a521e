// The three renderings of a CostReport for `stratus cost`: a terminal table, one JSON object,
// and a self-contained HTML page with inline SVG charts (no scripts, no external resources).
// Pure functions of the report; no threading rule.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "emulator/billing/cost_report.h"

namespace stratus::cli {

std::string CostTable(const billing::CostReport& report);      // cli/cost_table.cc
nlohmann::json CostJson(const billing::CostReport& report);    // cli/cost_json.cc
std::string CostHtml(const billing::CostReport& report);       // cli/cost_html.cc

// "$1,234.57", "$0.000123": money with enough digits to be read.
std::string Money(double amount);

}  // namespace stratus::cli
