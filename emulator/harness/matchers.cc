#include "emulator/harness/matchers.h"

#include <regex>
#include <sstream>

#include "emulator/util/json.h"

namespace stratus::harness {

namespace {

using nlohmann::json;

std::string Show(const json& value) {
  std::string text = DumpJson(value);
  return text.size() > 200 ? text.substr(0, 200) + "..." : text;
}

bool IsRegexMatcher(const json& expected) {
  return expected.is_object() && expected.size() == 1 && expected.contains("$regex") &&
         expected["$regex"].is_string();
}

// Applies a matcher; returns false when `expected` is not one.
bool ApplyMatcher(const json& expected, const json& actual, bool* matched, std::string* what) {
  if (expected == "$any") {
    *matched = true;
    return true;
  }
  if (expected == "$number") {
    *matched = actual.is_number();
    *what = "a number";
    return true;
  }
  if (expected == "$string") {
    *matched = actual.is_string();
    *what = "a string";
    return true;
  }
  if (IsRegexMatcher(expected)) {
    std::string pattern = expected["$regex"];
    *what = "a string matching /" + pattern + "/";
    try {
      *matched = actual.is_string() && std::regex_search(actual.get<std::string>(), std::regex(pattern));
    } catch (const std::regex_error& e) {
      *what = "a valid regex (/" + pattern + "/: " + e.what() + ")";
      *matched = false;
    }
    return true;
  }
  return false;
}

void Match(const json& expected, const json& actual, const std::string& path,
           std::vector<std::string>* out) {
  bool matched = false;
  std::string what;
  if (ApplyMatcher(expected, actual, &matched, &what)) {
    if (!matched) out->push_back(path + ": expected " + what + ", got " + Show(actual));
    return;
  }
  if (expected.is_object()) {
    if (!actual.is_object()) {
      out->push_back(path + ": expected an object, got " + Show(actual));
      return;
    }
    for (const auto& [key, value] : expected.items()) {
      std::string sub = path + "." + key;
      if (!actual.contains(key)) {
        out->push_back(sub + ": missing (expected " + Show(value) + ")");
      } else {
        Match(value, actual[key], sub, out);
      }
    }
    return;
  }
  if (expected.is_array()) {
    if (!actual.is_array() || actual.size() != expected.size()) {
      out->push_back(path + ": expected an array of " + std::to_string(expected.size()) +
                     ", got " + Show(actual));
      return;
    }
    for (size_t i = 0; i < expected.size(); ++i) {
      Match(expected[i], actual[i], path + "[" + std::to_string(i) + "]", out);
    }
    return;
  }
  // 1 and 1.0 are the same number to a reader of the scenario.
  if (expected.is_number() && actual.is_number()) {
    if (expected.get<double>() != actual.get<double>()) {
      out->push_back(path + ": expected " + Show(expected) + ", got " + Show(actual));
    }
    return;
  }
  if (expected != actual) out->push_back(path + ": expected " + Show(expected) + ", got " + Show(actual));
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

}  // namespace

std::vector<std::string> MatchJson(const json& expected, const json& actual) {
  std::vector<std::string> out;
  Match(expected, actual, "$", &out);
  return out;
}

bool MatchText(const json& expected, const std::string& actual, std::string* why) {
  bool matched = false;
  std::string what;
  if (ApplyMatcher(expected, json(actual), &matched, &what)) {
    if (!matched) *why = "expected " + what + ", got " + Show(json(actual));
    return matched;
  }
  std::string want = expected.is_string() ? expected.get<std::string>() : DumpJson(expected);
  if (want == actual) return true;
  *why = "expected " + Show(json(want)) + ", got " + Show(json(actual));
  return false;
}

json ProjectOnto(const json& expected, const json& actual) {
  if (expected.is_object() && !IsRegexMatcher(expected) && actual.is_object()) {
    json out = json::object();
    for (const auto& [key, value] : expected.items()) {
      if (actual.contains(key)) out[key] = ProjectOnto(value, actual[key]);
    }
    return out;
  }
  if (expected.is_array() && actual.is_array() && expected.size() == actual.size()) {
    json out = json::array();
    for (size_t i = 0; i < actual.size(); ++i) out.push_back(ProjectOnto(expected[i], actual[i]));
    return out;
  }
  return actual;
}

std::string LineDiff(const std::string& expected, const std::string& actual) {
  auto a = SplitLines(expected), b = SplitLines(actual);
  // A longest-common-subsequence table; scenario values are small, but bound it anyway.
  constexpr size_t kMaxLines = 2000;
  if (a.size() > kMaxLines) a.resize(kMaxLines);
  if (b.size() > kMaxLines) b.resize(kMaxLines);
  std::vector<std::vector<uint16_t>> lcs(a.size() + 1, std::vector<uint16_t>(b.size() + 1, 0));
  for (size_t i = a.size(); i-- > 0;) {
    for (size_t j = b.size(); j-- > 0;) {
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  std::vector<std::string> lines;
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    if (i < a.size() && j < b.size() && a[i] == b[j]) {
      lines.push_back("  " + a[i++]);
      ++j;
    } else if (i < a.size() && (j == b.size() || lcs[i + 1][j] >= lcs[i][j + 1])) {
      lines.push_back("- " + a[i++]);
    } else {
      lines.push_back("+ " + b[j++]);
    }
  }
  // Keep three lines of context around each change.
  std::vector<bool> keep(lines.size(), false);
  for (size_t k = 0; k < lines.size(); ++k) {
    if (lines[k][0] == ' ') continue;
    for (size_t c = (k >= 3 ? k - 3 : 0); c < std::min(lines.size(), k + 4); ++c) keep[c] = true;
  }
  std::string out = "--- expected\n+++ actual\n";
  bool skipped = false;
  for (size_t k = 0; k < lines.size(); ++k) {
    if (!keep[k]) {
      if (!skipped) out += "  ...\n";
      skipped = true;
      continue;
    }
    skipped = false;
    out += lines[k] + "\n";
  }
  return out;
}

}  // namespace stratus::harness
