// Billing arithmetic over a PriceSheet: what one invocation is billed (rounded duration,
// GB-seconds, vCPU-seconds, list cost) and what a month of usage costs after the free tier
// and volume tiers. Pure functions, no threading rule.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "emulator/billing/price_sheet.h"

namespace stratus::billing {

// What the provider's meter sees of one invocation.
struct InvocationUsage {
  int memory_mb = 128;       // configured
  int max_memory_mb = 0;     // observed peak; 0 when unknown
  double duration_ms = 0;
  double init_ms = 0;        // cold starts only: measured plus simulated
  std::string arch = "x86_64";
};

struct InvocationCharge {
  int64_t billed_ms = 0;     // rounded up to the sheet's granularity, at least its minimum
  int billed_memory_mb = 0;  // configured, or the observed peak rounded as the sheet says
  double gb_seconds = 0;
  double vcpu_seconds = 0;
  double cost = 0;           // request + duration at the first tier's prices (no free tier)
};

// Returns the charge of one invocation under `prices`.
InvocationCharge ChargeInvocation(const FunctionPrices& prices, const InvocationUsage& usage);

// The cost of `units` units in a month, walking the volume tiers from the first unit.
double TieredCost(const std::vector<Tier>& tiers, double units);

// Billable units of one API call of `cls` carrying `bytes` of payload (SQS: each 64 KiB
// chunk; DynamoDB: 1 KB write units, 4 KB read units halved when eventually consistent).
double RequestUnits(const RequestClass& cls, int64_t bytes);

// A month of usage.
struct MonthlyUsage {
  double requests = 0;                        // function invocations
  std::map<std::string, double> gb_seconds;  // by architecture
  double vcpu_seconds = 0;
  std::map<std::string, std::map<std::string, double>> units;  // service -> class -> units
};

struct MonthlyBill {
  double requests = 0;   // invocation requests
  double compute = 0;    // GB-seconds (and vCPU-seconds)
  std::map<std::string, std::map<std::string, double>> services;  // API requests by class
  std::map<std::string, std::string> unpriced;  // service.class -> why it is not in the total
  double total = 0;
};

// Prices `usage` for one month; `free_tier` subtracts the sheet's monthly free allowances.
MonthlyBill PriceMonth(const PriceSheet& sheet, const MonthlyUsage& usage, bool free_tier);

}  // namespace stratus::billing
