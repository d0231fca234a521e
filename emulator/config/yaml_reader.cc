#include "emulator/config/yaml_reader.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>

namespace stratus::config {

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Quoted(std::string_view key) { return "'" + std::string(key) + "'"; }

}  // namespace

size_t EditDistance(std::string_view a, std::string_view b) {
  std::string x = Lower(a), y = Lower(b);
  std::vector<size_t> row(y.size() + 1);
  for (size_t j = 0; j <= y.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= x.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= y.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (x[i - 1] == y[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[y.size()];
}

std::string NearestMatch(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_distance = std::numeric_limits<size_t>::max();
  for (const std::string& c : candidates) {
    size_t d = EditDistance(word, c);
    if (d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  if (best.empty() || (best_distance > 2 && best_distance * 3 > word.size())) return "";
  return best;
}

std::string Suggestion(std::string_view word, const std::vector<std::string>& candidates,
                       std::string_view list_label) {
  if (candidates.empty()) return "";
  std::string nearest = NearestMatch(word, candidates);
  if (!nearest.empty()) return " (did you mean '" + nearest + "'?)";
  std::string out = " (" + std::string(list_label) + ": ";
  for (size_t i = 0; i < candidates.size(); ++i) out += (i ? ", " : "") + candidates[i];
  return out + ")";
}

Position PositionOf(const YAML::Node& node) {
  YAML::Mark mark = node.Mark();
  if (mark.is_null() || mark.line < 0 || mark.column < 0) return {};
  return {mark.line + 1, mark.column + 1};
}

Status Reader::Error(Position at, std::string_view message) const {
  return Status::InvalidArgument(file_ + ":" + std::to_string(std::max(at.line, 1)) + ":" +
                                 std::to_string(std::max(at.column, 1)) + ": " +
                                 std::string(message));
}

std::string Describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar: return Quoted(node.Scalar());
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Sequence: return "a list";
    default: return "nothing";
  }
}

Result<std::vector<Entry>> MapEntries(const Reader& r, const YAML::Node& map, Position where,
                                      std::string_view what) {
  std::vector<Entry> entries;
  if (map.IsNull()) return entries;
  if (!map.IsMap()) {
    return r.Error(where, std::string(what) + " must be a map, got " + Describe(map));
  }
  std::map<std::string, Position> seen;
  for (auto it = map.begin(); it != map.end(); ++it) {
    Position key_position = PositionOf(it->first);
    if (!it->first.IsScalar()) {
      return r.Error(key_position, "keys in " + std::string(what) + " must be strings, got " +
                                       Describe(it->first));
    }
    Entry e{it->first.Scalar(), key_position, it->second, PositionOf(it->second)};
    if (e.value.IsNull() || e.value_position.line == 0) e.value_position = key_position;
    auto [prev, inserted] = seen.emplace(e.key, key_position);
    if (!inserted) {
      return r.Error(key_position, "duplicate key " + Quoted(e.key) + " in " + std::string(what) +
                                       " (first at line " + std::to_string(prev->second.line) +
                                       ")");
    }
    entries.push_back(std::move(e));
  }
  return entries;
}

Result<std::string> ReadString(const Reader& r, const Entry& e) {
  if (!e.value.IsScalar()) {
    return r.Error(e.value_position,
                   Quoted(e.key) + " must be a string, got " + Describe(e.value));
  }
  return e.value.Scalar();
}

Result<std::string> ReadName(const Reader& r, const Entry& e) {
  Result<std::string> s = ReadString(r, e);
  if (s.ok() && s->empty()) return r.Error(e.value_position, Quoted(e.key) + " must not be empty");
  return s;
}

Result<int64_t> ReadInt(const Reader& r, const Entry& e, int64_t min, int64_t max) {
  int64_t value = 0;
  bool parsed = false;
  if (e.value.IsScalar()) {
    const std::string& s = e.value.Scalar();
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    parsed = ec == std::errc() && end == s.data() + s.size() && !s.empty();
  }
  if (!parsed) {
    return r.Error(e.value_position,
                   Quoted(e.key) + " must be an integer, got " + Describe(e.value));
  }
  if (value < min || value > max) {
    std::string range = max >= std::numeric_limits<int>::max()
                            ? "at least " + std::to_string(min)
                            : "between " + std::to_string(min) + " and " + std::to_string(max);
    return r.Error(e.value_position,
                   Quoted(e.key) + " must be " + range + ", got " + std::to_string(value));
  }
  return value;
}

Result<bool> ReadBool(const Reader& r, const Entry& e) {
  if (e.value.IsScalar()) {
    std::string s = Lower(e.value.Scalar());
    if (s == "true") return true;
    if (s == "false") return false;
  }
  return r.Error(e.value_position,
                 Quoted(e.key) + " must be true or false, got " + Describe(e.value));
}

bool ParseDuration(std::string_view text, std::chrono::milliseconds& out) {
  size_t digits_end = 0;
  while (digits_end < text.size() &&
         (std::isdigit(static_cast<unsigned char>(text[digits_end])) || text[digits_end] == '.')) {
    ++digits_end;
  }
  std::string_view number = text.substr(0, digits_end);
  std::string_view unit = text.substr(digits_end);
  if (number.empty() || number.front() == '.' || number.back() == '.' ||
      number.find('.') != number.rfind('.') || number.size() > 15) {
    return false;
  }
  double factor = 0;
  if (unit.empty() || unit == "s") factor = 1000;
  else if (unit == "ms") factor = 1;
  else if (unit == "m") factor = 60'000;
  else if (unit == "h") factor = 3'600'000;
  else return false;
  double value = std::strtod(std::string(number).c_str(), nullptr) * factor;
  if (!std::isfinite(value) || value > 1e15) return false;
  out = std::chrono::milliseconds(static_cast<int64_t>(std::llround(value)));
  return true;
}

std::string FormatDuration(std::chrono::milliseconds d) {
  int64_t ms = d.count();
  if (ms % 1000 != 0 && ms < 1000) return std::to_string(ms) + "ms";
  std::string s = std::to_string(ms / 1000);
  if (ms % 1000 != 0) {
    char frac[8];
    std::snprintf(frac, sizeof frac, ".%03d", static_cast<int>(ms % 1000));
    std::string f(frac);
    while (f.back() == '0') f.pop_back();
    s += f;
  }
  return s + "s";
}

Result<std::chrono::milliseconds> ReadDuration(const Reader& r, const Entry& e,
                                               std::chrono::milliseconds min,
                                               std::chrono::milliseconds max) {
  std::chrono::milliseconds d{0};
  if (!e.value.IsScalar() || !ParseDuration(e.value.Scalar(), d)) {
    return r.Error(e.value_position, Quoted(e.key) +
                                         " must be a duration like 30, '250ms', '2s', '5m' or "
                                         "'1h', got " + Describe(e.value));
  }
  if (d < min || d > max) {
    return r.Error(e.value_position, Quoted(e.key) + " must be between " + FormatDuration(min) +
                                         " and " + FormatDuration(max) + ", got " +
                                         FormatDuration(d));
  }
  return d;
}

Result<std::string> ReadChoice(const Reader& r, const Entry& e,
                               const std::vector<std::string>& options) {
  if (e.value.IsScalar()) {
    for (const std::string& o : options) {
      if (Lower(o) == Lower(e.value.Scalar())) return o;
    }
  }
  std::string list;
  for (size_t i = 0; i < options.size(); ++i) list += (i ? ", " : "") + options[i];
  std::string message = Quoted(e.key) + " must be one of " + list + ", got " + Describe(e.value);
  if (e.value.IsScalar()) {
    std::string nearest = NearestMatch(e.value.Scalar(), options);
    if (!nearest.empty()) message += " (did you mean '" + nearest + "'?)";
  }
  return r.Error(e.value_position, message);
}

Result<std::vector<std::string>> ReadStringList(const Reader& r, const Entry& e) {
  std::vector<std::string> out;
  if (e.value.IsScalar()) {
    out.push_back(e.value.Scalar());
    return out;
  }
  if (!e.value.IsSequence()) {
    return r.Error(e.value_position,
                   Quoted(e.key) + " must be a list of strings, got " + Describe(e.value));
  }
  for (const YAML::Node& item : e.value) {
    if (!item.IsScalar()) {
      return r.Error(PositionOf(item), "items of " + Quoted(e.key) +
                                           " must be strings, got " + Describe(item));
    }
    out.push_back(item.Scalar());
  }
  return out;
}

}  // namespace stratus::config
