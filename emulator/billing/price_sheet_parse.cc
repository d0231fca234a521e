// The price sheet's YAML, read through field tables like the project file (unknown keys are
// refused with a suggestion; every error has FILE:LINE:COL).
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "emulator/billing/price_sheet.h"
#include "emulator/config/yaml_reader.h"

namespace stratus::billing {

namespace {

using config::Entry;
using config::Field;
using config::Position;
using config::Reader;

Result<double> ReadNumber(const Reader& r, const Entry& e, double min) {
  Result<std::string> text = config::ReadString(r, e);
  if (!text.ok()) return text.status();
  char* end = nullptr;
  errno = 0;
  double value = std::strtod(text->c_str(), &end);
  if (text->empty() || end != text->c_str() + text->size() || errno != 0 ||
      !std::isfinite(value)) {
    return r.Error(e.value_position, "'" + e.key + "' must be a number, got '" + *text + "'");
  }
  if (value < min) {
    return r.Error(e.value_position, "'" + e.key + "' must be at least " +
                                         std::to_string(static_cast<long long>(min)) + ", got " +
                                         *text);
  }
  return value;
}

// "2025-08-01" or "2022-08": the day (or month) a price took effect.
bool IsDate(const std::string& s) {
  if (s.size() != 7 && s.size() != 10) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 4 || i == 7;
    if (dash != (s[i] == '-')) return false;
    if (!dash && !std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

Status ReadSource(const Reader& r, const Entry& e, Citation& out) {
  auto v = config::ReadName(r, e);
  if (!v.ok()) return v.status();
  if (!v->starts_with("https://") && !v->starts_with("http://")) {
    return r.Error(e.value_position,
                   "'" + e.key + "' must be the URL the price was read from, got '" + *v + "'");
  }
  out.source = *v;
  return Status::Ok();
}

Status ReadEffective(const Reader& r, const Entry& e, Citation& out) {
  auto v = config::ReadName(r, e);
  if (!v.ok()) return v.status();
  if (!IsDate(*v)) {
    return r.Error(e.value_position, "'" + e.key +
                                         "' must be a date YYYY-MM-DD (or YYYY-MM), got '" + *v +
                                         "'");
  }
  out.effective = *v;
  return Status::Ok();
}

// Every priced block must say where its numbers come from.
Status RequireCitation(const Reader& r, Position at, const std::string& what, const Citation& c) {
  if (c.source.empty()) return r.Error(at, what + " needs 'source:' (the URL of the price)");
  if (c.effective.empty()) {
    return r.Error(at, what + " needs 'effective:' (the date the price took effect)");
  }
  return Status::Ok();
}

Result<Tier> ReadTier(const Reader& r, const YAML::Node& node) {
  Tier tier;
  bool has_price = false;
  Position at = config::PositionOf(node);
  auto entries = config::MapEntries(r, node, at, "a tier");
  if (!entries.ok()) return entries.status();
  for (const Entry& f : *entries) {
    if (f.key != "up_to" && f.key != "price") {
      return r.Error(f.key_position, "unknown key '" + f.key + "' in a tier" +
                                         config::Suggestion(f.key, {"up_to", "price"}, "valid keys"));
    }
    auto v = ReadNumber(r, f, 0);
    if (!v.ok()) return v.status();
    if (f.key == "price") {
      tier.price = *v;
      has_price = true;
    } else {
      tier.up_to = *v;
    }
  }
  if (!has_price) return r.Error(at, "a tier needs 'price:'");
  return tier;
}

// A single price, or `[{up_to: N, price: P}, ..., {price: P}]`.
Result<std::vector<Tier>> ReadTiers(const Reader& r, const Entry& e) {
  std::vector<Tier> tiers;
  if (e.value.IsScalar()) {
    auto price = ReadNumber(r, e, 0);
    if (!price.ok()) return price.status();
    tiers.push_back({std::nullopt, *price});
    return tiers;
  }
  if (!e.value.IsSequence() || e.value.size() == 0) {
    return r.Error(e.value_position, "'" + e.key +
                                         "' must be a price or a list of tiers [{up_to: N, "
                                         "price: P}, ..., {price: P}], got " +
                                         config::Describe(e.value));
  }
  for (const auto& node : e.value) {
    auto tier = ReadTier(r, node);
    if (!tier.ok()) return tier.status();
    Position at = config::PositionOf(node);
    if (!tiers.empty() && !tiers.back().up_to) {
      return r.Error(at, "only the last tier may leave out 'up_to:'");
    }
    if (!tiers.empty() && tier->up_to && *tier->up_to <= *tiers.back().up_to) {
      return r.Error(at, "tiers must be in ascending 'up_to:' order");
    }
    tiers.push_back(*tier);
  }
  if (tiers.back().up_to) return r.Error(e.value_position, "the last tier must have no 'up_to:'");
  return tiers;
}

template <typename T, double T::*Member>
Status NumberField(const Reader& r, const Entry& e, T& out) {
  auto v = ReadNumber(r, e, 0);
  if (!v.ok()) return v.status();
  out.*Member = *v;
  return Status::Ok();
}

template <typename T>
Status CiteSource(const Reader& r, const Entry& e, T& out) { return ReadSource(r, e, out.cite); }
template <typename T>
Status CiteEffective(const Reader& r, const Entry& e, T& out) {
  return ReadEffective(r, e, out.cite);
}

// --- functions: ---

Status ReadInitBilled(const Reader& r, const Entry& e, FunctionPrices& out) {
  auto v = config::ReadBool(r, e);
  if (!v.ok()) return v.status();
  out.init_billed = *v;
  return Status::Ok();
}

Status ReadInitSource(const Reader& r, const Entry& e, FunctionPrices& out) {
  if (!out.init_cite) out.init_cite.emplace();
  return ReadSource(r, e, *out.init_cite);
}

Status ReadInitEffective(const Reader& r, const Entry& e, FunctionPrices& out) {
  if (!out.init_cite) out.init_cite.emplace();
  return ReadEffective(r, e, *out.init_cite);
}

Status ReadGranularity(const Reader& r, const Entry& e, FunctionPrices& out) {
  auto v = config::ReadInt(r, e, 1, 60000);
  if (!v.ok()) return v.status();
  out.granularity_ms = *v;
  return Status::Ok();
}

Status ReadMinimum(const Reader& r, const Entry& e, FunctionPrices& out) {
  auto v = config::ReadInt(r, e, 0, 60000);
  if (!v.ok()) return v.status();
  out.minimum_ms = *v;
  return Status::Ok();
}

constexpr Field<FunctionPrices> kMemoryFields[] = {
    {"basis",
     [](const Reader& r, const Entry& e, FunctionPrices& out) -> Status {
       auto v = config::ReadChoice(r, e, {"configured", "observed"});
       if (!v.ok()) return v.status();
       out.observed_memory = *v == "observed";
       return Status::Ok();
     }},
    {"step_mb",
     [](const Reader& r, const Entry& e, FunctionPrices& out) -> Status {
       auto v = config::ReadInt(r, e, 1, 10240);
       if (!v.ok()) return v.status();
       out.memory_step_mb = static_cast<int>(*v);
       return Status::Ok();
     }},
    {"max_mb",
     [](const Reader& r, const Entry& e, FunctionPrices& out) -> Status {
       auto v = config::ReadInt(r, e, 0, 1 << 20);
       if (!v.ok()) return v.status();
       out.memory_max_mb = static_cast<int>(*v);
       return Status::Ok();
     }},
};

constexpr Field<FunctionPrices> kFreeFields[] = {
    {"requests", NumberField<FunctionPrices, &FunctionPrices::free_requests>},
    {"gb_seconds", NumberField<FunctionPrices, &FunctionPrices::free_gb_seconds>},
    {"vcpu_seconds", NumberField<FunctionPrices, &FunctionPrices::free_vcpu_seconds>},
};

Status ReadGbSecond(const Reader& r, const Entry& e, FunctionPrices& out) {
  auto archs = config::MapEntries(r, e.value, e.value_position, "'gb_second'");
  if (!archs.ok()) return archs.status();
  for (const Entry& arch : *archs) {
    if (arch.key != "x86_64" && arch.key != "arm64") {
      return r.Error(arch.key_position, "unknown architecture '" + arch.key +
                                            "' (valid: x86_64, arm64)");
    }
    auto tiers = ReadTiers(r, arch);
    if (!tiers.ok()) return tiers.status();
    out.gb_second[arch.key] = std::move(tiers.value());
  }
  if (out.gb_second.empty()) return r.Error(e.value_position, "'gb_second' names no architecture");
  return Status::Ok();
}

Status ReadVcpuByMemory(const Reader& r, const Entry& e, FunctionPrices& out) {
  auto rows = config::MapEntries(r, e.value, e.value_position, "'vcpu_by_memory'");
  if (!rows.ok()) return rows.status();
  for (const Entry& row : *rows) {
    char* end = nullptr;
    long mb = std::strtol(row.key.c_str(), &end, 10);
    if (end != row.key.c_str() + row.key.size() || mb <= 0) {
      return r.Error(row.key_position, "'vcpu_by_memory' keys are memory sizes in MB, got '" +
                                           row.key + "'");
    }
    auto vcpus = ReadNumber(r, row, 0);
    if (!vcpus.ok()) return vcpus.status();
    if (!out.vcpu_by_memory.empty() && out.vcpu_by_memory.back().first >= mb) {
      return r.Error(row.key_position, "'vcpu_by_memory' must be in ascending memory order");
    }
    out.vcpu_by_memory.emplace_back(static_cast<int>(mb), *vcpus);
  }
  return Status::Ok();
}

constexpr Field<FunctionPrices> kFunctionFields[] = {
    {"source", CiteSource<FunctionPrices>},
    {"effective", CiteEffective<FunctionPrices>},
    {"request", NumberField<FunctionPrices, &FunctionPrices::request>},
    {"granularity_ms", ReadGranularity},
    {"minimum_ms", ReadMinimum},
    {"init_billed", ReadInitBilled},
    {"init_source", ReadInitSource},
    {"init_effective", ReadInitEffective},
    {"memory",
     [](const Reader& r, const Entry& e, FunctionPrices& out) {
       return config::ReadFields<FunctionPrices>(r, e.value, e.value_position, "'memory'",
                                                 kMemoryFields, out);
     }},
    {"gb_second", ReadGbSecond},
    {"vcpu_second", NumberField<FunctionPrices, &FunctionPrices::vcpu_second>},
    {"vcpu_by_memory", ReadVcpuByMemory},
    {"free",
     [](const Reader& r, const Entry& e, FunctionPrices& out) {
       return config::ReadFields<FunctionPrices>(r, e.value, e.value_position, "'free'",
                                                 kFreeFields, out);
     }},
};

// --- requests: ---

constexpr Field<RequestClass> kClassFields[] = {
    {"source", CiteSource<RequestClass>},
    {"effective", CiteEffective<RequestClass>},
    {"price",
     [](const Reader& r, const Entry& e, RequestClass& out) -> Status {
       auto tiers = ReadTiers(r, e);
       if (!tiers.ok()) return tiers.status();
       out.tiers = std::move(tiers.value());
       return Status::Ok();
     }},
    {"unit",
     [](const Reader& r, const Entry& e, RequestClass& out) -> Status {
       auto v = config::ReadName(r, e);
       if (!v.ok()) return v.status();
       out.unit = *v;
       return Status::Ok();
     }},
    {"chunk_bytes",
     [](const Reader& r, const Entry& e, RequestClass& out) -> Status {
       auto v = config::ReadInt(r, e, 0, int64_t{1} << 40);
       if (!v.ok()) return v.status();
       out.chunk_bytes = *v;
       return Status::Ok();
     }},
    {"units_per_chunk", NumberField<RequestClass, &RequestClass::units_per_chunk>},
    {"free", NumberField<RequestClass, &RequestClass::free_units>},
};

Status ReadRequests(const Reader& r, const Entry& e, PriceSheet& out) {
  auto services = config::MapEntries(r, e.value, e.value_position, "'requests'");
  if (!services.ok()) return services.status();
  for (const Entry& service : *services) {
    auto classes = config::MapEntries(r, service.value, service.value_position,
                                      "'" + service.key + "'");
    if (!classes.ok()) return classes.status();
    for (const Entry& cls : *classes) {
      RequestClass rc;
      std::string what = "'requests." + service.key + "." + cls.key + "'";
      STRATUS_RETURN_IF_ERROR(config::ReadFields<RequestClass>(r, cls.value, cls.value_position,
                                                               what, kClassFields, rc));
      STRATUS_RETURN_IF_ERROR(RequireCitation(r, cls.key_position, what, rc.cite));
      if (rc.tiers.empty()) return r.Error(cls.key_position, what + " needs 'price:'");
      out.requests[service.key][cls.key] = std::move(rc);
    }
  }
  return Status::Ok();
}

// --- vm: ---

constexpr Field<VmPrice> kVmFields[] = {
    {"source", CiteSource<VmPrice>},
    {"effective", CiteEffective<VmPrice>},
    {"name",
     [](const Reader& r, const Entry& e, VmPrice& out) -> Status {
       auto v = config::ReadName(r, e);
       if (!v.ok()) return v.status();
       out.name = *v;
       return Status::Ok();
     }},
    {"hourly", NumberField<VmPrice, &VmPrice::hourly>},
    {"vcpus", NumberField<VmPrice, &VmPrice::vcpus>},
    {"memory_gb", NumberField<VmPrice, &VmPrice::memory_gb>},
};

Status ReadVm(const Reader& r, const Entry& e, PriceSheet& out) {
  VmPrice vm;
  STRATUS_RETURN_IF_ERROR(
      config::ReadFields<VmPrice>(r, e.value, e.value_position, "'vm'", kVmFields, vm));
  STRATUS_RETURN_IF_ERROR(RequireCitation(r, e.key_position, "'vm'", vm.cite));
  if (vm.name.empty() || vm.hourly <= 0) {
    return r.Error(e.key_position, "'vm' needs 'name:' and a positive 'hourly:'");
  }
  out.vm = std::move(vm);
  return Status::Ok();
}

template <std::string PriceSheet::*Member>
Status StringField(const Reader& r, const Entry& e, PriceSheet& out) {
  auto v = config::ReadName(r, e);
  if (!v.ok()) return v.status();
  out.*Member = *v;
  return Status::Ok();
}

Status ReadFunctionsBlock(const Reader& r, const Entry& e, PriceSheet& out) {
  FunctionPrices& fp = out.functions;
  STRATUS_RETURN_IF_ERROR(config::ReadFields<FunctionPrices>(r, e.value, e.value_position,
                                                             "'functions'", kFunctionFields, fp));
  STRATUS_RETURN_IF_ERROR(RequireCitation(r, e.key_position, "'functions'", fp.cite));
  if (fp.gb_second.empty()) return r.Error(e.key_position, "'functions' needs 'gb_second:'");
  if (fp.init_cite) {
    STRATUS_RETURN_IF_ERROR(
        RequireCitation(r, e.key_position, "'functions' INIT billing", *fp.init_cite));
  }
  if (fp.vcpu_second > 0 && fp.vcpu_by_memory.empty()) {
    return r.Error(e.key_position, "'vcpu_second' needs 'vcpu_by_memory:'");
  }
  return Status::Ok();
}

constexpr Field<PriceSheet> kSheetFields[] = {
    {"name", StringField<&PriceSheet::name>},
    {"provider", StringField<&PriceSheet::provider>},
    {"region", StringField<&PriceSheet::region>},
    {"currency", StringField<&PriceSheet::currency>},
    {"functions", ReadFunctionsBlock},
    {"requests", ReadRequests},
    {"vm", ReadVm},
};

}  // namespace

Status ReadSheetTop(const Reader& r, const std::string& text, PriceSheet& out) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& ex) {
    return r.Error({ex.mark.line + 1, ex.mark.column + 1}, "invalid YAML: " + ex.msg);
  }
  STRATUS_RETURN_IF_ERROR(
      config::ReadFields<PriceSheet>(r, root, {1, 1}, "a price sheet", kSheetFields, out));
  if (out.name.empty() || out.provider.empty()) {
    return r.Error({1, 1}, "a price sheet needs 'name:' and 'provider:'");
  }
  if (out.functions.gb_second.empty()) return r.Error({1, 1}, "a price sheet needs 'functions:'");
  return Status::Ok();
}

}  // namespace stratus::billing
