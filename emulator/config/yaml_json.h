// Converts YAML values to JSON text, for settings that are passed through as JSON (a
// schedule's `input:`). Internal to emulator/config. No threading rule; never throws.
#pragma once

#include <string>

#include <yaml-cpp/yaml.h>

namespace stratus::config {

// The node as compact JSON text. Plain scalars are typed the YAML 1.2 core way (null,
// true/false, integers, floats; anything else is a string); quoted scalars are strings;
// maps become objects (keys as text), lists arrays, an empty node null. Invalid UTF-8 is
// replaced with U+FFFD.
std::string YamlToJsonText(const YAML::Node& node);

}  // namespace stratus::config
