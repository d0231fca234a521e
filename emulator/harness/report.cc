#include "emulator/harness/report.h"

#include <cstdio>
#include <map>

#include "emulator/util/escape.h"
#include "emulator/util/json.h"

namespace stratus::harness {

namespace {

std::string Seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", s);
  return buf;
}

std::string Indent(const std::string& text, const std::string& prefix) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out += prefix + text.substr(start, end - start) + "\n";
    start = end + 1;
  }
  return out;
}

// The failure as plain text: the body of a JUnit <failure> and of the terminal report.
std::string FailureText(const StepFailure& f) {
  std::string out = "step '" + f.step + "' at " + f.location + "\n" + Indent(f.message, "  ");
  if (!f.diff.empty()) out += Indent(f.diff, "  ");
  if (!f.logs.empty()) {
    out += "  function logs during the step:\n";
    for (const auto& line : f.logs) out += "    " + line + "\n";
  }
  return out;
}

}  // namespace

std::string FormatResult(const ScenarioResult& r) {
  std::string out = std::string(r.passed ? "PASS " : "FAIL ") + r.name + " (" + r.file + ", " +
                    Seconds(r.seconds) + " s)\n";
  if (r.failure) out += Indent(FailureText(*r.failure), "    ");
  return out;
}

std::string FormatSummary(const std::vector<ScenarioResult>& results) {
  size_t passed = 0;
  for (const auto& r : results) passed += r.passed ? 1 : 0;
  return std::to_string(passed) + " passed, " + std::to_string(results.size() - passed) + " failed";
}

std::string JunitXml(const std::vector<ScenarioResult>& results) {
  // One testsuite per file, in the order files first appear.
  std::vector<std::string> files;
  std::map<std::string, std::vector<const ScenarioResult*>> by_file;
  for (const auto& r : results) {
    if (!by_file.count(r.file)) files.push_back(r.file);
    by_file[r.file].push_back(&r);
  }
  size_t failures = 0;
  double total = 0;
  for (const auto& r : results) {
    failures += r.passed ? 0 : 1;
    total += r.seconds;
  }
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites name=\"stratus test\" tests=\"" + std::to_string(results.size()) +
         "\" failures=\"" + std::to_string(failures) + "\" errors=\"0\" time=\"" + Seconds(total) + "\">\n";
  for (const auto& file : files) {
    const auto& cases = by_file[file];
    size_t suite_failures = 0;
    double suite_time = 0;
    for (const auto* r : cases) {
      suite_failures += r->passed ? 0 : 1;
      suite_time += r->seconds;
    }
    out += "  <testsuite name=\"" + XmlEscape(file) + "\" tests=\"" + std::to_string(cases.size()) +
           "\" failures=\"" + std::to_string(suite_failures) + "\" errors=\"0\" skipped=\"0\" time=\"" +
           Seconds(suite_time) + "\">\n";
    for (const auto* r : cases) {
      out += "    <testcase name=\"" + XmlEscape(r->name) + "\" classname=\"" + XmlEscape(file) +
             "\" time=\"" + Seconds(r->seconds) + "\"";
      if (r->passed) {
        out += "/>\n";
        continue;
      }
      const StepFailure& f = *r->failure;
      std::string first_line = f.message.substr(0, f.message.find('\n'));
      out += ">\n      <failure message=\"" + XmlEscape(f.step + ": " + first_line) +
             "\" type=\"" + (f.step == "start" ? "StartError" : "ExpectationFailed") + "\">" +
             XmlEscape(FailureText(f)) + "</failure>\n    </testcase>\n";
    }
    out += "  </testsuite>\n";
  }
  return out + "</testsuites>\n";
}

std::string JsonReport(const std::vector<ScenarioResult>& results) {
  nlohmann::json list = nlohmann::json::array();
  size_t passed = 0;
  for (const auto& r : results) {
    passed += r.passed ? 1 : 0;
    nlohmann::json item = {{"file", r.file},       {"name", r.name},
                           {"passed", r.passed},   {"steps_run", r.steps_run},
                           {"seconds", r.seconds}};
    if (r.failure) {
      item["failure"] = {{"step", r.failure->step},       {"location", r.failure->location},
                         {"message", r.failure->message}, {"diff", r.failure->diff},
                         {"logs", r.failure->logs}};
    }
    list.push_back(std::move(item));
  }
  nlohmann::json out = {{"passed", passed}, {"failed", results.size() - passed}, {"scenarios", list}};
  return DumpJson(out);
}

}  // namespace stratus::harness
