// Helpers the config module uses to walk yaml-cpp nodes: positioned errors, maps read
// through field tables (unknown keys rejected with a suggestion), and typed conversions
// with messages that name the key. Internal to emulator/config (tests use the suggestion
// helpers). No threading rule; nothing here throws except what yaml-cpp itself may throw,
// which ParseConfig catches at the module boundary.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "emulator/config/config.h"
#include "emulator/util/status.h"

namespace stratus::config {

// Case-insensitive Levenshtein distance (insert, delete, substitute each cost 1).
size_t EditDistance(std::string_view a, std::string_view b);

// The candidate nearest to `word` when it is close: distance <= 2, or <= a third of the
// word's length. Ties go to the earlier candidate. Returns "" when none is close.
std::string NearestMatch(std::string_view word, const std::vector<std::string>& candidates);

// " (did you mean 'x'?)" when a candidate is close; otherwise " (LABEL: a, b, c)" listing
// every candidate; "" when there are no candidates.
std::string Suggestion(std::string_view word, const std::vector<std::string>& candidates,
                       std::string_view list_label);

// The 1-based position of a node, {0, 0} for a node with no mark.
Position PositionOf(const YAML::Node& node);

// Formats errors for one file.
class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}
  const std::string& file() const { return file_; }
  // InvalidArgument "FILE:LINE:COL: message".
  Status Error(Position at, std::string_view message) const;

 private:
  std::string file_;
};

// One key of a YAML map and its value, as met in the file.
struct Entry {
  std::string key;
  Position key_position;
  YAML::Node value;
  Position value_position;  // the value's; the key's when the value is empty
};

// How a node reads in a message: 'text' for a scalar, "a map", "a list" or "nothing".
std::string Describe(const YAML::Node& node);

// The entries of `map` in file order. A null node is an empty map. Errors (at `where` or
// at the key): `what` is not a map, a key is not a plain string, a key appears twice.
Result<std::vector<Entry>> MapEntries(const Reader& r, const YAML::Node& map, Position where,
                                      std::string_view what);

// A row of a field table: a key and how to read its value into T.
template <typename T>
struct Field {
  std::string_view key;
  Status (*read)(const Reader& r, const Entry& e, T& out);
};

// Reads every entry of `map` in file order through `fields`. Errors: those of MapEntries,
// "unknown key 'k' in WHAT (did you mean ...)", or the first error a field reader returns.
template <typename T>
Status ReadFields(const Reader& r, const YAML::Node& map, Position where, std::string_view what,
                  std::span<const Field<T>> fields, T& out) {
  Result<std::vector<Entry>> entries = MapEntries(r, map, where, what);
  if (!entries.ok()) return entries.status();
  for (const Entry& e : *entries) {
    auto it = std::find_if(fields.begin(), fields.end(),
                           [&](const Field<T>& f) { return f.key == e.key; });
    if (it == fields.end()) {
      std::vector<std::string> keys;
      for (const Field<T>& f : fields) keys.emplace_back(f.key);
      return r.Error(e.key_position, "unknown key '" + e.key + "' in " + std::string(what) +
                                         Suggestion(e.key, keys, "valid keys"));
    }
    STRATUS_RETURN_IF_ERROR(it->read(r, e, out));
  }
  return Status::Ok();
}

// Typed conversions of e.value; messages name e.key ("'memory' must be an integer, got
// 'lots'"). Numbers and bools read as strings keep their text.
Result<std::string> ReadString(const Reader& r, const Entry& e);
// A non-empty string.
Result<std::string> ReadName(const Reader& r, const Entry& e);
// An integer in [min, max]; a max of INT_MAX or more reads as "at least min" in messages.
Result<int64_t> ReadInt(const Reader& r, const Entry& e, int64_t min, int64_t max);
Result<bool> ReadBool(const Reader& r, const Entry& e);
// A number of seconds (decimals allowed) or a string "250ms", "2s", "1.5m", "1h".
Result<std::chrono::milliseconds> ReadDuration(const Reader& r, const Entry& e,
                                               std::chrono::milliseconds min,
                                               std::chrono::milliseconds max);
// One of `options`, matched case-insensitively; returns the option as spelled there.
Result<std::string> ReadChoice(const Reader& r, const Entry& e,
                               const std::vector<std::string>& options);
// A list of strings; a single string reads as a list of one.
Result<std::vector<std::string>> ReadStringList(const Reader& r, const Entry& e);

// Parses a duration as ReadDuration does; false when `text` is not one.
bool ParseDuration(std::string_view text, std::chrono::milliseconds& out);
// "250ms", "2s", "1.5s", "300s".
std::string FormatDuration(std::chrono::milliseconds d);

}  // namespace stratus::config
