#include "emulator/config/yaml_reader.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace stratus::config {
namespace {

using std::chrono::milliseconds;

TEST_CASE("EditDistance is Levenshtein, case-insensitive") {
  struct Case {
    const char* a;
    const char* b;
    size_t distance;
  };
  const Case kCases[] = {
      {"", "", 0},          {"", "abc", 3},         {"memory", "memory", 0},
      {"memroy", "memory", 2}, {"Memory", "memory", 0}, {"kitten", "sitting", 3},
      {"batchsize", "batch_size", 1}, {"abc", "", 3},
  };
  for (const Case& c : kCases) {
    CAPTURE(c.a);
    CAPTURE(c.b);
    CHECK(EditDistance(c.a, c.b) == c.distance);
    CHECK(EditDistance(c.b, c.a) == c.distance);
  }
}

TEST_CASE("NearestMatch and Suggestion suggest only close candidates") {
  const std::vector<std::string> keys = {"runtime", "handler", "memory", "timeout"};
  CHECK(NearestMatch("memroy", keys) == "memory");
  CHECK(NearestMatch("runtim", keys) == "runtime");
  CHECK(NearestMatch("handlerfunction", keys) == "");  // distance 8 > 2 and > 15/3
  CHECK(NearestMatch("xyz", keys) == "");
  CHECK(NearestMatch("x", {}) == "");
  // Long words allow a third of their length: 4 edits in 12 characters.
  CHECK(NearestMatch("visibiltytmo", {"visibility_timeout"}) == "");
  CHECK(NearestMatch("vsibilty_timout", {"visibility_timeout"}) == "visibility_timeout");
  CHECK(Suggestion("memroy", keys, "valid keys") == " (did you mean 'memory'?)");
  CHECK(Suggestion("colour", keys, "valid keys") ==
        " (valid keys: runtime, handler, memory, timeout)");
  CHECK(Suggestion("colour", {}, "valid keys") == "");
}

TEST_CASE("durations: numbers are seconds, strings carry a unit") {
  struct Case {
    const char* text;
    bool ok;
    milliseconds value;
  };
  const Case kCases[] = {
      {"30", true, milliseconds(30000)},  {"0", true, milliseconds(0)},
      {"1.5", true, milliseconds(1500)},  {"250ms", true, milliseconds(250)},
      {"2s", true, milliseconds(2000)},   {"5m", true, milliseconds(300000)},
      {"1h", true, milliseconds(3600000)}, {"0.5m", true, milliseconds(30000)},
      {"", false, {}},  {"-1", false, {}},   {"2 s", false, {}}, {"1d", false, {}},
      {"s", false, {}}, {"1.2.3s", false, {}}, {".5s", false, {}}, {"5.", false, {}},
      {"99999999999999999h", false, {}},
  };
  for (const Case& c : kCases) {
    CAPTURE(c.text);
    milliseconds d{-1};
    CHECK(ParseDuration(c.text, d) == c.ok);
    if (c.ok) CHECK(d == c.value);
  }
  CHECK(FormatDuration(milliseconds(250)) == "250ms");
  CHECK(FormatDuration(milliseconds(0)) == "0s");
  CHECK(FormatDuration(milliseconds(1500)) == "1.5s");
  CHECK(FormatDuration(milliseconds(300000)) == "300s");
}

}  // namespace
}  // namespace stratus::config
