// The cold-start model: sampled median and p99 match its parameters, seeded runs repeat, the
// shipped model loads, and its errors are positioned.
#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

#include "emulator/billing/coldstart.h"
#include "emulator/billing/price_sheet.h"
#include "tests/support/paths.h"

namespace stratus::billing {
namespace {

const char* kModel =
    "name: test\n"
    "runtimes:\n"
    "  python3: {median_ms: 100, p99_ms: 400}\n"
    "  python3.12: {median_ms: 80, p99_ms: 240}\n"
    "  nodejs: {median_ms: 150, p99_ms: 300}\n"
    "memory_factor: {128: 1.0, 2048: 0.9}\n";

ColdStartModel Model() {
  auto model = ColdStartModel::Parse(kModel, "m.yaml");
  REQUIRE_MESSAGE(model.ok(), model.status().message());
  return model.value();
}

double Quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(q * (v.size() - 1))];
}

TEST_CASE("sampled median and p99 match the parameters") {
  ColdStartModel model = Model();
  Random random(7);
  for (const auto& [runtime, median, p99] :
       {std::tuple{"python3.11", 100.0, 400.0}, {"python3.12", 80.0, 240.0}, {"nodejs20.x", 150.0, 300.0}}) {
    CAPTURE(runtime);
    std::vector<double> samples;
    for (int i = 0; i < 40000; ++i) samples.push_back(model.Sample(runtime, 128, random));
    CHECK(Quantile(samples, 0.5) == doctest::Approx(median).epsilon(0.03));
    CHECK(Quantile(samples, 0.99) == doctest::Approx(p99).epsilon(0.06));
    CHECK(*std::min_element(samples.begin(), samples.end()) > 0);
  }
}

TEST_CASE("seeded runs repeat exactly; other seeds differ") {
  ColdStartModel model = Model();
  auto run = [&](uint64_t seed) {
    Random random(seed);
    std::vector<double> v;
    for (int i = 0; i < 100; ++i) v.push_back(model.Sample("nodejs22.x", 512, random));
    return v;
  };
  CHECK(run(42) == run(42));
  CHECK(run(42) != run(43));
}

TEST_CASE("longest prefix wins; memory factor interpolates; unknown runtimes") {
  ColdStartModel model = Model();
  CHECK(model.For("python3.12", 128)->median_ms == 80);
  CHECK(model.For("python3.13", 128)->median_ms == 100);
  CHECK(model.For("python3.13", 2048)->median_ms == doctest::Approx(90));
  CHECK(model.For("python3.13", 1088)->median_ms == doctest::Approx(95));
  CHECK(model.For("python3.13", 10240)->p99_ms == doctest::Approx(360));
  CHECK(model.For("java21", 128).status().code() == Status::Code::kNotFound);
  Random random(1);
  CHECK(model.Sample("java21", 128, random) == 0);
  // The simulated part only tops up: a measured INIT longer than the sample adds nothing.
  CHECK(model.SimulatedExtra("python3.12", 128, 1e9, random) == 0);
}

TEST_CASE("the shipped model covers the runtimes stratus runs") {
  auto model = ColdStartModel::Load(DefaultColdStartDir() + "/aws-lambda.yaml");
  REQUIRE_MESSAGE(model.ok(), model.status().message());
  for (const char* runtime : {"python3.11", "python3.12", "nodejs20.x", "provided.al2023"}) {
    CAPTURE(runtime);
    CHECK(model->For(runtime, 128).ok());
  }
}

TEST_CASE("model errors are positioned") {
  struct Case {
    const char* yaml;
    const char* error;
  } cases[] = {
      {"runtimes:\n  python3: {median_ms: 0, p99_ms: 1}\n",
       "m.yaml:2:24: 'median_ms' must be a positive number, got '0'"},
      {"runtimes:\n  python3: {median_ms: 100, p99_ms: 50}\n",
       "m.yaml:2:3: runtime 'python3' needs 'median_ms' and a 'p99_ms' at least as large"},
      {"runtimes:\n  python3: {median: 100}\n",
       "m.yaml:2:13: unknown key 'median' in runtime 'python3' (valid keys: median_ms, p99_ms)"},
      {"runtime: {}\n", "m.yaml:1:1: unknown key 'runtime' in a cold-start model (did you mean 'runtimes'?)"},
      {"name: x\n", "m.yaml:1:1: a cold-start model needs 'runtimes:'"},
      {"runtimes:\n  python3: {median_ms: 1, p99_ms: 2}\nmemory_factor: {512: 1, 256: 1}\n",
       "m.yaml:3:25: 'memory_factor' keys are memory sizes in MB, ascending; got '256'"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.yaml);
    auto model = ColdStartModel::Parse(c.yaml, "m.yaml");
    REQUIRE_FALSE(model.ok());
    CHECK(model.status().message() == std::string(c.error));
  }
}

}  // namespace
}  // namespace stratus::billing
