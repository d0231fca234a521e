// The reader of one scenario step: the action key (`http:`, `invoke:`, ...) and its fields,
// `name:` and `expect:`. Internal to emulator/harness (scenario.cc). No threading rule.
#pragma once

#include <string>

#include <yaml-cpp/yaml.h>

#include "emulator/config/yaml_reader.h"
#include "emulator/harness/scenario.h"

namespace stratus::harness {

// The step in `node`; relative paths (event_file, body_file) resolve against `dir`.
// Errors: InvalidArgument "FILE:LINE:COL: ..." (no action or two, an unknown key, a wrong
// type, an unreadable or non-JSON event file).
Result<Step> ParseStep(const config::Reader& r, const YAML::Node& node, const std::string& dir);

}  // namespace stratus::harness
