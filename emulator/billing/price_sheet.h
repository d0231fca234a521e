// PriceSheet: one provider's list prices for a region, read from fixtures/pricing/*.yaml (or a
// user's own file), every price carrying the URL it came from and the date it took effect.
// Plain values and pure functions: no threading rule. Nothing here touches the loop.
//
// Loading errors are Status::InvalidArgument "FILE:LINE:COL: message" (the project file's
// convention, emulator/config), or "cannot read FILE: <strerror>".
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "emulator/util/status.h"

namespace stratus::billing {

// Where a price came from: the page and the date it took effect ("2025-08-01" or "2022-08").
struct Citation {
  std::string source;
  std::string effective;
};

// A volume tier: `price` per unit for the units of the month up to `up_to` (cumulative);
// the last tier has no bound.
struct Tier {
  std::optional<double> up_to;
  double price = 0;
};

// Function compute: AWS Lambda, Google Cloud Run functions, Azure Functions (consumption).
struct FunctionPrices {
  Citation cite;
  double request = 0;            // per invocation
  int64_t granularity_ms = 1;    // billed duration rounds up to a multiple of this
  int64_t minimum_ms = 0;        // and is at least this
  bool init_billed = false;      // the INIT phase of a cold start is billed like duration
  std::optional<Citation> init_cite;
  // Which memory is billed: the configured size, or the observed peak (Azure consumption),
  // rounded up to `memory_step_mb` and capped at `memory_max_mb` (0: no cap).
  bool observed_memory = false;
  int memory_step_mb = 1;
  int memory_max_mb = 0;
  // Price per GB-second by architecture ("x86_64", "arm64"), tiered on the month's GB-s.
  std::map<std::string, std::vector<Tier>> gb_second;
  // Price per vCPU-second (Cloud Run functions bills CPU apart), and the vCPUs a memory size
  // gets: the first row whose memory_mb is >= the function's memory.
  double vcpu_second = 0;
  std::vector<std::pair<int, double>> vcpu_by_memory;  // (memory_mb, vcpus), ascending
  // Monthly free tier (0 = none).
  double free_requests = 0, free_gb_seconds = 0, free_vcpu_seconds = 0;
};

// One billing class of a service's API requests (S3 "tier1", SQS "standard", DynamoDB
// "write"...). A call costs units = max(1, ceil(bytes / chunk_bytes)) * units_per_chunk, or
// units_per_chunk when chunk_bytes is 0; units are priced by `tiers` per unit.
struct RequestClass {
  Citation cite;
  std::string unit = "request";  // what one unit is called in reports
  std::vector<Tier> tiers;
  int64_t chunk_bytes = 0;
  double units_per_chunk = 1;
  double free_units = 0;         // per month
};

// An always-on virtual machine to compare against (break-even rate).
struct VmPrice {
  Citation cite;
  std::string name;
  double hourly = 0;
  double vcpus = 0;
  double memory_gb = 0;
};

struct PriceSheet {
  std::string name;      // "aws-us-east-1"
  std::string provider;  // "aws", "gcp", "azure"
  std::string region;
  std::string currency = "USD";
  std::string file;      // where it was read from
  FunctionPrices functions;
  // service ("apigateway", "s3", "sqs", "dynamodb", "scheduler") -> class -> prices.
  std::map<std::string, std::map<std::string, RequestClass>> requests;
  std::optional<VmPrice> vm;
};

// Parses sheet text; `file_name_for_errors` prefixes errors and becomes PriceSheet::file.
Result<PriceSheet> ParsePriceSheet(const std::string& yaml_text,
                                   const std::string& file_name_for_errors);
Result<PriceSheet> LoadPriceSheet(const std::string& path);

// Resolves `name_or_path` as the project's `pricing:` key means it: a path (containing '/'
// or ending in .yaml/.yml, relative to `project_dir`) or the name of a sheet in
// `sheets_dir`. NotFound lists the sheets available when a name matches none.
Result<PriceSheet> FindPriceSheet(const std::string& name_or_path, const std::string& project_dir,
                                  const std::string& sheets_dir);

// Every sheet in `sheets_dir`, by name (errors of any one stop the listing).
Result<std::vector<PriceSheet>> LoadAllPriceSheets(const std::string& sheets_dir);

// fixtures/pricing: $STRATUS_PRICING_DIR, else the source tree's.
std::string DefaultPricingDir();
// fixtures/coldstart: $STRATUS_COLDSTART_DIR, else the source tree's.
std::string DefaultColdStartDir();

}  // namespace stratus::billing
