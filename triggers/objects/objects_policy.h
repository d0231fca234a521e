// S3's POST policy (the base64 JSON document a browser form carries): parsing, expiration,
// the eq / starts-with / content-length-range conditions, and the rule that every form field
// is covered by a condition. Signatures are not verified (stratus checks none), but what a
// policy refuses is refused, with S3's codes and messages, so a form that works here works on
// S3. Pure values and functions; no threading rule.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "triggers/objects/objects_errors.h"
#include "triggers/objects/objects_form.h"

namespace stratus::triggers::objects {

class PostPolicy {
 public:
  // Decodes and parses the `policy` field. A malformed document is a 400 InvalidPolicyDocument.
  static bool Parse(std::string_view base64, PostPolicy* out, S3Error* error);

  // Expiration, then each condition in order (content-length-range waits for the file's
  // size), then field coverage. `fields` are the form's fields before the file, variables
  // already expanded; `bucket` is the bucket the form was posted to.
  bool Check(int64_t now_ms, const std::vector<FormField>& fields, std::string_view bucket,
             S3Error* error) const;
  // The content-length-range conditions against the stored file's size.
  bool CheckSize(uint64_t size, S3Error* error) const;

  int64_t expiration_ms() const { return expiration_ms_; }

 private:
  enum class Op { kEq, kStartsWith, kRange, kUnsatisfiable };
  struct Condition {
    Op op = Op::kUnsatisfiable;
    std::string field;  // lower-cased, without '$'
    std::string value;
    int64_t min = 0, max = 0;
    std::string rendered;  // as S3 quotes it in "Policy Condition failed: ..."
  };

  int64_t expiration_ms_ = 0;
  std::vector<Condition> conditions_;

  friend struct PolicyParser;
};

// Fields exempt from the coverage rule: policy, file, the signature fields, x-ignore-*.
bool PolicyExempt(std::string_view field_name);

// ISO 8601 UTC ("2026-01-01T00:00:00Z", optional fraction); nullopt otherwise.
std::optional<int64_t> ParsePolicyTime(std::string_view text);

}  // namespace stratus::triggers::objects
