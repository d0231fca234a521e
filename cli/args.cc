#include "cli/args.h"

#include "emulator/config/yaml_reader.h"

#include <algorithm>
#include <cstdio>
#include <limits>

namespace stratus::cli {

namespace {

const OptionSpec* FindLong(const CommandSpec& spec, const std::string& name) {
  for (const auto& o : spec.options) {
    if (o.name == name) return &o;
  }
  return nullptr;
}

const OptionSpec* FindAlias(const CommandSpec& spec, char alias) {
  for (const auto& o : spec.options) {
    if (o.alias == alias) return &o;
  }
  return nullptr;
}

Status UnknownOption(const CommandSpec& spec, const std::string& arg) {
  std::vector<std::string> names{"--help"};
  for (const auto& o : spec.options) names.push_back("--" + o.name);
  std::string base = arg.substr(0, arg.find('='));
  std::string message = "unknown option '" + base + "'";
  if (auto near = NearestWord(base, names)) message += " (did you mean '" + *near + "'?)";
  return Status::InvalidArgument(message);
}

}  // namespace

std::optional<std::string> NearestWord(const std::string& word,
                                       const std::vector<std::string>& candidates) {
  std::string nearest = config::NearestMatch(word, candidates);  // one rule for every suggestion
  if (nearest.empty()) return std::nullopt;
  return nearest;
}

Result<Args> Args::Parse(const CommandSpec& spec, int argc, char** argv, int first) {
  Args args;
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    const OptionSpec* option = nullptr;
    std::optional<std::string> inline_value;
    if (arg == "--help" || arg == "-h") {
      args.values_.emplace_back("help", "");
      continue;
    }
    if (arg.rfind("--", 0) == 0 && arg.size() > 2) {
      auto eq = arg.find('=');
      option = FindLong(spec, arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2));
      if (eq != std::string::npos) inline_value = arg.substr(eq + 1);
    } else if (arg.size() == 2 && arg[0] == '-' && arg[1] != '-') {
      option = FindAlias(spec, arg[1]);
    } else if (arg != "-" && !arg.empty() && arg[0] == '-') {
      return UnknownOption(spec, arg);
    } else {
      if (!spec.takes_positional) {
        return Status::InvalidArgument("unexpected argument '" + arg + "'");
      }
      args.positional_.push_back(arg);
      continue;
    }
    if (option == nullptr) return UnknownOption(spec, arg);
    if (option->value_name.empty()) {
      if (inline_value) return Status::InvalidArgument("--" + option->name + " takes no value");
      args.values_.emplace_back(option->name, "");
      continue;
    }
    if (!inline_value) {
      if (i + 1 >= argc) {
        return Status::InvalidArgument("--" + option->name + " needs a value (" +
                                       option->value_name + ")");
      }
      inline_value = argv[++i];
    }
    args.values_.emplace_back(option->name, *inline_value);
  }
  return args;
}

bool Args::Has(const std::string& name) const {
  return std::any_of(values_.begin(), values_.end(), [&](const auto& v) { return v.first == name; });
}

std::optional<std::string> Args::Get(const std::string& name) const {
  std::optional<std::string> last;  // the last occurrence wins, as in most tools
  for (const auto& [n, v] : values_) {
    if (n == name) last = v;
  }
  return last;
}

std::vector<std::string> Args::GetAll(const std::string& name) const {
  std::vector<std::string> all;
  for (const auto& [n, v] : values_) {
    if (n == name) all.push_back(v);
  }
  return all;
}

Result<std::optional<long long>> Args::GetInt(const std::string& name, long long min,
                                              long long max) const {
  auto text = Get(name);
  if (!text) return std::optional<long long>();
  long long value = 0;
  size_t used = 0;
  try {
    value = std::stoll(*text, &used, 10);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text->size() || value < min || value > max) {
    return Status::InvalidArgument("--" + name + " must be a whole number from " +
                                   std::to_string(min) + " to " + std::to_string(max) +
                                   ", got '" + *text + "'");
  }
  return std::optional<long long>(value);
}

std::string HelpText(const CommandSpec& spec) {
  std::string out = "usage: " + spec.usage + "\n\n" + spec.summary + "\n\noptions:\n";
  std::vector<std::pair<std::string, std::string>> rows;
  for (const auto& o : spec.options) {
    std::string left = o.alias ? std::string("-") + o.alias + ", " : "    ";
    left += "--" + o.name + (o.value_name.empty() ? "" : " " + o.value_name);
    rows.emplace_back(left, o.help);
  }
  rows.emplace_back("-h, --help", "show this help and exit");
  size_t width = 0;
  for (const auto& r : rows) width = std::max(width, r.first.size());
  for (const auto& [left, help] : rows) {
    out += "  " + left + std::string(width - left.size() + 2, ' ') + help + "\n";
  }
  return out;
}

void PrintError(const std::string& message) {
  std::fprintf(stderr, "stratus: error: %s\n", message.c_str());
}

}  // namespace stratus::cli
