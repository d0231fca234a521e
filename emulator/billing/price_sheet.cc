#include "emulator/billing/price_sheet.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <algorithm>

#include "emulator/config/yaml_reader.h"

namespace stratus::billing {

// price_sheet_parse.cc: reads the YAML text into `out`; positioned errors.
Status ReadSheetTop(const config::Reader& r, const std::string& text, PriceSheet& out);

Result<PriceSheet> ParsePriceSheet(const std::string& yaml_text,
                                   const std::string& file_name_for_errors) {
  config::Reader r(file_name_for_errors);
  PriceSheet sheet;
  sheet.file = file_name_for_errors;
  try {
    STRATUS_RETURN_IF_ERROR(ReadSheetTop(r, yaml_text, sheet));
  } catch (const YAML::Exception& ex) {
    return r.Error({ex.mark.line + 1, ex.mark.column + 1}, "invalid YAML: " + ex.msg);
  } catch (const std::exception& ex) {
    return r.Error({1, 1}, std::string("cannot parse: ") + ex.what());
  }
  return sheet;
}

Result<PriceSheet> LoadPriceSheet(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument("cannot read " + path + ": " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return ParsePriceSheet(text.str(), path);
}

Result<std::vector<PriceSheet>> LoadAllPriceSheets(const std::string& sheets_dir) {
  namespace fs = std::filesystem;
  std::vector<std::string> paths;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(sheets_dir, ec)) {
    if (entry.path().extension() == ".yaml") paths.push_back(entry.path().string());
  }
  if (ec) return Status::IoError("cannot list " + sheets_dir + ": " + ec.message());
  std::sort(paths.begin(), paths.end());
  std::vector<PriceSheet> sheets;
  for (const auto& path : paths) {
    auto sheet = LoadPriceSheet(path);
    if (!sheet.ok()) return sheet.status();
    sheets.push_back(std::move(sheet.value()));
  }
  return sheets;
}

Result<PriceSheet> FindPriceSheet(const std::string& name_or_path, const std::string& project_dir,
                                  const std::string& sheets_dir) {
  namespace fs = std::filesystem;
  bool is_path = name_or_path.find('/') != std::string::npos ||
                 name_or_path.ends_with(".yaml") || name_or_path.ends_with(".yml");
  if (is_path) {
    fs::path path(name_or_path);
    if (path.is_relative() && !project_dir.empty()) path = fs::path(project_dir) / path;
    return LoadPriceSheet(path.lexically_normal().string());
  }
  std::string path = sheets_dir + "/" + name_or_path + ".yaml";
  std::error_code ec;
  if (fs::exists(path, ec)) return LoadPriceSheet(path);
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(sheets_dir, ec)) {
    if (entry.path().extension() == ".yaml") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return Status::NotFound("no price sheet '" + name_or_path + "' in " + sheets_dir +
                          config::Suggestion(name_or_path, names, "available"));
}

std::string DefaultPricingDir() {
  if (const char* dir = std::getenv("STRATUS_PRICING_DIR"); dir != nullptr && *dir != '\0') {
    return dir;
  }
  return std::string(STRATUS_SOURCE_FIXTURES_DIR) + "/pricing";
}

std::string DefaultColdStartDir() {
  if (const char* dir = std::getenv("STRATUS_COLDSTART_DIR"); dir != nullptr && *dir != '\0') {
    return dir;
  }
  return std::string(STRATUS_SOURCE_FIXTURES_DIR) + "/coldstart";
}

}  // namespace stratus::billing
