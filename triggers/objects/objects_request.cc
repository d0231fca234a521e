#include "triggers/objects/objects_request.h"

#include <ctime>

#include "emulator/http/router.h"

namespace stratus::triggers::objects {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

std::string VirtualHostBucket(std::string_view host_header) {
  std::string host = Lower(host_header);
  if (!host.empty() && host[0] == '[') return "";  // IPv6 literal
  size_t colon = host.rfind(':');
  if (colon != std::string::npos) host.resize(colon);
  std::string bucket;
  if (EndsWith(host, ".localhost")) {
    bucket = host.substr(0, host.size() - 10);
  } else if (EndsWith(host, ".amazonaws.com")) {
    bucket = host.substr(0, host.size() - 14);
    size_t s3 = bucket.rfind(".s3");  // BUCKET.s3 or BUCKET.s3.REGION or BUCKET.s3-REGION
    if (s3 == std::string::npos) return "";
    bucket.resize(s3);
    return bucket;
  } else {
    return "";
  }
  if (EndsWith(bucket, ".s3")) bucket.resize(bucket.size() - 3);
  if (bucket == "s3") return "";
  return bucket;
}

std::optional<Target> ParseTarget(const http::Request& request) {
  Target target;
  std::string path;
  if (!http::PercentDecode(request.path, &path)) return std::nullopt;
  std::string_view rest = path;
  if (!rest.empty() && rest[0] == '/') rest.remove_prefix(1);
  auto host = request.headers.Get("Host");
  std::string vh = host ? VirtualHostBucket(*host) : "";
  if (!vh.empty()) {
    target.virtual_host = true;
    target.bucket = vh;
    target.key = std::string(rest);
    return target;
  }
  size_t slash = rest.find('/');
  target.bucket = std::string(rest.substr(0, slash));
  if (slash != std::string_view::npos) target.key = std::string(rest.substr(slash + 1));
  return target;
}

std::map<std::string, std::string> ParseQuery(std::string_view query) {
  std::map<std::string, std::string> out;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string name(pair.substr(0, eq)), value;
    if (eq != std::string_view::npos) value = std::string(pair.substr(eq + 1));
    for (auto* s : {&name, &value}) {
      for (auto& c : *s) {
        if (c == '+') c = ' ';
      }
      std::string decoded;
      if (http::PercentDecode(*s, &decoded)) *s = std::move(decoded);
    }
    out.emplace(std::move(name), std::move(value));
  }
  return out;
}

std::string HttpDate(int64_t epoch_ms) {
  time_t seconds = static_cast<time_t>(epoch_ms / 1000);
  struct tm tm {};
  gmtime_r(&seconds, &tm);
  char buf[64];
  strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

std::optional<int64_t> ParseHttpDate(std::string_view text) {
  std::string s(text);
  for (const char* format : {"%a, %d %b %Y %H:%M:%S GMT", "%A, %d-%b-%y %H:%M:%S GMT",
                             "%a %b %d %H:%M:%S %Y", "%Y-%m-%dT%H:%M:%SZ",
                             "%Y-%m-%dT%H:%M:%S.000Z"}) {
    struct tm tm {};
    const char* end = strptime(s.c_str(), format, &tm);
    if (end != nullptr && *end == '\0') return int64_t(timegm(&tm)) * 1000;
  }
  return std::nullopt;
}

RangeParse ParseRange(std::string_view header, uint64_t size, ByteRange* out) {
  if (header.substr(0, 6) != "bytes=") return RangeParse::kNone;
  std::string_view spec = header.substr(6);
  if (spec.find(',') != std::string_view::npos) return RangeParse::kNone;
  size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return RangeParse::kNone;
  auto number = [](std::string_view digits, uint64_t* value) {
    if (digits.empty() || digits.size() > 19) return false;
    uint64_t v = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return false;
      v = v * 10 + uint64_t(c - '0');
    }
    *value = v;
    return true;
  };
  std::string_view first = spec.substr(0, dash), last = spec.substr(dash + 1);
  uint64_t a = 0, b = 0;
  if (first.empty()) {  // suffix: the last b bytes
    if (!number(last, &b)) return RangeParse::kNone;
    if (b == 0 || size == 0) return RangeParse::kUnsatisfiable;
    out->begin = b >= size ? 0 : size - b;
    out->end = size;
    return RangeParse::kOk;
  }
  if (!number(first, &a)) return RangeParse::kNone;
  if (last.empty()) {
    b = size == 0 ? 0 : size - 1;
  } else if (!number(last, &b) || b < a) {
    return RangeParse::kNone;
  }
  if (a >= size) return RangeParse::kUnsatisfiable;
  out->begin = a;
  out->end = std::min(b, size - 1) + 1;
  return RangeParse::kOk;
}

bool IsValidBucketName(std::string_view name) {
  if (name.size() < 3 || name.size() > 63) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(name.front()) || !alnum(name.back())) return false;
  int dots = 0;
  bool all_digits_or_dots = true;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (!alnum(c) && c != '.' && c != '-') return false;
    if (c == '.') {
      ++dots;
      if (name[i - 1] == '.' || name[i - 1] == '-' || name[i + 1] == '-') return false;
    }
    if (!(c == '.' || (c >= '0' && c <= '9'))) all_digits_or_dots = false;
  }
  return !(dots == 3 && all_digits_or_dots);  // looks like an IP address
}

std::string PrefixSuccessor(std::string prefix) {
  while (!prefix.empty() && static_cast<unsigned char>(prefix.back()) == 0xFF) prefix.pop_back();
  if (prefix.empty()) return "";
  prefix.back() = static_cast<char>(static_cast<unsigned char>(prefix.back()) + 1);
  return prefix;
}

std::string CommonPrefix(const std::string& key, const std::string& prefix,
                         const std::string& delimiter) {
  if (delimiter.empty()) return "";
  size_t cut = key.find(delimiter, prefix.size());
  return cut == std::string::npos ? "" : key.substr(0, cut + delimiter.size());
}

std::string Unquote(std::string_view etag) {
  while (!etag.empty() && etag.front() == ' ') etag.remove_prefix(1);
  while (!etag.empty() && etag.back() == ' ') etag.remove_suffix(1);
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  return std::string(etag);
}

namespace {
bool EtagListMatches(std::string_view list, const std::string& etag) {
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string item = Unquote(list.substr(0, comma));
    if (item == "*" || item == etag) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}
}  // namespace

ConditionResult EvaluateConditions(const Conditions& c, const std::string& etag,
                                   int64_t last_modified_ms, std::string* failed) {
  int64_t modified_s = last_modified_ms / 1000;
  if (!c.if_match.empty()) {
    if (!EtagListMatches(c.if_match, etag)) {
      *failed = "If-Match";
      return ConditionResult::kPreconditionFailed;
    }
  } else if (auto since = ParseHttpDate(c.if_unmodified_since);
             since && modified_s > *since / 1000) {
    *failed = "If-Unmodified-Since";
    return ConditionResult::kPreconditionFailed;
  }
  if (!c.if_none_match.empty()) {
    if (EtagListMatches(c.if_none_match, etag)) return ConditionResult::kNotModified;
  } else if (auto since = ParseHttpDate(c.if_modified_since); since && modified_s <= *since / 1000) {
    return ConditionResult::kNotModified;
  }
  return ConditionResult::kProceed;
}

}  // namespace stratus::triggers::objects
