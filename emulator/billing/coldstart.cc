#include "emulator/billing/coldstart.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "emulator/config/yaml_reader.h"

namespace stratus::billing {

namespace {

using config::Entry;
using config::Reader;

// z of the 99th percentile of the standard normal.
constexpr double kZ99 = 2.3263478740408408;

Result<double> PositiveNumber(const Reader& r, const Entry& e) {
  auto text = config::ReadString(r, e);
  if (!text.ok()) return text.status();
  char* end = nullptr;
  double v = std::strtod(text->c_str(), &end);
  if (text->empty() || end != text->c_str() + text->size() || !(v > 0) || !std::isfinite(v)) {
    return r.Error(e.value_position, "'" + e.key + "' must be a positive number, got '" + *text + "'");
  }
  return v;
}

Status ReadRuntime(const Reader& r, const Entry& e, ColdStartParams& out) {
  auto entries = config::MapEntries(r, e.value, e.value_position, "runtime '" + e.key + "'");
  if (!entries.ok()) return entries.status();
  for (const Entry& f : *entries) {
    if (f.key != "median_ms" && f.key != "p99_ms") {
      return r.Error(f.key_position, "unknown key '" + f.key + "' in runtime '" + e.key + "'" +
                                         config::Suggestion(f.key, {"median_ms", "p99_ms"},
                                                            "valid keys"));
    }
    auto v = PositiveNumber(r, f);
    if (!v.ok()) return v.status();
    (f.key == "median_ms" ? out.median_ms : out.p99_ms) = *v;
  }
  if (out.median_ms <= 0 || out.p99_ms < out.median_ms) {
    return r.Error(e.key_position, "runtime '" + e.key +
                                       "' needs 'median_ms' and a 'p99_ms' at least as large");
  }
  return Status::Ok();
}

}  // namespace

Result<ColdStartModel> ColdStartModel::Parse(const std::string& yaml_text, const std::string& file) {
  Reader r(file);
  ColdStartModel model;
  try {
    YAML::Node root = YAML::Load(yaml_text);
    auto entries = config::MapEntries(r, root, {1, 1}, "a cold-start model");
    if (!entries.ok()) return entries.status();
    for (const Entry& e : *entries) {
      if (e.key == "name") {
        auto v = config::ReadName(r, e);
        if (!v.ok()) return v.status();
        model.name_ = *v;
      } else if (e.key == "runtimes") {
        auto runtimes = config::MapEntries(r, e.value, e.value_position, "'runtimes'");
        if (!runtimes.ok()) return runtimes.status();
        for (const Entry& rt : *runtimes) {
          ColdStartParams params;
          STRATUS_RETURN_IF_ERROR(ReadRuntime(r, rt, params));
          model.runtimes_[rt.key] = params;
        }
      } else if (e.key == "memory_factor") {
        auto rows = config::MapEntries(r, e.value, e.value_position, "'memory_factor'");
        if (!rows.ok()) return rows.status();
        for (const Entry& row : *rows) {
          int mb = std::atoi(row.key.c_str());
          if (mb <= 0 || std::to_string(mb) != row.key ||
              (!model.memory_factor_.empty() && model.memory_factor_.back().first >= mb)) {
            return r.Error(row.key_position,
                           "'memory_factor' keys are memory sizes in MB, ascending; got '" +
                               row.key + "'");
          }
          auto v = PositiveNumber(r, row);
          if (!v.ok()) return v.status();
          model.memory_factor_.emplace_back(mb, *v);
        }
      } else {
        return r.Error(e.key_position, "unknown key '" + e.key + "' in a cold-start model" +
                                           config::Suggestion(e.key, {"name", "runtimes", "memory_factor"},
                                                              "valid keys"));
      }
    }
  } catch (const YAML::Exception& ex) {
    return r.Error({ex.mark.line + 1, ex.mark.column + 1}, "invalid YAML: " + ex.msg);
  }
  if (model.runtimes_.empty()) return r.Error({1, 1}, "a cold-start model needs 'runtimes:'");
  return model;
}

Result<ColdStartModel> ColdStartModel::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return Parse(text.str(), path);
}

Result<ColdStartParams> ColdStartModel::For(const std::string& runtime, int memory_mb) const {
  const ColdStartParams* best = nullptr;
  size_t best_length = 0;
  for (const auto& [prefix, params] : runtimes_) {
    if (runtime.starts_with(prefix) && prefix.size() >= best_length) {
      best = &params;
      best_length = prefix.size();
    }
  }
  if (best == nullptr) {
    return Status::NotFound("the cold-start model " + name_ + " has no runtime '" + runtime + "'");
  }
  double factor = 1;
  const auto& rows = memory_factor_;
  if (!rows.empty()) {
    factor = memory_mb <= rows.front().first ? rows.front().second : rows.back().second;
    for (size_t i = 1; i < rows.size(); ++i) {
      if (memory_mb >= rows[i - 1].first && memory_mb <= rows[i].first) {
        double t = double(memory_mb - rows[i - 1].first) / (rows[i].first - rows[i - 1].first);
        factor = rows[i - 1].second + t * (rows[i].second - rows[i - 1].second);
        break;
      }
    }
  }
  return ColdStartParams{best->median_ms * factor, best->p99_ms * factor};
}

double ColdStartModel::Sample(const std::string& runtime, int memory_mb, Random& random) const {
  auto params = For(runtime, memory_mb);
  if (!params.ok()) return 0;
  return SampleLogNormal(params->median_ms, params->p99_ms, random);
}

double ColdStartModel::SimulatedExtra(const std::string& runtime, int memory_mb,
                                      double measured_ms, Random& random) const {
  return std::max(0.0, Sample(runtime, memory_mb, random) - measured_ms);
}

double SampleLogNormal(double median, double p99, Random& random) {
  double sigma = std::log(p99 / median) / kZ99;
  // Box-Muller; 1 - u keeps the logarithm's argument in (0, 1].
  double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
  double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
  return median * std::exp(sigma * z);
}

}  // namespace stratus::billing
