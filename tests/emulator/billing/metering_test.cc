// Metering through the running emulator: invocation records carry the charge under the
// project's price sheet, the CPU time and cap, and the measured and simulated INIT; API
// requests are counted by billing class; a bad `pricing:` stops the start with its reason.
#include <doctest/doctest.h>
#include <unistd.h>

#include "emulator/billing/meter.h"
#include "emulator/functions/limits.h"
#include "tests/emulator/functions/fixture.h"

namespace stratus::billing {
namespace {

using namespace stratus::fntest;

const char* kSpin =
    "import time\n"
    "def handler(event, context):\n"
    "    end = time.process_time() + event.get('cpu', 0)\n"
    "    while time.process_time() < end:\n"
    "        pass\n"
    "    return 'ok'\n";

std::string Project(const std::string& top) {
  return top + "functions:\n  fn:\n    runtime: python3.11\n    handler: spin.handler\n"
               "    memory: 1024\n    architecture: arm64\n";
}

TEST_CASE("an invocation record carries GB-seconds, list cost, CPU time and architecture") {
  Fixture f(Project(""), {{"spin.py", kSpin}});
  auto r = f.Invoke("fn", R"({"cpu": 0.05})");
  REQUIRE(r.status.ok());
  REQUIRE_FALSE(r.function_error);
  const PriceSheet& sheet = f.OnLoop([&] { return f.emulator().meter().sheet(); });
  CHECK(sheet.name == "aws-us-east-1");
  // Billed: duration + INIT (cold), 1 ms granularity, at the arm64 first-tier price.
  CHECK(r.gb_seconds == doctest::Approx(r.billed_ms / 1000.0));
  CHECK(r.cost == doctest::Approx(0.0000002 + r.gb_seconds * 0.0000133334));
  CHECK(r.cpu_ms >= 40);  // 50 ms of spinning, measured in clock ticks
  CHECK_FALSE(r.cpu_limit.empty());
  auto rows = f.Query(
      "SELECT architecture, gb_seconds, cost, cpu_ms, cpu_limit, init_simulated_ms FROM invocations");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0][0] == "arm64");
  CHECK(std::stod(rows[0][1]) == doctest::Approx(r.gb_seconds));
  CHECK(std::stod(rows[0][2]) == doctest::Approx(r.cost));
  CHECK(std::stod(rows[0][3]) == doctest::Approx(r.cpu_ms));
  CHECK(rows[0][4] == r.cpu_limit);
  CHECK(std::stod(rows[0][5]) == 0);
}

TEST_CASE("CPU time is utime + stime of /proc/PID/stat, whatever the command name holds") {
  // Fields 14 and 15; a command name with spaces and ')' must not shift them.
  CHECK(functions::ProcStatCpuTicks("42 (node) S 1 42 42 0 -1 4194560 10 0 0 0 7 3 0 0 20 0 1") ==
        10);
  CHECK(functions::ProcStatCpuTicks("42 (a b) c)) R 1 42 42 0 -1 0 0 0 0 0 150 25 0 0") == 175);
  CHECK(functions::ProcStatCpuTicks("42 (node) S 1 42") == -1);  // cut short
  CHECK(functions::ProcStatCpuTicks("") == -1);
  functions::ProcessCpu self;
  double before = self.Ms(getpid());
  REQUIRE(before >= 0);
  volatile uint64_t spin = 0;
  while (self.Ms(getpid()) < before + 30) ++spin;  // read again through the same open file
  CHECK(self.Ms(getpid()) >= before + 30);
  CHECK(self.Ms(-1) == -1);
}

TEST_CASE("CPU is capped by memory where cgroups allow, and the record says which") {
  std::string why;
  auto limiter = functions::CpuLimiter::Create("stratus-probe-" + std::to_string(::getpid()), &why);
  Fixture f(Project(""), {{"spin.py", kSpin}});
  auto r = f.Invoke("fn", "{}");
  REQUIRE(r.status.ok());
  if (limiter) {
    CHECK(r.cpu_limit.find("0.579 vCPU") == 0);  // 1024 / 1769
  } else {
    INFO("no cgroup CPU control here: " << why);
    CHECK(r.cpu_limit.rfind("not capped", 0) == 0);
  }
  CHECK(functions::CpuLimiter::VcpusFor(1769) == 1);
  CHECK(functions::CpuLimiter::VcpusFor(10240) == doctest::Approx(10240 / 1769.0));
}

// INIT waits until it sits in its instance's CPU cgroup, then reads the quota it runs under.
const char* kQuotaProbe =
    "import time\n"
    "def cpu_quota():\n"
    "    for line in open('/proc/self/cgroup'):\n"
    "        _, controllers, path = line.strip().split(':', 2)\n"
    "        if 'stratus' not in path: continue\n"
    "        if 'cpu' in controllers.split(','):\n"
    "            return open('/sys/fs/cgroup/cpu' + path + '/cpu.cfs_quota_us').read().strip()\n"
    "        if controllers == '':\n"
    "            return open('/sys/fs/cgroup' + path + '/cpu.max').read().split()[0]\n"
    "    return None\n"
    "deadline = time.time() + 5\n"
    "while cpu_quota() is None and time.time() < deadline:\n"
    "    time.sleep(0.005)\n"
    "AT_INIT = cpu_quota()\n"
    "def handler(event, context):\n"
    "    return {'init': AT_INIT, 'invoke': cpu_quota()}\n";

TEST_CASE("the CPU cap is engaged when INIT ends: INIT runs at full speed, as Lambda's does") {
  std::string why;
  auto limiter = functions::CpuLimiter::Create("stratus-probe-" + std::to_string(::getpid()), &why);
  if (!limiter) {
    INFO("no cgroup CPU control here: " << why);
    return;
  }
  limiter.reset();
  Fixture f("functions:\n  fn:\n    runtime: python3.11\n    handler: probe.handler\n",
            {{"probe.py", kQuotaProbe}});
  auto r = f.Invoke("fn", "{}");
  REQUIRE(r.status.ok());
  REQUIRE_MESSAGE(!r.function_error, r.payload);
  auto quotas = nlohmann::json::parse(r.payload);
  CHECK((quotas["init"] == "-1" || quotas["init"] == "max"));
  // 128 MB: 128 / 1769 of a vCPU, over the 20 ms period.
  CHECK(quotas["invoke"] == std::to_string(static_cast<int64_t>(128 / 1769.0 * 20000)));
}

TEST_CASE("coldstart: simulated adds the model's INIT and REPORT shows both parts") {
  // A model slower than any local Python start, so every cold start gets a simulated part.
  testing::TempDir models;
  models.Write("aws-lambda.yaml", "runtimes:\n  python3: {median_ms: 1500, p99_ms: 2000}\n");
  ::setenv("STRATUS_COLDSTART_DIR", models.path().c_str(), 1);
  Fixture f(Project("coldstart: simulated\n"), {{"spin.py", kSpin}});
  ::unsetenv("STRATUS_COLDSTART_DIR");
  double simulated = 0;
  InvokeResult cold;
  for (int i = 0; i < 3 && simulated == 0; ++i) {
    f.OnLoop([&] {
      f.emulator().invoker().RetireWarm("fn");
      return 0;
    });
    WaitUntil([&] { return f.InstanceCount("fn") == 0; });
    cold = f.Invoke("fn", "{}");
    REQUIRE(cold.status.ok());
    REQUIRE(cold.cold);
    simulated = cold.init_simulated_ms;
  }
  REQUIRE(simulated > 0);
  CHECK(cold.init_ms > simulated);
  CHECK(cold.billed_ms >= static_cast<int64_t>(cold.init_ms));
  auto rows = f.Query(
      "SELECT init_ms, init_simulated_ms FROM invocations WHERE init_simulated_ms > 0");
  REQUIRE(rows.size() >= 1);
  auto warm = f.Invoke("fn", "{}");
  CHECK_FALSE(warm.cold);
  CHECK(warm.init_simulated_ms == 0);
}

TEST_CASE("API requests are counted by service and billing class") {
  Fixture f(Project(""), {{"spin.py", kSpin}});
  f.OnLoop([&] {
    Meter& meter = f.emulator().meter();
    meter.CountRequest("sqs", "standard", 100);
    meter.CountRequest("sqs", "standard", 200 * 1024);  // 4 chunks
    meter.CountRequest("dynamodb", "read-eventual", 3000);
    meter.CountRequest("apigateway", "http");
    meter.CountRequest("custom", "thing", 1 << 20);  // not on the sheet: one unit per call
    meter.Count("s3", "storage", 0.25);
    return 0;
  });
  // Written by the group commit at the end of that loop turn.
  std::vector<RequestTotals> totals;
  REQUIRE(WaitUntil([&] {
    totals = f.OnLoop([&] { return ReadRequestTotals(f.emulator().db()).value(); });
    return totals.size() == 5;
  }));
  auto* rows = &totals;
  std::map<std::string, std::pair<int64_t, double>> by;
  for (const auto& t : *rows) by[t.service + "." + t.billing_class] = {t.calls, t.units};
  CHECK(by["sqs.standard"] == std::pair<int64_t, double>{2, 5});
  CHECK(by["dynamodb.read-eventual"] == std::pair<int64_t, double>{1, 0.5});
  CHECK(by["apigateway.http"] == std::pair<int64_t, double>{1, 1});
  CHECK(by["custom.thing"] == std::pair<int64_t, double>{1, 1});
  CHECK(by["s3.storage"] == std::pair<int64_t, double>{1, 0.25});
}

TEST_CASE("batches of counts add up in the hour's row; first and last call times span them") {
  Fixture f(Project(""), {{"spin.py", kSpin}});
  auto count = [&](int calls) {
    return f.OnLoop([&] {
      for (int i = 0; i < calls; ++i) f.emulator().meter().CountRequest("sqs", "standard", 100);
      f.emulator().db().FlushPending();
      return f.emulator().clock().WallNowMs();
    });
  };
  int64_t before = f.OnLoop([&] { return f.emulator().clock().WallNowMs(); });
  count(300);  // more than one deferred batch holds
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  int64_t after = count(2);
  auto totals = f.OnLoop([&] { return ReadRequestTotals(f.emulator().db()).value(); });
  REQUIRE(totals.size() == 1);
  CHECK(totals[0].calls == 302);
  CHECK(totals[0].units == doctest::Approx(302));
  CHECK(totals[0].first_ms >= before);
  CHECK(totals[0].last_ms <= after);
  CHECK(totals[0].last_ms - totals[0].first_ms >= 5);
}

TEST_CASE("a pricing key naming no sheet stops the start, listing the sheets") {
  auto project = config::ParseConfig("pricing: aws-eu-west-1\n", "/tmp/stratus.yaml");
  REQUIRE(project.ok());
  testing::LoopThread lt;
  testing::TempDir dir;
  EmulatorOptions options;
  options.project = project.value();
  options.service_port = 0;
  options.gateway_port = 0;
  options.data_dir = dir.path();
  options.log_fd = -1;
  auto emulator = std::make_unique<Emulator>(lt.loop(), std::move(options));
  Status started = lt.Run([&] { return emulator->Start(); });
  CHECK(started.code() == Status::Code::kNotFound);
  CHECK(started.message().find("pricing: no price sheet 'aws-eu-west-1'") == 0);
  testing::StopAndDestroy(lt, emulator);
}

}  // namespace
}  // namespace stratus::billing
