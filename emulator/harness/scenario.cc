#include "emulator/harness/scenario.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "emulator/config/yaml_json.h"
#include "emulator/config/yaml_reader.h"
#include "emulator/harness/step_fields.h"

namespace stratus::harness {

namespace {

using config::Entry;
using config::Position;
using config::Reader;

struct FileHeader {
  std::string project;
  std::string clock = "virtual";
};

Status ReadSteps(const Reader& r, const Entry& e, const std::string& dir, std::vector<Step>* out) {
  if (!e.value.IsSequence()) {
    return r.Error(e.value_position, "'" + e.key + "' must be a list of steps, got " +
                                         config::Describe(e.value));
  }
  for (const auto& node : e.value) {
    auto step = ParseStep(r, node, dir);
    if (!step.ok()) return step.status();
    out->push_back(std::move(step.value()));
  }
  return Status::Ok();
}

Result<Scenario> ParseScenario(const Reader& r, const YAML::Node& node, const std::string& dir) {
  Scenario scenario;
  scenario.position = config::PositionOf(node);
  auto entries = config::MapEntries(r, node, scenario.position, "a scenario");
  if (!entries.ok()) return entries.status();
  bool has_steps = false;
  for (const Entry& e : *entries) {
    if (e.key == "name") {
      auto name = config::ReadName(r, e);
      if (!name.ok()) return name.status();
      scenario.name = *name;
    } else if (e.key == "steps") {
      has_steps = true;
      STRATUS_RETURN_IF_ERROR(ReadSteps(r, e, dir, &scenario.steps));
    } else {
      return r.Error(e.key_position, "unknown key '" + e.key + "' in a scenario" +
                                         config::Suggestion(e.key, {"name", "steps"},
                                                            "valid keys"));
    }
  }
  if (scenario.name.empty()) return r.Error(scenario.position, "a scenario needs a 'name'");
  if (!has_steps) return r.Error(scenario.position, "scenario '" + scenario.name + "' has no 'steps'");
  return scenario;
}

Status ReadScenarios(const Reader& r, const Entry& e, const std::string& dir, ScenarioFile* out) {
  if (!e.value.IsSequence()) {
    return r.Error(e.value_position, "'scenarios' must be a list, got " + config::Describe(e.value));
  }
  for (const auto& node : e.value) {
    auto scenario = ParseScenario(r, node, dir);
    if (!scenario.ok()) return scenario.status();
    for (const auto& seen : out->scenarios) {
      if (seen.name == scenario->name) {
        return r.Error(scenario->position, "two scenarios named '" + scenario->name + "'");
      }
    }
    out->scenarios.push_back(std::move(scenario.value()));
  }
  return Status::Ok();
}

Status ReadTop(const Reader& r, const std::vector<Entry>& entries, ScenarioFile* out) {
  for (const Entry& e : entries) {
    if (e.key == "project") {
      auto project = config::ReadName(r, e);
      if (!project.ok()) return project.status();
      out->project_path = (std::filesystem::path(out->dir) / *project).lexically_normal().string();
    } else if (e.key == "clock") {
      auto clock = config::ReadChoice(r, e, {"virtual", "real", "frozen"});
      if (!clock.ok()) return clock.status();
      out->clock = *clock == "real"     ? ClockKind::kReal
                   : *clock == "frozen" ? ClockKind::kFrozen
                                        : ClockKind::kVirtual;
    } else if (e.key == "setup") {
      STRATUS_RETURN_IF_ERROR(ReadSteps(r, e, out->dir, &out->setup));
    } else if (e.key == "teardown") {
      STRATUS_RETURN_IF_ERROR(ReadSteps(r, e, out->dir, &out->teardown));
    } else if (e.key == "scenarios") {
      STRATUS_RETURN_IF_ERROR(ReadScenarios(r, e, out->dir, out));
    } else {
      return r.Error(e.key_position,
                     "unknown key '" + e.key + "' in a scenario file" +
                         config::Suggestion(e.key, {"project", "clock", "setup", "teardown",
                                                    "scenarios"},
                                            "valid keys"));
    }
  }
  return Status::Ok();
}

}  // namespace

Result<ScenarioFile> ParseScenarioFile(const std::string& text, const std::string& path) {
  Reader r(path);
  ScenarioFile file;
  file.path = path;
  std::filesystem::path absolute = std::filesystem::absolute(path);
  file.dir = absolute.parent_path().string();
  file.project_path = (absolute.parent_path() / "stratus.yaml").string();
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return r.Error({e.mark.line + 1, e.mark.column + 1}, "invalid YAML: " + e.msg);
  }
  try {
    auto entries = config::MapEntries(r, root, {1, 1}, "a scenario file");
    if (!entries.ok()) return entries.status();
    STRATUS_RETURN_IF_ERROR(ReadTop(r, *entries, &file));
  } catch (const YAML::Exception& e) {
    return r.Error({e.mark.line + 1, e.mark.column + 1}, e.msg);
  }
  if (file.scenarios.empty()) return r.Error({1, 1}, "no scenarios: add a 'scenarios:' list");
  return file;
}

Result<ScenarioFile> LoadScenarioFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return ParseScenarioFile(text.str(), path);
}

}  // namespace stratus::harness
