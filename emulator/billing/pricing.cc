#include "emulator/billing/pricing.h"

#include <algorithm>
#include <cmath>

namespace stratus::billing {

namespace {

int BilledMemory(const FunctionPrices& prices, const InvocationUsage& usage) {
  if (!prices.observed_memory || usage.max_memory_mb <= 0) return usage.memory_mb;
  int step = std::max(1, prices.memory_step_mb);
  int mb = std::max(step, (usage.max_memory_mb + step - 1) / step * step);
  if (prices.memory_max_mb > 0) mb = std::min(mb, prices.memory_max_mb);
  return mb;
}

double VcpusFor(const FunctionPrices& prices, int memory_mb) {
  for (const auto& [mb, vcpus] : prices.vcpu_by_memory) {
    if (memory_mb <= mb) return vcpus;
  }
  return prices.vcpu_by_memory.empty() ? 0 : prices.vcpu_by_memory.back().second;
}

const std::vector<Tier>* ArchTiers(const FunctionPrices& prices, const std::string& arch) {
  auto it = prices.gb_second.find(arch);
  if (it == prices.gb_second.end()) it = prices.gb_second.find("x86_64");
  if (it == prices.gb_second.end()) it = prices.gb_second.begin();
  return it == prices.gb_second.end() ? nullptr : &it->second;
}

}  // namespace

InvocationCharge ChargeInvocation(const FunctionPrices& prices, const InvocationUsage& usage) {
  InvocationCharge charge;
  double ms = usage.duration_ms + (prices.init_billed ? usage.init_ms : 0);
  int64_t granularity = std::max<int64_t>(1, prices.granularity_ms);
  // A hair of tolerance: 38.000000001 ms of float noise is still 38 ms.
  auto units = static_cast<int64_t>(std::ceil(ms / static_cast<double>(granularity) - 1e-9));
  charge.billed_ms = std::max(prices.minimum_ms, std::max<int64_t>(0, units) * granularity);
  charge.billed_memory_mb = BilledMemory(prices, usage);
  double seconds = static_cast<double>(charge.billed_ms) / 1000.0;
  charge.gb_seconds = seconds * charge.billed_memory_mb / 1024.0;
  charge.vcpu_seconds = seconds * VcpusFor(prices, usage.memory_mb);
  const std::vector<Tier>* tiers = ArchTiers(prices, usage.arch);
  double gb_price = tiers && !tiers->empty() ? tiers->front().price : 0;
  charge.cost = prices.request + charge.gb_seconds * gb_price +
                charge.vcpu_seconds * prices.vcpu_second;
  return charge;
}

double TieredCost(const std::vector<Tier>& tiers, double units) {
  double cost = 0, floor = 0;
  for (const Tier& tier : tiers) {
    if (units <= floor) break;
    double ceiling = tier.up_to ? std::min(units, *tier.up_to) : units;
    cost += (ceiling - floor) * tier.price;
    if (!tier.up_to) break;
    floor = *tier.up_to;
  }
  return cost;
}

double RequestUnits(const RequestClass& cls, int64_t bytes) {
  double chunks = 1;
  if (cls.chunk_bytes > 0 && bytes > cls.chunk_bytes) {
    chunks = static_cast<double>((bytes + cls.chunk_bytes - 1) / cls.chunk_bytes);
  }
  return chunks * cls.units_per_chunk;
}

MonthlyBill PriceMonth(const PriceSheet& sheet, const MonthlyUsage& usage, bool free_tier) {
  const FunctionPrices& fp = sheet.functions;
  MonthlyBill bill;
  double free_requests = free_tier ? fp.free_requests : 0;
  bill.requests = std::max(0.0, usage.requests - free_requests) * fp.request;
  // The GB-second allowance is shared by the architectures; tiers count per architecture.
  double free_gbs = free_tier ? fp.free_gb_seconds : 0;
  for (const auto& [arch, gbs] : usage.gb_seconds) {
    double billable = std::max(0.0, gbs - free_gbs);
    free_gbs = std::max(0.0, free_gbs - gbs);
    if (const std::vector<Tier>* tiers = ArchTiers(fp, arch)) bill.compute += TieredCost(*tiers, billable);
  }
  double free_vcpu = free_tier ? fp.free_vcpu_seconds : 0;
  bill.compute += std::max(0.0, usage.vcpu_seconds - free_vcpu) * fp.vcpu_second;
  bill.total = bill.requests + bill.compute;
  for (const auto& [service, classes] : usage.units) {
    for (const auto& [cls, units] : classes) {
      auto s = sheet.requests.find(service);
      if (s == sheet.requests.end() || s->second.find(cls) == s->second.end()) {
        bill.unpriced[service + "." + cls] = "not on price sheet " + sheet.name;
        continue;
      }
      const RequestClass& rc = s->second.at(cls);
      double billable = std::max(0.0, units - (free_tier ? rc.free_units : 0));
      double cost = TieredCost(rc.tiers, billable);
      bill.services[service][cls] = cost;
      bill.total += cost;
    }
  }
  return bill;
}

}  // namespace stratus::billing
