#include "tests/support/event_golden.h"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "tests/support/paths.h"

namespace stratus::testing {

namespace {

using nlohmann::json;

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

void Compare(const json& golden, const json& actual, const std::string& path,
             const GoldenRules& rules, std::vector<std::string>* diffs) {
  if (rules.ignore_value.count(path)) return;
  if (path == "headers" || path == "multiValueHeaders") {
    for (const auto& [name, value] : golden.items()) {
      std::string key = rules.lower_case_headers ? Lower(name) : name;
      if (!actual.contains(key)) {
        diffs->push_back(path + "." + key + ": missing");
      } else if (actual[key] != value) {
        diffs->push_back(path + "." + key + ": " + actual[key].dump() + " != " + value.dump());
      }
    }
    return;
  }
  if (golden.is_object() && actual.is_object()) {
    for (const auto& [key, value] : golden.items()) {
      std::string sub = path.empty() ? key : path + "." + key;
      if (!actual.contains(key)) {
        if (!rules.may_be_absent.count(sub)) diffs->push_back(sub + ": missing");
        continue;
      }
      Compare(value, actual[key], sub, rules, diffs);
    }
    for (const auto& [key, value] : actual.items()) {
      std::string sub = path.empty() ? key : path + "." + key;
      if (!golden.contains(key)) diffs->push_back(sub + ": not in AWS's example");
    }
    return;
  }
  if (golden != actual) diffs->push_back(path + ": " + actual.dump() + " != " + golden.dump());
}

}  // namespace

json GoldenEvent(const std::string& name) {
  std::ifstream in(SourceDir() + "/fixtures/events/" + name);
  REQUIRE_MESSAGE(in.good(), name);
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str());
}

GoldenRules HttpApiRules() {
  GoldenRules rules;
  rules.lower_case_headers = true;
  rules.ignore_value = {"requestContext.apiId", "requestContext.requestId",
                        "requestContext.time", "requestContext.timeEpoch",
                        "requestContext.http.sourceIp"};
  // No authorizer, no mutual TLS, no stage variables; $default has no path parameters.
  rules.may_be_absent = {"requestContext.authentication", "requestContext.authorizer",
                         "pathParameters", "stageVariables"};
  return rules;
}

GoldenRules RestApiRules() {
  GoldenRules rules;
  rules.ignore_value = {"requestContext.apiId",          "requestContext.requestId",
                        "requestContext.extendedRequestId", "requestContext.requestTime",
                        "requestContext.requestTimeEpoch", "requestContext.identity.sourceIp",
                        "requestContext.resourceId",
                        // The example shows the first of a repeated key here but the last
                        // of a repeated header; REST APIs keep the last of both (AWS's
                        // multi-value announcement), so stratus does. Checked in
                        // rest_api_test.cc instead.
                        "queryStringParameters.parameter1"};
  // "version" is what HTTP APIs add to 1.0 events; REST APIs send none.
  rules.may_be_absent = {"version", "requestContext.authorizer",
                         "requestContext.identity.clientCert"};
  return rules;
}

std::vector<std::string> CompareWithGolden(const json& golden, const json& actual,
                                           const GoldenRules& rules) {
  std::vector<std::string> diffs;
  Compare(golden, actual, "", rules, &diffs);
  return diffs;
}

std::string JoinLines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += line + "\n";
  return out;
}

}  // namespace stratus::testing
