// Golden checks for Lambda events: an event stratus builds compared field by field with
// AWS's documented example of the same event (fixtures/events/). Shared by the live
// gateway's tests and `stratus event generate`'s, so both meet the same checks.
#pragma once

#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace stratus::testing {

// The example fixtures/events/NAME, parsed; fails the test when it cannot be read.
nlohmann::json GoldenEvent(const std::string& name);

struct GoldenRules {
  std::set<std::string> ignore_value;   // present, any value (ids, times, the client's address)
  std::set<std::string> may_be_absent;  // features stratus does not emulate
  bool lower_case_headers = false;      // payload 2.0 lower-cases header names
};

// The rules for AWS's payload format 2.0 (HTTP API) and 1.0 (REST API) examples, for an
// event of a request matching the example.
GoldenRules HttpApiRules();
GoldenRules RestApiRules();

// Differences between `golden` and `actual`, as "path: what" lines. Header maps are compared
// one way (a client sends more headers than the example shows).
std::vector<std::string> CompareWithGolden(const nlohmann::json& golden,
                                           const nlohmann::json& actual,
                                           const GoldenRules& rules);

std::string JoinLines(const std::vector<std::string>& lines);

}  // namespace stratus::testing
