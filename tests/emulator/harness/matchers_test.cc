// JSON subset matching with matchers, text matching, the line diff and report escaping.
#include "emulator/harness/matchers.h"

#include <doctest/doctest.h>

#include "emulator/harness/report.h"
#include "emulator/util/escape.h"

namespace stratus::harness {
namespace {

using nlohmann::json;

TEST_CASE("JSON subsets and matchers") {
  struct Case {
    const char* expected;
    const char* actual;
    const char* mismatch;  // "" when they match
  } cases[] = {
      {R"({"a": 1})", R"({"a": 1, "b": 2})", ""},
      {R"({"a": 1})", R"({"a": 1.0})", ""},
      {R"({"a": 1})", R"({"a": 2})", "$.a: expected 1, got 2"},
      {R"({"a": {"b": "x"}})", R"({"a": {}})", "$.a.b: missing (expected \"x\")"},
      {R"({"a": "$any"})", R"({"a": null})", ""},
      {R"({"a": "$any"})", R"({})", "$.a: missing"},
      {R"({"n": "$number"})", R"({"n": "3"})", "$.n: expected a number, got \"3\""},
      {R"({"s": "$string"})", R"({"s": "3"})", ""},
      {R"({"s": {"$regex": "^ab+c$"}})", R"({"s": "abbbc"})", ""},
      {R"({"s": {"$regex": "^ab+c$"}})", R"({"s": "ac"})", "$.s: expected a string matching /^ab+c$/"},
      {R"({"s": {"$regex": "("}})", R"({"s": "x"})", "$.s: expected a valid regex"},
      {R"([1, {"k": "$any"}])", R"([1, {"k": 2, "z": 3}])", ""},
      {R"([1, 2])", R"([1, 2, 3])", "$: expected an array of 2"},
      {R"({"a": [1]})", R"({"a": "1"})", "$.a: expected an array of 1"},
      {R"({"a": {}})", R"({"a": 5})", "$.a: expected an object"},
  };
  for (const auto& c : cases) {
    auto mismatches = MatchJson(json::parse(c.expected), json::parse(c.actual));
    if (std::string(c.mismatch).empty()) {
      CHECK_MESSAGE(mismatches.empty(), c.expected, " vs ", c.actual);
    } else {
      REQUIRE_MESSAGE(mismatches.size() == 1, c.expected, " vs ", c.actual);
      CHECK_MESSAGE(mismatches[0].find(c.mismatch) == 0, mismatches[0]);
    }
  }
}

TEST_CASE("text values match exactly or through a matcher") {
  std::string why;
  CHECK(MatchText("application/json", "application/json", &why));
  CHECK_FALSE(MatchText("text/plain", "application/json", &why));
  CHECK(why == "expected \"text/plain\", got \"application/json\"");
  CHECK(MatchText(json{{"$regex", "json"}}, "application/json", &why));
  CHECK(MatchText("$any", "", &why));
  CHECK(MatchText(json(200), "200", &why));
}

TEST_CASE("the line diff marks what differs and keeps context") {
  std::string diff = LineDiff("a\nb\nc\n", "a\nB\nc\nd\n");
  CHECK(diff == "--- expected\n+++ actual\n  a\n- b\n+ B\n  c\n+ d\n");
  std::string expected, actual;
  for (int i = 0; i < 20; ++i) {
    expected += std::to_string(i) + "\n";
    actual += (i == 10 ? std::string("ten") : std::to_string(i)) + "\n";
  }
  diff = LineDiff(expected, actual);
  CHECK(diff.find("  ...\n") != std::string::npos);
  CHECK(diff.find("  6\n") == std::string::npos);
  CHECK(diff.find("  7\n") != std::string::npos);
  CHECK(diff.find("- 10\n") != std::string::npos);
  CHECK(diff.find("+ ten\n") != std::string::npos);
}

TEST_CASE("a projection keeps only the keys an expectation names") {
  json expected = json::parse(R"({"a": 1, "b": {"c": "$any"}, "l": [{"x": 1}]})");
  json actual = json::parse(R"({"a": 2, "b": {"c": 3, "d": 4}, "l": [{"x": 1, "y": 2}], "z": 0})");
  CHECK(ProjectOnto(expected, actual) == json::parse(R"({"a": 2, "b": {"c": 3}, "l": [{"x": 1}]})"));
}

TEST_CASE("XML escaping covers markup and drops forbidden control characters") {
  CHECK(XmlEscape("a<b>&\"c'") == "a&lt;b&gt;&amp;&quot;c&apos;");
  CHECK(XmlEscape(std::string("x\x01y\tz\n", 6)) == "x?y\tz\n");
}

}  // namespace
}  // namespace stratus::harness
