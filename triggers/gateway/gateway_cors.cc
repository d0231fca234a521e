// CORS for HTTP APIs, as API Gateway applies a CorsConfiguration: it answers preflights
// itself (even with no OPTIONS route), and it owns the CORS headers of every other answer
// ("API Gateway ignores CORS headers returned from your backend integration").
#include <string>
#include <vector>

#include "triggers/gateway/gateway_events.h"

namespace stratus::triggers::gateway {
namespace {

std::string Join(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : ",") + v;
  return out;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

// The Access-Control-Allow-Origin value for `origin`, or "" when it is not allowed.
std::string AllowedOrigin(const Cors& cors, std::string_view origin) {
  for (const auto& allowed : cors.allow_origins) {
    if (allowed == "*") return cors.allow_credentials ? std::string(origin) : "*";
    // "https://*" and "http://*" allow every origin of that scheme.
    if (allowed.size() > 1 && allowed.back() == '*' &&
        StartsWith(origin, allowed.substr(0, allowed.size() - 1))) {
      return std::string(origin);
    }
    if (http::EqualsIgnoreCase(allowed, origin)) return std::string(origin);
  }
  return "";
}

}  // namespace

bool IsPreflight(const http::Request& request) {
  return request.method == "OPTIONS" && request.headers.Has("Origin") &&
         request.headers.Has("Access-Control-Request-Method");
}

http::Response PreflightResponse(const Cors& cors, const http::Request& request) {
  http::Response response;
  response.status = 204;
  std::string origin = AllowedOrigin(cors, *request.headers.Get("Origin"));
  if (origin.empty()) return response;  // no CORS headers: the browser refuses
  response.headers.Add("Access-Control-Allow-Origin", origin);
  if (!cors.allow_methods.empty()) {
    response.headers.Add("Access-Control-Allow-Methods", Join(cors.allow_methods));
  }
  if (!cors.allow_headers.empty()) {
    response.headers.Add("Access-Control-Allow-Headers", Join(cors.allow_headers));
  }
  if (cors.max_age >= 0) {
    response.headers.Add("Access-Control-Max-Age", std::to_string(cors.max_age));
  }
  if (cors.allow_credentials) response.headers.Add("Access-Control-Allow-Credentials", "true");
  return response;
}

void ApplyCors(const Cors& cors, const http::Request& request, http::Response* response) {
  auto origin_header = request.headers.Get("Origin");
  if (!origin_header) return;
  for (const char* name :
       {"Access-Control-Allow-Origin", "Access-Control-Allow-Methods",
        "Access-Control-Allow-Headers", "Access-Control-Expose-Headers",
        "Access-Control-Max-Age", "Access-Control-Allow-Credentials"}) {
    response->headers.Remove(name);
  }
  std::string origin = AllowedOrigin(cors, *origin_header);
  if (origin.empty()) return;
  response->headers.Add("Access-Control-Allow-Origin", origin);
  if (!cors.expose_headers.empty()) {
    response->headers.Add("Access-Control-Expose-Headers", Join(cors.expose_headers));
  }
  if (cors.allow_credentials) response->headers.Add("Access-Control-Allow-Credentials", "true");
}

}  // namespace stratus::triggers::gateway
