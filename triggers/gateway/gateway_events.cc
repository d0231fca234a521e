// The request side: payload format 2.0 and 1.0 events. Field order follows AWS's documented
// examples (fixtures/events/), so a developer diffing the two sees the same layout.
#include "triggers/gateway/gateway_events.h"

#include <time.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <map>
#include <utility>
#include <vector>

#include "emulator/http/router.h"
#include "emulator/util/base64.h"
#include "emulator/util/escape.h"
#include "emulator/util/json.h"
#include "emulator/util/json_writer.h"

namespace stratus::triggers::gateway {
namespace {

using Json = nlohmann::ordered_json;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

std::string DecodeOrRaw(std::string_view text) {
  std::string out;
  return http::PercentDecode(text, &out) ? out : std::string(text);
}

// The query string as ordered (key, values) pairs; a key without '=' has the value "".
std::vector<std::pair<std::string, std::vector<std::string>>> ParseQuery(std::string_view q) {
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  std::map<std::string, size_t> index;
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view part = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
    if (part.empty()) continue;
    size_t eq = part.find('=');
    std::string key = DecodeOrRaw(part.substr(0, eq));
    std::string value = eq == std::string_view::npos ? "" : DecodeOrRaw(part.substr(eq + 1));
    auto [it, added] = index.emplace(key, out.size());
    if (added) out.push_back({key, {}});
    out[it->second].second.push_back(std::move(value));
  }
  return out;
}

std::string Join(const std::vector<std::string>& values, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < values.size(); ++i) out += (i ? std::string(sep) : "") + values[i];
  return out;
}

// The body as an HTTP API event carries it: text when it is text, else base64.
void WriteHttpBody(const http::Request& request, JsonWriter* event) {
  if (request.body.empty()) {
    event->Member("isBase64Encoded", false);
    return;
  }
  auto type = request.headers.Get("Content-Type");
  bool text = IsValidUtf8(request.body) && (!type || IsTextContentType(*type));
  event->Member("body", text ? request.body : Base64Encode(request.body));
  event->Member("isBase64Encoded", !text);
}

// A REST API sends base64 only for its binaryMediaTypes; any other body goes as text (bytes
// that are not UTF-8 then arrive replaced, as API Gateway's own transcoding leaves them).
void WriteRestBody(const http::Request& request, const EventContext& context, JsonWriter* event) {
  if (request.body.empty()) {
    event->Key("body").Null().Member("isBase64Encoded", false);
    return;
  }
  auto type = request.headers.Get("Content-Type");
  bool binary = context.binary_media_types != nullptr && type &&
                MatchesMediaType(*type, *context.binary_media_types);
  event->Member("body", binary ? Base64Encode(request.body) : request.body);
  event->Member("isBase64Encoded", binary);
}

// A name -> value map as an object, or null when empty (as REST events show absent maps).
void WriteStringMap(const std::map<std::string, std::string>& map, JsonWriter* event) {
  if (map.empty()) {
    event->Null();
    return;
  }
  event->BeginObject();
  for (const auto& [name, value] : map) event->Member(name, value);
  event->EndObject();
}

using Grouped = std::vector<std::pair<std::string, std::vector<std::string>>>;

// REST's pair of maps for headers and query strings: `single` holds each name's last value,
// `multi` all of them, in order; both null when there are none.
void WriteSingleAndMulti(const char* single, const char* multi, const Grouped& grouped,
                         JsonWriter* event) {
  if (grouped.empty()) {
    event->Key(single).Null().Key(multi).Null();
    return;
  }
  event->Key(single).BeginObject();
  for (const auto& [name, values] : grouped) event->Member(name, values.back());
  event->EndObject().Key(multi).BeginObject();
  for (const auto& [name, values] : grouped) {
    event->Key(name).BeginArray();
    for (const auto& value : values) event->String(value);
    event->EndArray();
  }
  event->EndObject();
}

// REST keeps the header names as sent (the first spelling of each).
Grouped RestHeaders(const http::Request& request) {
  Grouped grouped;  // first-seen order
  std::map<std::string, size_t> index;  // lower-case name -> entry
  for (const auto& [name, value] : request.headers) {
    auto [it, added] = index.emplace(Lower(name), grouped.size());
    if (added) grouped.emplace_back(name, std::vector<std::string>{});
    grouped[it->second].second.push_back(value);
  }
  return grouped;
}

std::string HostOf(const http::Request& request) {
  auto host = request.headers.Get("Host");
  return host ? std::string(*host) : "localhost";
}

std::string PrefixOf(const std::string& domain) { return domain.substr(0, domain.find('.')); }

std::string SourceIp(const http::Request& request) {
  // The connection records the peer's address without its port.
  return request.remote_address.empty() ? "127.0.0.1" : request.remote_address;
}

std::string UserAgent(const http::Request& request) {
  auto agent = request.headers.Get("User-Agent");
  return agent ? std::string(*agent) : "";
}

// Payload 2.0 headers: names lower-cased, repeated fields comma-joined; the Cookie headers
// go to `cookies` instead, one element per cookie.
void WriteHttpHeaders(const http::Request& request, JsonWriter* event) {
  std::vector<std::string> cookies;
  std::vector<std::pair<std::string, std::string>> joined;  // in first-seen order; few
  for (const auto& [name, value] : request.headers) {
    std::string lower = Lower(name);
    if (lower == "cookie") {
      std::string_view rest = value;
      while (!rest.empty()) {
        size_t semi = rest.find(';');
        std::string one = Trim(rest.substr(0, semi));
        if (!one.empty()) cookies.push_back(std::move(one));
        rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
      }
      continue;
    }
    auto same = std::find_if(joined.begin(), joined.end(),
                             [&](const auto& entry) { return entry.first == lower; });
    if (same == joined.end()) {
      joined.emplace_back(std::move(lower), value);
    } else {
      same->second += ',';
      same->second += value;
    }
  }
  if (!cookies.empty()) {
    event->Key("cookies").BeginArray();
    for (const auto& cookie : cookies) event->String(cookie);
    event->EndArray();
  }
  event->Key("headers").BeginObject();
  for (const auto& [name, value] : joined) event->Member(name, value);
  event->EndObject();
}


}  // namespace

std::string Route::route_key() const { return is_default() ? path : method + " " + path; }

std::string FormatRequestTime(int64_t time_ms) {
  time_t seconds = static_cast<time_t>(time_ms / 1000);
  struct tm tm {};
  gmtime_r(&seconds, &tm);
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[64];
  snprintf(buf, sizeof buf, "%02d/%s/%04d:%02d:%02d:%02d +0000", tm.tm_mday,
           kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

bool IsTextContentType(std::string_view content_type) {
  std::string type = Lower(content_type.substr(0, content_type.find(';')));
  type = Trim(type);
  if (type.rfind("text/", 0) == 0) return true;
  static const char* kText[] = {"application/json", "application/javascript",
                                "application/xml", "application/x-www-form-urlencoded",
                                "application/graphql", "application/x-yaml",
                                "application/yaml"};
  for (const char* t : kText) {
    if (type == t) return true;
  }
  auto ends = [&](std::string_view suffix) {
    return type.size() >= suffix.size() && type.compare(type.size() - suffix.size(),
                                                        suffix.size(), suffix) == 0;
  };
  return ends("+json") || ends("+xml");
}

bool MatchesMediaType(std::string_view content_type, const std::vector<std::string>& types) {
  std::string type = Trim(Lower(content_type.substr(0, content_type.find(';'))));
  size_t slash = type.find('/');
  std::string_view major = std::string_view(type).substr(0, slash);
  for (const std::string& candidate : types) {
    std::string want = Lower(candidate);
    if (want == "*/*" || want == type) return true;
    if (want.size() > 2 && want.compare(want.size() - 2, 2, "/*") == 0 &&
        std::string_view(want).substr(0, want.size() - 2) == major) {
      return true;
    }
  }
  return false;
}


// Written directly rather than through a JSON tree: this runs for every request.
std::string BuildHttpEvent(const Route& route, const http::Request& request,
                           const EventContext& context) {
  JsonWriter event;
  std::string route_key = route.route_key();
  event.BeginObject()
      .Member("version", "2.0")
      .Member("routeKey", route_key)
      .Member("rawPath", request.path)
      .Member("rawQueryString", request.query);
  WriteHttpHeaders(request, &event);
  auto query = ParseQuery(request.query);
  if (!query.empty()) {
    event.Key("queryStringParameters").BeginObject();
    for (const auto& [key, values] : query) event.Member(key, Join(values, ","));
    event.EndObject();
  }
  std::string domain = HostOf(request);
  event.Key("requestContext").BeginObject();
  event.Member("accountId", context.account_id).Member("apiId", context.api_id);
  // AWS's examples place it right after apiId.
  if (context.authorizer != nullptr) event.Key("authorizer").Raw(DumpJson(*context.authorizer));
  event.Member("domainName", domain).Member("domainPrefix", PrefixOf(domain));
  event.Key("http")
      .BeginObject()
      .Member("method", request.method)
      .Member("path", request.path)
      .Member("protocol", request.version == 10 ? "HTTP/1.0" : "HTTP/1.1")
      .Member("sourceIp", SourceIp(request))
      .Member("userAgent", UserAgent(request))
      .EndObject();
  event.Member("requestId", context.request_id)
      .Member("routeKey", route_key)
      .Member("stage", context.stage)
      .Member("time", FormatRequestTime(context.time_ms))
      .Member("timeEpoch", context.time_ms)
      .EndObject();
  WriteHttpBody(request, &event);
  if (!request.params.empty()) {
    event.Key("pathParameters").BeginObject();
    for (const auto& [name, value] : request.params) event.Member(name, value);
    event.EndObject();
  }
  if (context.stage_variables != nullptr && !context.stage_variables->empty()) {
    event.Key("stageVariables").BeginObject();
    for (const auto& [name, value] : *context.stage_variables) event.Member(name, value);
    event.EndObject();
  }
  return event.EndObject().Take();
}

Json HttpEventJson(const Route& route, const http::Request& request,
                   const EventContext& context) {
  return Json::parse(BuildHttpEvent(route, request, context));
}

// Written directly, like the 2.0 event: this runs for every request.
std::string BuildRestEvent(const Route& route, const http::Request& request,
                           const EventContext& context) {
  JsonWriter event;
  // `path` is the resource path (no stage); requestContext.path is the path as received.
  std::string path = request.path.substr(0, context.stage_prefix.size()) == context.stage_prefix
                         ? request.path.substr(context.stage_prefix.size())
                         : request.path;
  event.BeginObject()
      .Member("resource", route.path)
      .Member("path", path.empty() ? "/" : path)
      .Member("httpMethod", request.method);
  WriteSingleAndMulti("headers", "multiValueHeaders", RestHeaders(request), &event);
  WriteSingleAndMulti("queryStringParameters", "multiValueQueryStringParameters",
                      ParseQuery(request.query), &event);
  event.Key("pathParameters");
  WriteStringMap(request.params, &event);
  event.Key("stageVariables");
  if (context.stage_variables != nullptr) {
    WriteStringMap(*context.stage_variables, &event);
  } else {
    event.Null();
  }
  std::string domain = HostOf(request);
  event.Key("requestContext").BeginObject();
  event.Member("accountId", context.account_id).Member("apiId", context.api_id);
  if (context.authorizer != nullptr) event.Key("authorizer").Raw(DumpJson(*context.authorizer));
  event.Member("domainName", domain)
      .Member("domainPrefix", PrefixOf(domain))
      .Member("extendedRequestId", context.extended_request_id)
      .Member("httpMethod", request.method)
      .Key("identity")
      .BeginObject();
  for (const char* key : {"accessKey", "accountId", "caller", "cognitoAuthenticationProvider",
                          "cognitoAuthenticationType", "cognitoIdentityId",
                          "cognitoIdentityPoolId", "principalOrgId"}) {
    event.Key(key).Null();
  }
  event.Member("sourceIp", SourceIp(request)).Key("user").Null();
  event.Member("userAgent", UserAgent(request)).Key("userArn").Null().EndObject();
  event.Member("path", request.path)
      .Member("protocol", request.version == 10 ? "HTTP/1.0" : "HTTP/1.1")
      .Member("requestId", context.request_id)
      .Member("requestTime", FormatRequestTime(context.time_ms))
      .Member("requestTimeEpoch", context.time_ms)
      .Member("resourceId", context.api_id.substr(0, 6))
      .Member("resourcePath", route.path)
      .Member("stage", context.stage)
      .EndObject();
  WriteRestBody(request, context, &event);
  return event.EndObject().Take();
}

Json RestEventJson(const Route& route, const http::Request& request,
                   const EventContext& context) {
  return Json::parse(BuildRestEvent(route, request, context));
}

}  // namespace stratus::triggers::gateway
