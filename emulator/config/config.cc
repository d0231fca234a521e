// The top level of the project file, and the module boundary where exceptions stop.
#include "emulator/config/config.h"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>

#include "emulator/config/config_internal.h"
#include "emulator/config/yaml_reader.h"

namespace stratus::config {

namespace {

Status ReadColdStart(const Reader& r, const Entry& e, ProjectConfig& out) {
  Result<std::string> v = ReadChoice(r, e, {"off", "real", "simulated"});
  if (!v.ok()) return v.status();
  out.coldstart = *v == "off" ? ColdStartMode::kOff
                  : *v == "real" ? ColdStartMode::kReal
                                 : ColdStartMode::kSimulated;
  return Status::Ok();
}

Status ReadKeepAlivePolicy(const Reader& r, const Entry& e, ProjectConfig& out) {
  Result<std::string> v = ReadChoice(r, e, {"fixed", "hybrid"});
  if (!v.ok()) return v.status();
  out.keep_alive_policy = *v == "hybrid" ? KeepAlivePolicy::kHybrid : KeepAlivePolicy::kFixed;
  return Status::Ok();
}

Status ReadDurability(const Reader& r, const Entry& e, ProjectConfig& out) {
  Result<std::string> v = ReadChoice(r, e, {"off", "normal", "full"});
  if (!v.ok()) return v.status();
  out.durability = storage::ParseDurability(*v).value();  // ReadChoice checked the name
  return Status::Ok();
}

Status ReadScaling(const Reader& r, const Entry& e, ProjectConfig& out) {
  Result<std::string> v = ReadChoice(r, e, {"eager", "lean"});
  if (!v.ok()) return v.status();
  out.scaling = *v == "eager" ? ScalingMode::kEager : ScalingMode::kLean;
  return Status::Ok();
}

Status ReadPricing(const Reader& r, const Entry& e, ProjectConfig& out) {
  Result<std::string> v = ReadName(r, e);
  if (!v.ok()) return v.status();
  out.pricing = *v;
  return Status::Ok();
}

// An AWS region name: "us-east-1", "ap-southeast-2", "us-gov-west-1".
bool IsRegion(std::string_view s) {
  size_t last_dash = s.rfind('-');
  if (s.size() < 4 || !std::islower(static_cast<unsigned char>(s[0])) ||
      last_dash == std::string_view::npos || last_dash + 1 == s.size()) {
    return false;
  }
  for (char c : s.substr(last_dash + 1)) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  for (char c : s.substr(0, last_dash)) {
    if (!std::islower(static_cast<unsigned char>(c)) && c != '-') return false;
  }
  return s.find("--") == std::string_view::npos;
}

Status ReadRegion(const Reader& r, const Entry& e, ProjectConfig& out) {
  Result<std::string> v = ReadString(r, e);
  if (!v.ok()) return v.status();
  if (!IsRegion(*v)) {
    return r.Error(e.value_position, "'region' must be an AWS region like 'us-east-1', got '" +
                                         *v + "'");
  }
  out.region = *v;
  return Status::Ok();
}

Status ReadAccount(const Reader& r, const Entry& e, ProjectConfig& out) {
  Result<std::string> v = ReadString(r, e);
  if (!v.ok()) return v.status();
  bool digits = v->size() == 12;
  for (char c : *v) digits = digits && std::isdigit(static_cast<unsigned char>(c));
  if (!digits) {
    return r.Error(e.value_position, "'account' must be 12 digits, got '" + *v + "'");
  }
  out.account = *v;
  return Status::Ok();
}

Status ReadRuntimes(const Reader& r, const Entry& e, ProjectConfig& out) {
  Result<std::vector<Entry>> entries = MapEntries(r, e.value, e.value_position, "'runtimes'");
  if (!entries.ok()) return entries.status();
  for (const Entry& runtime : *entries) {
    Result<RuntimeFamily> family = CheckRuntime(r, runtime.key_position, runtime.key);
    if (!family.ok()) return family.status();
    Result<std::string> path = ReadName(r, runtime);
    if (!path.ok()) return path.status();
    out.runtimes[runtime.key] = *path;
  }
  return Status::Ok();
}

constexpr Field<ProjectConfig> kTopLevelFields[] = {
    {"functions", ReadFunctions},   {"queues", ReadQueues},
    {"buckets", ReadBuckets},       {"tables", ReadTables},
    {"coldstart", ReadColdStart},   {"pricing", ReadPricing},
    {"runtimes", ReadRuntimes},     {"durability", ReadDurability},
    {"region", ReadRegion},         {"account", ReadAccount},
    {"gateway", ReadGateway},       {"keep_alive_policy", ReadKeepAlivePolicy},
    {"scaling", ReadScaling},
};

std::string StripTrailingSlash(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

std::string ProjectDir(const std::string& file) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path parent = fs::path(file).parent_path();
  fs::path dir = parent.empty() ? fs::current_path(ec) : fs::absolute(parent, ec);
  if (ec) dir = parent;
  return StripTrailingSlash(dir.lexically_normal().string());
}

// yaml-cpp's words for a plain scalar holding a flow indicator are cryptic; the usual cause
// is a path parameter inside { }, as in `{ path: /orders/{id} }`.
std::string SyntaxMessage(const std::string& msg) {
  std::string out = "invalid YAML: " + msg;
  if (msg.find("end of map flow not found") != std::string::npos ||
      msg.find("end of sequence flow not found") != std::string::npos) {
    out += " (inside { } or [ ], quote values that contain '{', '}', '[', ']' or ',', "
           "e.g. path: \"/orders/{id}\")";
  }
  return out;
}

Result<ProjectConfig> Parse(const Reader& r, std::string_view yaml_text) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::ParserException& ex) {
    return r.Error({ex.mark.line + 1, ex.mark.column + 1}, SyntaxMessage(ex.msg));
  }
  ProjectConfig config;
  config.file = r.file();
  config.project_dir = ProjectDir(r.file());
  STRATUS_RETURN_IF_ERROR(ReadFields<ProjectConfig>(r, root, {1, 1}, "the project file",
                                                    kTopLevelFields, config));
  STRATUS_RETURN_IF_ERROR(CheckReferences(r, config));
  return config;
}

}  // namespace

std::string_view EventKind(const EventConfig& event) {
  static constexpr std::string_view kKinds[] = {"http",   "rest",  "queue",
                                                "object", "table", "schedule"};
  return kKinds[event.index()];
}

Position EventPosition(const EventConfig& event) {
  return std::visit([](const auto& e) { return e.position; }, event);
}

Result<ProjectConfig> ParseConfig(std::string_view yaml_text,
                                  const std::string& file_name_for_errors) {
  Reader r(file_name_for_errors);
  try {
    return Parse(r, yaml_text);
  } catch (const YAML::Exception& ex) {
    return r.Error({ex.mark.line + 1, ex.mark.column + 1}, "invalid YAML: " + ex.msg);
  } catch (const std::exception& ex) {
    return r.Error({1, 1}, std::string("cannot parse: ") + ex.what());
  }
}

Result<ProjectConfig> LoadConfigFile(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    return Status::InvalidArgument("cannot read " + path + ": " + std::strerror(errno));
  }
  std::string text;
  char buffer[16384];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) text.append(buffer, n);
  int error = std::ferror(f) ? errno : 0;
  std::fclose(f);
  if (error != 0) {
    return Status::InvalidArgument("cannot read " + path + ": " + std::strerror(error));
  }
  return ParseConfig(text, path);
}

}  // namespace stratus::config
