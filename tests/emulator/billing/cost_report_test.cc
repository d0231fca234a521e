// The cost report from synthetic stored invocations: percentiles, the CPU model of the
// memory what-if, cheapest and fastest sizes, projection, providers and break-even.
#include <doctest/doctest.h>

#include "emulator/billing/cost_report.h"
#include "tests/support/paths.h"

namespace stratus::billing {
namespace {

PriceSheet Aws() {
  auto sheet = LoadPriceSheet(testing::SourceDir() + "/fixtures/pricing/aws-us-east-1.yaml");
  REQUIRE(sheet.ok());
  return sheet.value();
}

StoredInvocation Inv(const std::string& fn, double duration, double cpu, int memory = 1024,
                     const std::string& limit = "0.579 vCPU (cgroup v1 cpu.cfs_quota_us)") {
  StoredInvocation inv;
  inv.function = fn;
  inv.memory_mb = memory;
  inv.duration_ms = duration;
  inv.cpu_ms = cpu;
  inv.cpu_limit = limit;
  inv.start_ms = 1000;
  return inv;
}

TEST_CASE("percentiles by nearest rank") {
  CHECK(Percentile({}, 0.5) == 0);
  CHECK(Percentile({5}, 0.95) == 5);
  CHECK(Percentile({4, 1, 3, 2}, 0.5) == 2);
  std::vector<double> hundred;
  for (int i = 1; i <= 100; ++i) hundred.push_back(i);
  CHECK(Percentile(hundred, 0.95) == 95);
  CHECK(Percentile(hundred, 1.0) == 100);
}

TEST_CASE("the CPU model: CPU-bound work scales with the share of a vCPU, waiting does not") {
  // 1024 MB had 0.579 vCPU: 100 ms of CPU took 172.8 ms of wall time, plus 27.2 ms waiting.
  StoredInvocation inv = Inv("fn", 200, 100);
  double share = 1024 / 1769.0;
  double waiting = 200 - 100 / share;
  CHECK(ModeledDuration(inv, 1024) == 200);
  CHECK(ModeledDuration(inv, 1769) == doctest::Approx(waiting + 100));
  CHECK(ModeledDuration(inv, 3538) == doctest::Approx(waiting + 100));  // one thread: 1 vCPU max
  CHECK(ModeledDuration(inv, 512) == doctest::Approx(waiting + 100 / (512 / 1769.0)));
  // Uncapped when recorded: the CPU ran at one full core.
  StoredInvocation free_cpu = Inv("fn", 150, 100, 1024, "not capped: no cgroup");
  CHECK(ModeledDuration(free_cpu, 512) == doctest::Approx(50 + 100 / (512 / 1769.0)));
  // No CPU measurement: unchanged.
  CHECK(ModeledDuration(Inv("fn", 150, -1), 128) == 150);
}

TEST_CASE("what-if names the cheapest and the fastest size; projection scales the month") {
  std::vector<StoredInvocation> invs;
  for (int i = 0; i < 10; ++i) invs.push_back(Inv("cpu", 200, 100));   // CPU-bound
  for (int i = 0; i < 10; ++i) invs.push_back(Inv("io", 300, 1));      // mostly waiting
  CostOptions options;
  options.memory_sizes = {128, 512, 1024, 1769, 3008};
  options.monthly_requests = 2e6;
  auto report = BuildCostReport(invs, {}, Aws(), {Aws()}, options);
  REQUIRE(report.ok());
  CHECK(report->factor == doctest::Approx(1e5));
  CHECK(report->monthly_requests == doctest::Approx(2e6));
  REQUIRE(report->what_if.size() == 2);
  const WhatIf& cpu = report->what_if[0];
  const WhatIf& io = report->what_if[1];
  CHECK(cpu.function == "cpu");
  CHECK(cpu.method == "cpu model");
  // CPU-bound: 1769 MB is as fast as 3008 MB and cheaper, so it is the fastest named.
  CHECK(cpu.fastest_mb == 1769);
  // Waiting-bound: duration barely moves, so the smallest size is the cheapest.
  CHECK(io.cheapest_mb == 128);
  for (const auto& p : cpu.points) {
    CHECK(p.cost_per_million == doctest::Approx(p.monthly_cost / 1e6 * 1e6));
  }
  REQUIRE(report->functions.size() == 2);
  CHECK(report->functions[0].p50_ms == 200);
  CHECK(report->functions[0].cpu_share == doctest::Approx(0.5));
  // The month: 2M invocations, 1M free; compute of 20 ... x1e5.
  CHECK(report->monthly.requests == doctest::Approx(1e6 * 0.0000002));
  REQUIRE(report->providers.size() == 1);
  CHECK(report->providers[0].monthly == doctest::Approx(report->monthly.total));
}

RerunSample Measured(int memory_mb, std::vector<double> durations, int errors = 0) {
  RerunSample s;
  s.memory_mb = memory_mb;
  s.calls = static_cast<int>(durations.size()) + errors;
  s.durations_ms = std::move(durations);
  s.errors = errors;
  s.cpu_limit = "0.072 vCPU (cgroup v1 cpu.cfs_quota_us)";
  return s;
}

TEST_CASE("what-if from re-runs: measured durations price each size; failing sizes are no pick") {
  std::vector<StoredInvocation> invs;
  for (int i = 0; i < 4; ++i) invs.push_back(Inv("fn", 100, 50, 1024));
  CostOptions options;
  options.memory_sizes = {128, 256, 1024};
  Rerun rerun;
  rerun.events = 2;
  // 128 MB: fastest and cheapest on paper, but one call failed (out of memory, say).
  rerun.sizes = {Measured(128, {1}, 1), Measured(256, {10, 30}), Measured(1024, {4, 4})};
  options.reruns["fn"] = rerun;
  auto report = BuildCostReport(invs, {}, Aws(), {Aws()}, options);
  REQUIRE(report.ok());
  const WhatIf& w = report->what_if.at(0);
  CHECK(w.method.rfind("re-run: 2 stored events at each size, CPU capped by cgroup v1", 0) == 0);
  REQUIRE(w.points.size() == 3);
  CHECK(w.points[1].p50_ms == 10);
  CHECK(w.points[1].p95_ms == 30);
  CHECK(w.points[1].avg_ms == 20);
  CHECK(w.points[1].samples == 2);
  CHECK(w.points[0].errors == 1);
  CHECK(w.points[0].calls == 2);
  // The four invocations, cycled over the measured durations, are billed 10, 30, 10, 30 ms at
  // 256 MB (0.02 GB-s) and 4 ms each at 1024 MB (0.016 GB-s).
  double gb_s_256 = (10 + 30 + 10 + 30) / 1000.0 * 0.25;
  double gb_s_1024 = 4 * 4 / 1000.0 * 1.0;
  CHECK(w.points[1].monthly_cost ==
        doctest::Approx(gb_s_256 * 0.0000166667 + 4 * 0.0000002).epsilon(1e-4));
  CHECK(w.points[2].monthly_cost ==
        doctest::Approx(gb_s_1024 * 0.0000166667 + 4 * 0.0000002).epsilon(1e-4));
  CHECK(w.fastest_mb == 1024);
  CHECK(w.cheapest_mb == 1024);  // 128 MB is cheaper still, but a call failed there
}

TEST_CASE("what-if without a re-run says why and falls back to the CPU model") {
  std::vector<StoredInvocation> invs = {Inv("fn", 200, 100, 1024)};
  CostOptions options;
  options.memory_sizes = {128, 1024};
  options.rerun_note = "events not re-run: function CPU not capped: no cgroup";
  auto report = BuildCostReport(invs, {}, Aws(), {Aws()}, options);
  REQUIRE(report.ok());
  const WhatIf& w = report->what_if.at(0);
  CHECK(w.method == "cpu model (events not re-run: function CPU not capped: no cgroup)");
  CHECK(w.points[0].calls == 0);
  CHECK(w.points[0].avg_ms == doctest::Approx(ModeledDuration(invs[0], 128)));
}

TEST_CASE("API requests are priced by class; unknown classes are shown unpriced") {
  std::vector<RequestTotals> requests = {{"sqs", "standard", 10, 40, 0, 0},
                                         {"mystery", "x", 3, 3, 0, 0}};
  auto report = BuildCostReport({Inv("fn", 10, -1)}, requests, Aws(), {}, CostOptions{});
  REQUIRE(report.ok());
  REQUIRE(report->services.size() == 2);
  CHECK(report->services[0].cost == doctest::Approx(40 * 0.0000004));
  CHECK_FALSE(report->services[1].priced);
  CHECK(report->monthly.unpriced.count("mystery.x") == 1);
}

TEST_CASE("break-even: the VM's month over the cost of one request") {
  auto report = BuildCostReport({Inv("fn", 1000, -1), Inv("fn", 1000, -1)}, {}, Aws(), {},
                                CostOptions{});
  REQUIRE(report.ok());
  REQUIRE(report->break_even);
  double per_request = 0.0000002 + 1.0 * 0.0000166667;  // 1 GB for 1 s
  CHECK(report->break_even->cost_per_request == doctest::Approx(per_request));
  CHECK(report->break_even->requests_per_month == doctest::Approx(0.0104 * 730 / per_request));
}

TEST_CASE("--monthly-requests with nothing recorded is refused") {
  CostOptions options;
  options.monthly_requests = 1000;
  auto report = BuildCostReport({}, {}, Aws(), {}, options);
  CHECK(report.status().code() == Status::Code::kInvalidArgument);
  auto empty = BuildCostReport({}, {}, Aws(), {}, CostOptions{});
  REQUIRE(empty.ok());
  CHECK(empty->monthly.total == 0);
  CHECK_FALSE(empty->break_even);
}

}  // namespace
}  // namespace stratus::billing
