// Expectation matching for scenarios: a JSON subset with matchers, and a line diff of the
// expected and actual values for failure reports. No threading rule; pure functions.
//
// Matchers, anywhere an expected value may stand:
//   "$any"              any value, present
//   "$number"           a JSON number           "$string"  a JSON string
//   {"$regex": "RE"}    a string RE matches (ECMAScript, searched anywhere: anchor with ^ $)
// Objects match as subsets (every expected key present and matching; extra keys allowed);
// arrays match element by element and must have the same length; scalars must be equal.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace stratus::harness {

// The mismatches between `expected` and `actual` as "PATH: expected X, got Y" lines
// (PATH like $.items[0].id); empty when they match.
std::vector<std::string> MatchJson(const nlohmann::json& expected, const nlohmann::json& actual);

// Matches a text value (a header, a whole body) against a string or a matcher; a string
// must be equal. On a mismatch returns false and sets *why.
bool MatchText(const nlohmann::json& expected, const std::string& actual, std::string* why);

// A line diff of two texts: unchanged lines prefixed "  ", lines only in `expected` "- ",
// lines only in `actual` "+ ", under a "--- expected / +++ actual" header. Long unchanged
// runs are cut to a few lines of context.
std::string LineDiff(const std::string& expected, const std::string& actual);

// `actual` cut down to the shape of `expected` (only the keys an expected object names), so
// the diff of a subset expectation shows what matters; matchers that matched are kept as the
// actual value.
nlohmann::json ProjectOnto(const nlohmann::json& expected, const nlohmann::json& actual);

}  // namespace stratus::harness
