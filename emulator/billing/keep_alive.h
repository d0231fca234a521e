// Keep-alive policies: how long an idle execution environment stays warm, and whether it is
// unloaded at once and pre-warmed shortly before the next expected invocation.
//   - Fixed: each function's `keep_alive:` (AWS has used about 10 minutes since 2019).
//   - Hybrid histogram: Shahrad et al., "Serverless in the Wild: Characterizing and Optimizing
//     the Serverless Workload at a Large Cloud Provider", USENIX ATC 2020
//     (https://www.usenix.org/conference/atc20/presentation/shahrad). Per function, a
//     histogram of inter-arrival times in 1-minute bins over a 4-hour range. When it is
//     representative (enough samples, coefficient of variation of the bin counts >= 2), the
//     pre-warm window is the 5th percentile less 10 % and the keep-alive window runs to the
//     99th percentile plus 10 %; otherwise no pre-warm and a keep-alive of the whole range.
//     (The paper's ARIMA fallback for mostly out-of-range times is not implemented: such
//     functions get the conservative window as well.)
// Threading: loop thread only (the Pool asks it).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "emulator/config/config.h"
#include "emulator/util/clock.h"

namespace stratus::billing {

struct KeepAliveWindow {
  // When non-zero: unload the instance now and start a new one after this long.
  Clock::Duration prewarm{0};
  // How long the instance (or the pre-warmed one, once ready) stays warm while idle.
  Clock::Duration keep_alive{0};
};

class KeepAlivePolicy {
 public:
  virtual ~KeepAlivePolicy() = default;
  // An invocation of `function` arrived at `at`.
  virtual void OnInvocation(const std::string& function, Clock::TimePoint at) = 0;
  // An instance of `function` went idle; `configured` is its `keep_alive:`.
  virtual KeepAliveWindow AfterIdle(const std::string& function, Clock::Duration configured) = 0;
  virtual std::string_view name() const = 0;
};

class FixedKeepAlive final : public KeepAlivePolicy {
 public:
  void OnInvocation(const std::string&, Clock::TimePoint) override {}
  KeepAliveWindow AfterIdle(const std::string&, Clock::Duration configured) override {
    return {Clock::Duration::zero(), configured};
  }
  std::string_view name() const override { return "fixed"; }
};

class HybridHistogramKeepAlive final : public KeepAlivePolicy {
 public:
  static constexpr int kBins = 240;            // 1-minute bins over 4 hours
  static constexpr int kMinSamples = 5;        // fewer: not representative yet
  static constexpr double kMinCv = 2.0;        // the dslab re-implementation's threshold
  static constexpr double kHeadPercentile = 0.05, kTailPercentile = 0.99, kMargin = 0.10;

  void OnInvocation(const std::string& function, Clock::TimePoint at) override;
  KeepAliveWindow AfterIdle(const std::string& function, Clock::Duration configured) override;
  std::string_view name() const override { return "hybrid"; }

 private:
  struct Histogram {
    std::vector<int> bins = std::vector<int>(kBins, 0);
    int in_range = 0, out_of_range = 0;
    bool seen = false;
    Clock::TimePoint last{};
  };
  std::map<std::string, Histogram> functions_;
};

std::unique_ptr<KeepAlivePolicy> MakeKeepAlivePolicy(config::KeepAlivePolicy policy);

}  // namespace stratus::billing
