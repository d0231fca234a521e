// IAM policies returned by Lambda authorizers, and where identities come from.
#include <cctype>
#include <optional>

#include "emulator/http/router.h"
#include "triggers/gateway/authorizers.h"

namespace stratus::triggers::gateway {
namespace {

using Json = nlohmann::ordered_json;

// Glob match with '*' (any run, '/' included, as IAM resource patterns match) and '?'.
bool Glob(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0, star = std::string_view::npos, resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p, ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

// A string or a list of strings; false when any is the wrong type.
bool Strings(const Json& value, std::vector<std::string>* out) {
  if (value.is_string()) {
    out->push_back(value.get<std::string>());
    return true;
  }
  if (!value.is_array()) return false;
  for (const auto& v : value) {
    if (!v.is_string()) return false;
    out->push_back(v.get<std::string>());
  }
  return true;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

AuthDecision::Kind EvaluatePolicy(const Json& policy, const std::string& method_arn) {
  if (!policy.is_object() || !policy.contains("Statement")) return AuthDecision::Kind::kError;
  const Json& statements = policy["Statement"];
  std::vector<Json> list;
  if (statements.is_object()) list.push_back(statements);
  else if (statements.is_array()) list.assign(statements.begin(), statements.end());
  else return AuthDecision::Kind::kError;
  bool allowed = false;
  for (const Json& statement : list) {
    if (!statement.is_object()) return AuthDecision::Kind::kError;
    std::vector<std::string> actions, resources;
    if (!Strings(statement.value("Action", Json()), &actions) ||
        !Strings(statement.value("Resource", Json()), &resources)) {
      return AuthDecision::Kind::kError;
    }
    std::string effect = statement.value("Effect", "");
    bool invokes = false;
    for (const auto& action : actions) {
      invokes = invokes || Glob(action, "execute-api:Invoke");
    }
    bool matches = false;
    for (const auto& resource : resources) matches = matches || Glob(resource, method_arn);
    if (!invokes || !matches) continue;
    if (EqualsIgnoreCase(effect, "Deny")) return AuthDecision::Kind::kExplicitDeny;
    if (EqualsIgnoreCase(effect, "Allow")) allowed = true;
  }
  return allowed ? AuthDecision::Kind::kAllow : AuthDecision::Kind::kForbidden;
}

std::optional<std::vector<std::string>> IdentityValues(const std::vector<std::string>& sources,
                                                       const http::Request& request) {
  std::vector<std::string> values;
  for (const std::string& source : sources) {
    std::string_view s = source;
    for (std::string_view prefix : {"$request.", "method.request."}) {
      if (s.substr(0, prefix.size()) == prefix) s.remove_prefix(prefix.size());
    }
    std::optional<std::string> value;
    constexpr std::string_view kHeader = "header.", kQuery = "querystring.";
    if (s.substr(0, kHeader.size()) == kHeader) {
      if (auto v = request.headers.Get(s.substr(kHeader.size()))) value = std::string(*v);
    } else if (s.substr(0, kQuery.size()) == kQuery) {
      std::string_view name = s.substr(kQuery.size()), query = request.query;
      while (!query.empty()) {
        size_t amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        size_t eq = pair.find('=');
        if (pair.substr(0, eq) == name && eq != std::string_view::npos) {
          std::string decoded;
          if (http::PercentDecode(pair.substr(eq + 1), &decoded)) value = decoded;
          break;
        }
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
      }
    }
    if (!value || value->empty()) return std::nullopt;
    values.push_back(std::move(*value));
  }
  return values;
}

}  // namespace stratus::triggers::gateway
