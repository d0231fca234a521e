#include "emulator/billing/keep_alive.h"

#include <cmath>

namespace stratus::billing {

namespace {

using Minutes = std::chrono::duration<double, std::ratio<60>>;

Clock::Duration FromMinutes(double minutes) {
  return std::chrono::duration_cast<Clock::Duration>(Minutes(minutes));
}

// The smallest bin index whose cumulative count reaches `fraction` of `total`.
int PercentileBin(const std::vector<int>& bins, int total, double fraction) {
  double need = fraction * total;
  int cumulative = 0;
  for (size_t i = 0; i < bins.size(); ++i) {
    cumulative += bins[i];
    if (cumulative >= need && cumulative > 0) return static_cast<int>(i);
  }
  return static_cast<int>(bins.size()) - 1;
}

double CoefficientOfVariation(const std::vector<int>& bins) {
  double mean = 0;
  for (int b : bins) mean += b;
  mean /= bins.size();
  if (mean == 0) return 0;
  double variance = 0;
  for (int b : bins) variance += (b - mean) * (b - mean);
  variance /= bins.size();
  return std::sqrt(variance) / mean;
}

}  // namespace

void HybridHistogramKeepAlive::OnInvocation(const std::string& function, Clock::TimePoint at) {
  Histogram& h = functions_[function];
  if (h.seen) {
    double minutes = Minutes(at - h.last).count();
    if (minutes < kBins) {
      ++h.bins[static_cast<int>(minutes)];
      ++h.in_range;
    } else {
      ++h.out_of_range;
    }
  }
  h.seen = true;
  h.last = at;
}

KeepAliveWindow HybridHistogramKeepAlive::AfterIdle(const std::string& function, Clock::Duration) {
  const KeepAliveWindow conservative{Clock::Duration::zero(), FromMinutes(kBins)};
  auto it = functions_.find(function);
  if (it == functions_.end()) return conservative;
  const Histogram& h = it->second;
  if (h.in_range < kMinSamples || h.out_of_range > h.in_range ||
      CoefficientOfVariation(h.bins) < kMinCv) {
    return conservative;
  }
  // Bin i holds times in [i, i + 1) minutes: the head is its lower edge, the tail its upper.
  double head = PercentileBin(h.bins, h.in_range, kHeadPercentile) * (1 - kMargin);
  double tail = (PercentileBin(h.bins, h.in_range, kTailPercentile) + 1) * (1 + kMargin);
  return {FromMinutes(head), FromMinutes(tail - head)};
}

std::unique_ptr<KeepAlivePolicy> MakeKeepAlivePolicy(config::KeepAlivePolicy policy) {
  if (policy == config::KeepAlivePolicy::kHybrid) {
    return std::make_unique<HybridHistogramKeepAlive>();
  }
  return std::make_unique<FixedKeepAlive>();
}

}  // namespace stratus::billing
