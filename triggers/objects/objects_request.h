// What S3's wire protocol needs from a raw HTTP request: the bucket and key (path style or
// virtual-hosted style), the decoded query, HTTP dates, byte ranges, bucket-name rules.
// Pure functions; no threading rule.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/http/message.h"

namespace stratus::triggers::objects {

struct Target {
  std::string bucket;  // empty: the service (ListBuckets)
  std::string key;     // empty: the bucket itself
  bool virtual_host = false;
};

// The bucket named by a Host of the form BUCKET.localhost[:port], BUCKET.s3.localhost,
// BUCKET.s3[.REGION].amazonaws.com; "" otherwise.
std::string VirtualHostBucket(std::string_view host);
// Bucket and key of the request; nullopt when the path has a malformed percent-escape.
std::optional<Target> ParseTarget(const http::Request& request);

// Query parameters, percent-decoded ('+' is a space, as in forms); a name without '=' maps
// to "". Repeated names keep the first value.
std::map<std::string, std::string> ParseQuery(std::string_view query);

// "Wed, 12 Oct 2009 17:50:00 GMT".
std::string HttpDate(int64_t epoch_ms);
// RFC 1123 (and the RFC 850 / asctime forms HTTP allows); epoch ms, or nullopt.
std::optional<int64_t> ParseHttpDate(std::string_view text);

struct ByteRange {
  uint64_t begin = 0;
  uint64_t end = 0;  // exclusive
};
enum class RangeParse { kNone, kOk, kUnsatisfiable };
// A single `bytes=a-b` / `bytes=a-` / `bytes=-n` range against an object of `size` bytes.
// kNone for a header S3 ignores (absent, other units, several ranges, malformed).
RangeParse ParseRange(std::string_view header, uint64_t size, ByteRange* out);

// S3's bucket naming rules (3-63 characters; lower-case letters, digits, '.', '-'; starting
// and ending with a letter or digit; not an IP address; no "..").
bool IsValidBucketName(std::string_view name);


// The first string greater than every string starting with `prefix` ("" when none).
std::string PrefixSuccessor(std::string prefix);

// The common prefix a listed `key` (which starts with `prefix`) rolls up into: the key up to
// and including the first `delimiter` after `prefix`; "" when there is no delimiter or none
// follows the prefix.
std::string CommonPrefix(const std::string& key, const std::string& prefix,
                         const std::string& delimiter);

// Strips one pair of surrounding double quotes (ETags in conditions and part lists).
std::string Unquote(std::string_view etag);

// Conditional request headers against an object's ETag and modification time, with S3's
// precedence (If-Match beats If-Unmodified-Since, If-None-Match beats If-Modified-Since).
struct Conditions {
  std::string if_match, if_none_match, if_modified_since, if_unmodified_since;
};
enum class ConditionResult { kProceed, kNotModified, kPreconditionFailed };
ConditionResult EvaluateConditions(const Conditions& c, const std::string& etag,
                                   int64_t last_modified_ms, std::string* failed);

}  // namespace stratus::triggers::objects
