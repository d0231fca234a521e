#include "emulator/util/ids.h"

#include <doctest/doctest.h>

#include <regex>
#include <set>

namespace stratus {
namespace {

TEST_CASE("a seeded generator repeats itself; an unseeded one does not") {
  Random a(42), b(42), c;
  CHECK(a.Uuid() == b.Uuid());
  CHECK(a.Hex(40) == b.Hex(40));
  CHECK(a.seed() == 42);
  Random d;
  CHECK(c.Uuid() != d.Uuid());
}

TEST_CASE("UUIDs are version 4, variant 1, lower-case, and distinct") {
  Random r(7);
  std::regex shape("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = r.Uuid();
    CHECK(std::regex_match(id, shape));
    seen.insert(id);
  }
  CHECK(seen.size() == 1000);
}

TEST_CASE("NextDouble stays in [0, 1)") {
  Random r(1);
  double low = 1, high = 0;
  for (int i = 0; i < 10000; ++i) {
    double x = r.NextDouble();
    low = std::min(low, x);
    high = std::max(high, x);
  }
  CHECK(low >= 0.0);
  CHECK(high < 1.0);
  CHECK(low < 0.01);
  CHECK(high > 0.99);
}

}  // namespace
}  // namespace stratus
