// Billing arithmetic against AWS's own published pricing examples, using the shipped sheet
// fixtures/pricing/aws-us-east-1.yaml (so the sheet's numbers are checked too).
#include <doctest/doctest.h>

#include <cmath>

#include "emulator/billing/price_sheet.h"
#include "emulator/billing/pricing.h"
#include "tests/support/paths.h"

namespace stratus::billing {
namespace {

PriceSheet Sheet(const std::string& name) {
  auto sheet = LoadPriceSheet(testing::SourceDir() + "/fixtures/pricing/" + name + ".yaml");
  REQUIRE_MESSAGE(sheet.ok(), sheet.status().message());
  return sheet.value();
}

// `n` identical invocations as a month of usage, priced the way the provider's meter does it:
// one invocation's charge times n.
MonthlyUsage Month(const FunctionPrices& prices, double n, InvocationUsage one) {
  InvocationCharge charge = ChargeInvocation(prices, one);
  MonthlyUsage usage;
  usage.requests = n;
  usage.gb_seconds[one.arch] = charge.gb_seconds * n;
  usage.vcpu_seconds = charge.vcpu_seconds * n;
  return usage;
}

// https://aws.amazon.com/lambda/pricing/ (the long-standing example, free tier applied):
// 512 MB, 3 million executions of 1 s each: compute 1,500,000 GB-s - 400,000 free =
// 1,100,000 GB-s x $0.00001667 = $18.34; requests 3M - 1M free = 2M x $0.20/M = $0.40;
// total $18.74. (The page rounds the GB-s price to $0.00001667; the sheet's exact
// $0.0000166667 gives $18.33.)
TEST_CASE("AWS example: 512 MB, 3M requests of 1 s, free tier") {
  PriceSheet aws = Sheet("aws-us-east-1");
  MonthlyBill bill = PriceMonth(aws, Month(aws.functions, 3e6, {512, 0, 1000, 0, "x86_64"}), true);
  CHECK(bill.compute == doctest::Approx(1100000 * 0.0000166667).epsilon(1e-12));
  CHECK(bill.compute == doctest::Approx(18.33).epsilon(0.001));
  CHECK(bill.requests == doctest::Approx(0.40));
  CHECK(bill.total == doctest::Approx(18.73).epsilon(0.001));
}

// Same page, second example: 128 MB, 30 million executions of 200 ms: 750,000 GB-s - 400,000
// free = 350,000 x $0.00001667 = $5.83; 29M requests x $0.20/M = $5.80; total $11.63.
TEST_CASE("AWS example: 128 MB, 30M requests of 200 ms, free tier") {
  PriceSheet aws = Sheet("aws-us-east-1");
  MonthlyBill bill = PriceMonth(aws, Month(aws.functions, 30e6, {128, 0, 200, 0, "x86_64"}), true);
  CHECK(bill.compute == doctest::Approx(5.83).epsilon(0.001));
  CHECK(bill.requests == doctest::Approx(5.80));
  CHECK(bill.total == doctest::Approx(11.63).epsilon(0.001));
}

// https://aws.amazon.com/lambda/pricing/ "Example 1: Mobile application backend" (no free
// tier): 3 million requests, 120 ms each, 1536 MB, x86: 540,000 GB-s x $0.0000166667 = $9.00;
// requests $0.60; total $9.60.
TEST_CASE("AWS example: mobile backend, 1536 MB x86, 3M x 120 ms, no free tier") {
  PriceSheet aws = Sheet("aws-us-east-1");
  InvocationCharge one = ChargeInvocation(aws.functions, {1536, 0, 120, 0, "x86_64"});
  CHECK(one.billed_ms == 120);
  CHECK(one.gb_seconds == doctest::Approx(0.18));
  MonthlyBill bill = PriceMonth(aws, Month(aws.functions, 3e6, {1536, 0, 120, 0, "x86_64"}), false);
  CHECK(bill.compute == doctest::Approx(9.00).epsilon(0.001));
  CHECK(bill.requests == doctest::Approx(0.60));
  CHECK(bill.total == doctest::Approx(9.60).epsilon(0.001));
}

// https://aws.amazon.com/blogs/compute/introducing-tiered-pricing-for-aws-lambda/: 2 GB, 60 s
// average, 75 million invocations = 9 billion GB-s on x86: the first 6 B at $0.0000166667,
// the next 3 B at $0.000015 (10 % off): $100,000.20 + $45,000 = $145,000.20 of compute.
TEST_CASE("AWS tiered pricing example: 9 billion GB-s on x86") {
  PriceSheet aws = Sheet("aws-us-east-1");
  MonthlyBill bill = PriceMonth(aws, Month(aws.functions, 75e6, {2048, 0, 60000, 0, "x86_64"}), false);
  CHECK(bill.compute == doctest::Approx(145000.20).epsilon(1e-9));
  CHECK(bill.requests == doctest::Approx(15.0));
}

TEST_CASE("billed duration: 1 ms granularity, INIT billed since 2025-08-01") {
  PriceSheet aws = Sheet("aws-us-east-1");
  CHECK(aws.functions.init_billed);
  REQUIRE(aws.functions.init_cite);
  CHECK(aws.functions.init_cite->effective == "2025-08-01");
  // The REPORT example in the Lambda docs: Duration 38.66 ms -> Billed 39 ms.
  CHECK(ChargeInvocation(aws.functions, {128, 0, 38.66, 0, "x86_64"}).billed_ms == 39);
  // Cold: Init Duration 203.69 ms is billed with it.
  CHECK(ChargeInvocation(aws.functions, {128, 0, 38.66, 203.69, "x86_64"}).billed_ms == 243);
  CHECK(ChargeInvocation(aws.functions, {128, 0, 0.2, 0, "x86_64"}).billed_ms == 1);
  CHECK(ChargeInvocation(aws.functions, {128, 0, 5, 0, "x86_64"}).billed_ms == 5);
}

TEST_CASE("arm64 is priced on its own tiers") {
  PriceSheet aws = Sheet("aws-us-east-1");
  InvocationCharge arm = ChargeInvocation(aws.functions, {1024, 0, 1000, 0, "arm64"});
  CHECK(arm.cost == doctest::Approx(0.0000002 + 0.0000133334));
  MonthlyUsage usage;
  usage.gb_seconds["arm64"] = 8e9;  // 7.5 B in tier 1, 0.5 B in tier 2
  MonthlyBill bill = PriceMonth(aws, usage, false);
  CHECK(bill.compute == doctest::Approx(7.5e9 * 0.0000133334 + 0.5e9 * 0.0000120001));
}

TEST_CASE("free GB-s are shared by the architectures") {
  PriceSheet aws = Sheet("aws-us-east-1");
  MonthlyUsage usage;
  usage.gb_seconds["arm64"] = 300000;
  usage.gb_seconds["x86_64"] = 300000;
  MonthlyBill bill = PriceMonth(aws, usage, true);
  // 400,000 free: arm64 (first in order) uses 300,000, x86_64 gets the last 100,000.
  CHECK(bill.compute == doctest::Approx(200000 * 0.0000166667));
}

// SQS bills each 64 KiB chunk of a payload as one request
// (https://aws.amazon.com/sqs/pricing/: "a 256 KB payload is billed as four requests").
TEST_CASE("SQS 64 KiB chunks and DynamoDB item-size rounding") {
  PriceSheet aws = Sheet("aws-us-east-1");
  const auto& sqs = aws.requests.at("sqs").at("standard");
  CHECK(RequestUnits(sqs, 0) == 1);
  CHECK(RequestUnits(sqs, 65536) == 1);
  CHECK(RequestUnits(sqs, 65537) == 2);
  CHECK(RequestUnits(sqs, 256 * 1024) == 4);
  const auto& ddb = aws.requests.at("dynamodb");
  // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html:
  // a 3.5 KB item takes 4 WRU; reading it takes 1 RRU strongly consistent, 0.5 eventually.
  CHECK(RequestUnits(ddb.at("write"), 3584) == 4);
  CHECK(RequestUnits(ddb.at("read-strong"), 3584) == 1);
  CHECK(RequestUnits(ddb.at("read-eventual"), 3584) == 0.5);
  CHECK(RequestUnits(ddb.at("read-strong"), 8 * 1024 + 1) == 3);
  CHECK(RequestUnits(ddb.at("write-transactional"), 1000) == 2);
  MonthlyUsage usage;
  usage.units["sqs"]["standard"] = 3e6;
  usage.units["dynamodb"]["write"] = 2e6;
  usage.units["queue-x"]["odd"] = 5;
  MonthlyBill bill = PriceMonth(aws, usage, true);
  CHECK(bill.services["sqs"]["standard"] == doctest::Approx(2e6 * 0.0000004));
  CHECK(bill.services["dynamodb"]["write"] == doctest::Approx(2 * 0.625));
  CHECK(bill.unpriced.count("queue-x.odd") == 1);
}

TEST_CASE("API Gateway REST tiers") {
  PriceSheet aws = Sheet("aws-us-east-1");
  const auto& rest = aws.requests.at("apigateway").at("rest");
  CHECK(TieredCost(rest.tiers, 1e6) == doctest::Approx(3.50));
  CHECK(TieredCost(rest.tiers, 1e9) == doctest::Approx(333e6 * 3.5e-6 + 667e6 * 2.8e-6));
}

// https://learn.microsoft.com/en-us/azure/azure-functions/functions-consumption-costs:
// observed memory rounds up to 128 MB steps, and an execution bills at least 100 ms.
TEST_CASE("Azure consumption: observed memory in 128 MB steps, 100 ms minimum") {
  PriceSheet azure = Sheet("azure-eastus");
  InvocationCharge c = ChargeInvocation(azure.functions, {1024, 160, 30, 0, "x86_64"});
  CHECK(c.billed_memory_mb == 256);
  CHECK(c.billed_ms == 100);
  CHECK(c.gb_seconds == doctest::Approx(0.1 * 0.25));
  CHECK(ChargeInvocation(azure.functions, {1024, 4000, 30, 0, "x86_64"}).billed_memory_mb == 1536);
  // The page's example: 0.5 GB for 3 s is 1.5 GB-s.
  CHECK(ChargeInvocation(azure.functions, {1024, 512, 3000, 0, "x86_64"}).gb_seconds == 1.5);
}

TEST_CASE("Cloud Run functions: 100 ms rounding, CPU by memory") {
  PriceSheet gcp = Sheet("gcp-us-central1");
  InvocationCharge c = ChargeInvocation(gcp.functions, {512, 0, 120, 0, "x86_64"});
  CHECK(c.billed_ms == 200);
  CHECK(c.vcpu_seconds == doctest::Approx(0.2 * 0.333));
  CHECK(c.cost == doctest::Approx(0.0000004 + 0.2 * 0.5 * 0.0000025 + 0.2 * 0.333 * 0.000024));
}

}  // namespace
}  // namespace stratus::billing
