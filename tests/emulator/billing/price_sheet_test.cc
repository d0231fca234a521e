// Loading price sheets: the shipped ones, a user's own, and every error with FILE:LINE:COL.
#include <doctest/doctest.h>

#include <string>

#include "emulator/billing/price_sheet.h"
#include "tests/support/paths.h"
#include "tests/support/stratus_process.h"

namespace stratus::billing {
namespace {

const char* kMinimal =
    "name: mine\n"
    "provider: aws\n"
    "functions:\n"
    "  source: https://example.com/prices\n"
    "  effective: 2026-01-01\n"
    "  request: 0.0000002\n"
    "  gb_second: {x86_64: 0.00001}\n";

TEST_CASE("every shipped sheet loads, and every price is cited") {
  auto sheets = LoadAllPriceSheets(testing::SourceDir() + "/fixtures/pricing");
  REQUIRE_MESSAGE(sheets.ok(), sheets.status().message());
  CHECK(sheets->size() >= 3);
  for (const PriceSheet& sheet : *sheets) {
    CAPTURE(sheet.name);
    CHECK(sheet.functions.cite.source.starts_with("https://"));
    CHECK(!sheet.functions.cite.effective.empty());
    for (const auto& [service, classes] : sheet.requests) {
      for (const auto& [name, cls] : classes) {
        CAPTURE(service + "." + name);
        CHECK(cls.cite.source.starts_with("https://"));
        CHECK(!cls.cite.effective.empty());
      }
    }
  }
}

TEST_CASE("a sheet by name, by path relative to the project, and a missing name") {
  std::string dir = testing::SourceDir() + "/fixtures/pricing";
  auto aws = FindPriceSheet("aws-us-east-1", "/nowhere", dir);
  REQUIRE_MESSAGE(aws.ok(), aws.status().message());
  CHECK(aws->requests.at("sqs").at("standard").chunk_bytes == 65536);
  CHECK(aws->vm->hourly == doctest::Approx(0.0104));

  testing::TempDir project;
  project.Write("prices/mine.yaml", kMinimal);
  auto mine = FindPriceSheet("prices/mine.yaml", project.path(), dir);
  REQUIRE_MESSAGE(mine.ok(), mine.status().message());
  CHECK(mine->name == "mine");
  CHECK(mine->functions.gb_second.at("x86_64").front().price == doctest::Approx(0.00001));

  auto missing = FindPriceSheet("aws-us-east-2", "/nowhere", dir);
  CHECK(missing.status().code() == Status::Code::kNotFound);
  CHECK(missing.status().message().find("did you mean 'aws-us-east-1'") != std::string::npos);
}

struct ErrorCase {
  std::string name, yaml, error;
};

const ErrorCase kErrors[] = {
    {"unknown top-level key", std::string(kMinimal) + "vms: {}\n",
     "p.yaml:8:1: unknown key 'vms' in a price sheet (did you mean 'vm'?)"},
    {"price not a number",
     "name: x\nprovider: aws\nfunctions:\n  source: https://e.com\n  effective: 2026-01\n"
     "  request: cheap\n  gb_second: {x86_64: 1}\n",
     "p.yaml:6:12: 'request' must be a number, got 'cheap'"},
    {"negative price",
     "name: x\nprovider: aws\nfunctions:\n  source: https://e.com\n  effective: 2026-01\n"
     "  request: -1\n  gb_second: {x86_64: 1}\n",
     "p.yaml:6:12: 'request' must be at least 0, got -1"},
    {"no source", "name: x\nprovider: aws\nfunctions:\n  effective: 2026-01\n  gb_second: {x86_64: 1}\n",
     "p.yaml:3:1: 'functions' needs 'source:' (the URL of the price)"},
    {"bad date",
     "name: x\nprovider: aws\nfunctions:\n  source: https://e.com\n  effective: last year\n"
     "  gb_second: {x86_64: 1}\n",
     "p.yaml:5:14: 'effective' must be a date YYYY-MM-DD (or YYYY-MM), got 'last year'"},
    {"source not a URL",
     "name: x\nprovider: aws\nfunctions:\n  source: the web\n  effective: 2026-01\n"
     "  gb_second: {x86_64: 1}\n",
     "p.yaml:4:11: 'source' must be the URL the price was read from, got 'the web'"},
    {"unknown architecture",
     "name: x\nprovider: aws\nfunctions:\n  source: https://e.com\n  effective: 2026-01\n"
     "  gb_second: {x86: 1}\n",
     "p.yaml:6:15: unknown architecture 'x86' (valid: x86_64, arm64)"},
    {"tiers out of order",
     "name: x\nprovider: aws\nfunctions:\n  source: https://e.com\n  effective: 2026-01\n"
     "  gb_second:\n    x86_64:\n      - {up_to: 10, price: 1}\n      - {up_to: 5, price: 1}\n"
     "      - {price: 1}\n",
     "p.yaml:9:9: tiers must be in ascending 'up_to:' order"},
    {"last tier bounded",
     "name: x\nprovider: aws\nfunctions:\n  source: https://e.com\n  effective: 2026-01\n"
     "  gb_second:\n    x86_64:\n      - {up_to: 10, price: 1}\n",
     "p.yaml:8:7: the last tier must have no 'up_to:'"},
    {"request class without citation",
     std::string(kMinimal) + "requests:\n  sqs:\n    standard: {price: 1}\n",
     "p.yaml:10:5: 'requests.sqs.standard' needs 'source:' (the URL of the price)"},
    {"request class unknown key",
     std::string(kMinimal) +
         "requests:\n  sqs:\n    standard: {source: https://e.com, effective: 2026-01, "
         "chunk: 1, price: 1}\n",
     "p.yaml:10:59: unknown key 'chunk' in 'requests.sqs.standard' (valid keys: source, "
     "effective, price, unit, chunk_bytes, units_per_chunk, free)"},
    {"no functions", "name: x\nprovider: aws\n", "p.yaml:1:1: a price sheet needs 'functions:'"},
    {"invalid YAML", "name: [x\n", "p.yaml:2:1: invalid YAML: end of sequence flow not found"},
};

TEST_CASE("errors name the file, line and column") {
  for (const auto& c : kErrors) {
    CAPTURE(c.name);
    auto sheet = ParsePriceSheet(c.yaml, "p.yaml");
    REQUIRE_FALSE(sheet.ok());
    CHECK(sheet.status().message() == c.error);
  }
  auto unreadable = LoadPriceSheet("/nonexistent/p.yaml");
  CHECK(unreadable.status().message() == "cannot read /nonexistent/p.yaml: No such file or directory");
}

}  // namespace
}  // namespace stratus::billing
