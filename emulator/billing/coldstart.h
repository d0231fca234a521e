// ColdStartModel: the INIT duration a cold start would take in the cloud, per runtime and
// memory size, as a log-normal distribution (median, p99) read from fixtures/coldstart/*.yaml
// with the sources of its figures. Sampling draws from the emulator's one seeded Random, so a
// run with --seed repeats exactly. Plain values; Sample() is called on the loop thread (the
// Random it is given is loop-owned).
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "emulator/util/ids.h"
#include "emulator/util/status.h"

namespace stratus::billing {

struct ColdStartParams {
  double median_ms = 0;
  double p99_ms = 0;
};

class ColdStartModel {
 public:
  // Parses the model; errors are InvalidArgument "FILE:LINE:COL: message".
  static Result<ColdStartModel> Parse(const std::string& yaml_text, const std::string& file);
  static Result<ColdStartModel> Load(const std::string& path);

  // The parameters for `runtime` (longest matching prefix) at `memory_mb`, the memory factor
  // applied; NotFound when no prefix matches.
  Result<ColdStartParams> For(const std::string& runtime, int memory_mb) const;

  // One INIT duration in ms for `runtime` at `memory_mb`; 0 for a runtime the model lacks.
  double Sample(const std::string& runtime, int memory_mb, Random& random) const;

  // How much to add to a measured INIT so that it follows the model: max(0, sample - measured).
  double SimulatedExtra(const std::string& runtime, int memory_mb, double measured_ms,
                        Random& random) const;

  const std::string& name() const { return name_; }

 private:
  std::string name_;
  std::map<std::string, ColdStartParams> runtimes_;
  std::vector<std::pair<int, double>> memory_factor_;  // ascending memory
};

// A log-normal sample with the given median and 99th percentile (Box-Muller on `random`).
double SampleLogNormal(double median, double p99, Random& random);

}  // namespace stratus::billing
