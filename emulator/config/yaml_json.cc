#include "emulator/config/yaml_json.h"

#include "emulator/util/json.h"

#include <cctype>
#include <charconv>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

namespace stratus::config {

namespace {

bool IsNumberStart(std::string_view s) {
  if (!s.empty() && s[0] == '-') s.remove_prefix(1);
  if (!s.empty() && s[0] == '.') s.remove_prefix(1);
  return !s.empty() && std::isdigit(static_cast<unsigned char>(s[0]));
}

nlohmann::json PlainScalar(const std::string& s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  if (IsNumberStart(s)) {
    const char* end = s.data() + s.size();
    int64_t i = 0;
    auto ri = std::from_chars(s.data(), end, i);
    if (ri.ec == std::errc() && ri.ptr == end) return i;
    double d = 0;
    auto rd = std::from_chars(s.data(), end, d);
    if (rd.ec == std::errc() && rd.ptr == end) return d;
  }
  return s;
}

nlohmann::json ToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      if (node.Tag() == "?") return PlainScalar(node.Scalar());
      return node.Scalar();
    case YAML::NodeType::Sequence: {
      nlohmann::json array = nlohmann::json::array();
      for (const YAML::Node& item : node) array.push_back(ToJson(item));
      return array;
    }
    case YAML::NodeType::Map: {
      nlohmann::json object = nlohmann::json::object();
      for (auto it = node.begin(); it != node.end(); ++it) {
        object[it->first.IsScalar() ? it->first.Scalar() : YAML::Dump(it->first)] =
            ToJson(it->second);
      }
      return object;
    }
    default:
      return nullptr;
  }
}

}  // namespace

std::string YamlToJsonText(const YAML::Node& node) {
  return DumpJson(ToJson(node));
}

}  // namespace stratus::config
