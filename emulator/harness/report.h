// Reports of a scenario run: the terminal text (a line per scenario, the failure's step,
// message, diff and log lines, and the final "N passed, N failed"), JUnit XML (the schema
// CI servers read: testsuites > testsuite per file > testcase per scenario > failure), and
// JSON. No threading rule; pure functions of the results.
#pragma once

#include <string>
#include <vector>

#include "emulator/harness/runner.h"

namespace stratus::harness {

// "PASS name (file, 0.12 s)" or "FAIL ..." followed by the indented failure.
std::string FormatResult(const ScenarioResult& result);
// "N passed, N failed".
std::string FormatSummary(const std::vector<ScenarioResult>& results);
std::string JunitXml(const std::vector<ScenarioResult>& results);
std::string JsonReport(const std::vector<ScenarioResult>& results);

}  // namespace stratus::harness
