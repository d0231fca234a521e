// Messages marked "observed" are S3's as recorded on the wire by clients' issue trackers and
// LocalStack's validated snapshots; those marked "unconfirmed" could not be found in any
// capture of S3 and follow the wording of other S3-compatible servers.
#include "triggers/objects/objects_policy.h"

#include <ctime>
#include <map>
#include <optional>
#include <nlohmann/json.hpp>

#include "emulator/http/message.h"
#include "emulator/util/base64.h"
#include "emulator/util/json.h"

namespace stratus::triggers::objects {
namespace {

using nlohmann::json;

S3Error InvalidPolicy(std::string message) {
  return S3Error{400, "InvalidPolicyDocument", std::move(message), {}};
}
S3Error Denied(std::string message) { return S3Error{403, "AccessDenied", std::move(message), {}}; }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Render(const std::vector<json>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + DumpJson(items[i]);
  return out + "]";
}

// A content-length-range bound: a JSON integer or a string of digits (S3 took "5").
enum class Bound { kOk, kNotNumber, kFloat };
Bound ReadBound(const json& v, int64_t* out) {
  if (v.is_number_float()) return Bound::kFloat;
  if (v.is_number_integer()) {
    *out = v.get<int64_t>();
    return Bound::kOk;
  }
  if (!v.is_string()) return Bound::kNotNumber;
  const std::string& s = v.get_ref<const std::string&>();
  if (s.empty() || s.size() > 18 || s.find_first_not_of("0123456789") != std::string::npos) {
    return Bound::kNotNumber;
  }
  *out = std::stoll(s);
  return Bound::kOk;
}

}  // namespace

std::optional<int64_t> ParsePolicyTime(std::string_view text) {
  std::string s(text);
  struct tm tm {};
  const char* end = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (end == nullptr) return std::nullopt;
  int64_t ms = 0;
  if (*end == '.') {
    int digits = 0, fraction = 0;
    for (++end; *end >= '0' && *end <= '9'; ++end, ++digits) {
      if (digits < 3) fraction = fraction * 10 + (*end - '0');
    }
    if (digits == 0) return std::nullopt;
    for (int d = digits; d < 3; ++d) fraction *= 10;
    ms = fraction;
  }
  if (std::string_view(end) != "Z") return std::nullopt;
  return int64_t(timegm(&tm)) * 1000 + ms;
}

bool PolicyExempt(std::string_view field_name) {
  std::string name = Lower(field_name);
  return name == "policy" || name == "file" || name == "x-amz-signature" || name == "signature" ||
         name == "awsaccesskeyid" || name.rfind("x-ignore-", 0) == 0;
}

struct PolicyParser {
  static bool Condition(const json& item, PostPolicy::Condition* c, S3Error* error) {
    std::vector<json> items;
    if (item.is_object()) {
      if (item.size() != 1) {  // observed
        *error = InvalidPolicy(
            "Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one "
            "property specified.");
        return false;
      }
      const json& value = item.begin().value();
      if (value.is_null()) {  // observed
        *error = InvalidPolicy("Invalid Policy: Invalid JSON.");
        return false;
      }
      if (!value.is_string()) {  // observed
        *error = InvalidPolicy("Invalid Policy: Invalid Simple-Condition: value must be a string.");
        return false;
      }
      items = {"eq", "$" + item.begin().key(), value};
    } else if (item.is_array()) {
      items.assign(item.begin(), item.end());
    } else {  // unconfirmed
      *error = InvalidPolicy("Invalid Policy: Invalid condition test: must be a List or Object.");
      return false;
    }
    c->rendered = Render(items);
    if (items.empty()) {  // observed
      *error = InvalidPolicy("Invalid Policy: Invalid Condition: missing operation identifier.");
      return false;
    }
    std::string op = items[0].is_string() ? Lower(items[0].get<std::string>()) : DumpJson(items[0]);
    if (op != "eq" && op != "starts-with" && op != "content-length-range") {  // unconfirmed
      *error = InvalidPolicy("Invalid Policy: Invalid Condition: unknown operation '" + op + "'.");
      return false;
    }
    if (items.size() != 3) {  // unconfirmed
      *error = InvalidPolicy("Invalid Policy: Invalid " + op + ": wrong number of arguments.");
      return false;
    }
    return Operands(items, op, c, error);
  }

  // The operands of an eq, starts-with or content-length-range condition.
  static bool Operands(const std::vector<json>& items, const std::string& op, PostPolicy::Condition* c,
                       S3Error* error) {
    using Op = PostPolicy::Op;
    if (op == "content-length-range") {
      Bound lo = ReadBound(items[1], &c->min), hi = ReadBound(items[2], &c->max);
      if (lo == Bound::kFloat || hi == Bound::kFloat) {  // observed for 512.0
        *error = InvalidPolicy("Invalid Policy: Invalid JSON.");
        return false;
      }
      // Bounds that are not numbers make a condition no upload meets (observed).
      c->op = lo == Bound::kOk && hi == Bound::kOk ? Op::kRange : Op::kUnsatisfiable;
      return true;
    }
    if (!items[1].is_string() || !items[2].is_string()) {  // unconfirmed
      *error = InvalidPolicy("Invalid Policy: Invalid JSON.");
      return false;
    }
    std::string field = items[1].get<std::string>();
    c->value = items[2].get<std::string>();
    if (field.empty() || field[0] != '$') {  // observed: fails as a condition, not as a document
      c->op = Op::kUnsatisfiable;
      return true;
    }
    c->field = Lower(std::string_view(field).substr(1));
    c->op = op == "eq" ? Op::kEq : Op::kStartsWith;
    return true;
  }

  static bool Document(const json& doc, PostPolicy* out, S3Error* error) {
    if (!doc.is_object()) {
      *error = InvalidPolicy("Invalid Policy: Invalid JSON.");
      return false;
    }
    const json* expiration = nullptr;
    const json* conditions = nullptr;
    for (auto it = doc.begin(); it != doc.end(); ++it) {
      std::string key = Lower(it.key());
      if (key == "expiration") expiration = &it.value();
      else if (key == "conditions") conditions = &it.value();
      else {  // observed
        *error = InvalidPolicy("Invalid Policy: Unexpected: '" + key + "'");
        return false;
      }
    }
    if (expiration == nullptr) {  // unconfirmed
      *error = InvalidPolicy("Invalid Policy: Policy missing expiration.");
      return false;
    }
    std::optional<int64_t> when;
    if (expiration->is_string()) when = ParsePolicyTime(expiration->get<std::string>());
    if (!when) {  // observed
      std::string shown = expiration->is_string() ? expiration->get<std::string>() : DumpJson(*expiration);
      *error = InvalidPolicy("Invalid Policy: Invalid 'expiration' value: '" + shown + "'");
      return false;
    }
    out->expiration_ms_ = *when;
    if (conditions == nullptr) {  // unconfirmed
      *error = InvalidPolicy("Invalid Policy: Policy missing conditions.");
      return false;
    }
    if (!conditions->is_array()) {  // unconfirmed
      *error = InvalidPolicy("Invalid Policy: Invalid 'conditions' value: must be a List.");
      return false;
    }
    for (const json& item : *conditions) {
      PostPolicy::Condition c;
      if (!Condition(item, &c, error)) return false;
      out->conditions_.push_back(std::move(c));
    }
    return true;
  }
};

bool PostPolicy::Parse(std::string_view base64, PostPolicy* out, S3Error* error) {
  std::string compact;
  for (char c : base64) {
    if (c != '\r' && c != '\n' && c != ' ') compact += c;  // forms may wrap long values
  }
  auto text = Base64Decode(compact);
  if (!text) {  // unconfirmed
    *error = InvalidPolicy("Invalid Policy: invalid Base64 encoding.");
    return false;
  }
  json doc = json::parse(*text, nullptr, false);
  if (doc.is_discarded()) {  // observed
    *error = InvalidPolicy("Invalid Policy: Invalid JSON.");
    return false;
  }
  return PolicyParser::Document(doc, out, error);
}

bool PostPolicy::Check(int64_t now_ms, const std::vector<FormField>& fields, std::string_view bucket,
                       S3Error* error) const {
  if (now_ms > expiration_ms_) {  // observed
    *error = Denied("Invalid according to Policy: Policy expired.");
    return false;
  }
  // Repeated fields are matched as one comma-separated value, as S3's documentation says.
  std::map<std::string, std::string> values;
  for (const auto& f : fields) {
    auto [it, fresh] = values.emplace(Lower(f.name), f.value);
    if (!fresh) it->second += "," + f.value;
  }
  values["bucket"] = std::string(bucket);
  std::map<std::string, bool> covered;
  for (const Condition& c : conditions_) {
    if (c.op == Op::kRange) continue;
    covered[c.field] = true;
    auto found = values.find(c.field);
    bool ok = c.op != Op::kUnsatisfiable && found != values.end();
    if (ok && c.op == Op::kEq) ok = found->second == c.value;
    if (ok && c.op == Op::kStartsWith) {
      // Content-Type lists: each member must match (S3's documented exception).
      std::string_view rest = found->second;
      do {
        size_t comma = c.field == "content-type" ? rest.find(',') : std::string_view::npos;
        std::string_view member = rest.substr(0, comma);
        while (!member.empty() && member.front() == ' ') member.remove_prefix(1);
        ok = ok && member.substr(0, c.value.size()) == c.value;
        rest.remove_prefix(comma == std::string_view::npos ? rest.size() : comma + 1);
      } while (!rest.empty());
    }
    if (!ok) {  // observed
      *error = Denied("Invalid according to Policy: Policy Condition failed: " + c.rendered);
      return false;
    }
  }
  std::string extra;
  for (const auto& f : fields) {
    if (PolicyExempt(f.name) || !covered.emplace(Lower(f.name), true).second) continue;
    extra += (extra.empty() ? "" : ", ") + f.name;  // each name once, as the form spelled it
  }
  if (!extra.empty()) {  // observed
    *error = Denied("Invalid according to Policy: Extra input fields: " + extra);
    return false;
  }
  return true;
}

bool PostPolicy::CheckSize(uint64_t size, S3Error* error) const {
  for (const Condition& c : conditions_) {
    if (c.op != Op::kRange) continue;
    if (int64_t(size) < c.min) {  // observed
      *error = S3Error{400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size", {}};
      error->With("ProposedSize", std::to_string(size)).With("MinSizeAllowed", std::to_string(c.min));
      return false;
    }
    if (int64_t(size) > c.max) {  // observed
      *error = S3Error{400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", {}};
      error->With("ProposedSize", std::to_string(size)).With("MaxSizeAllowed", std::to_string(c.max));
      return false;
    }
  }
  return true;
}

}  // namespace stratus::triggers::objects
