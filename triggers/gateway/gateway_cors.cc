// CORS for HTTP APIs, as API Gateway applies a CorsConfiguration: it answers preflights
// itself (even with no OPTIONS route), and it owns the CORS headers of every other answer
// ("API Gateway ignores CORS headers returned from your backend integration").
// CORS for REST APIs, as the console's "Enable CORS" sets it up: an OPTIONS method with a
// mock integration answering 200 with fixed headers, and the same Allow-Origin on the
// gateway's own 4XX/5XX answers; a proxy integration's answers keep the function's headers.
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

http::Response RestPreflightResponse(const Cors& cors, const http::Request& request) {
  http::Response response = http::Response::Json(200, "{}");
  response.headers.Add("Access-Control-Allow-Origin", RestAllowOrigin(cors, request));
  // The console's defaults where the configuration says "any".
  bool any_method = cors.allow_methods.empty() || cors.allow_methods[0] == "*";
  response.headers.Add("Access-Control-Allow-Methods",
                       any_method ? "DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT"
                                  : Join(cors.allow_methods));
  bool any_header = cors.allow_headers.empty() || cors.allow_headers[0] == "*";
  response.headers.Add("Access-Control-Allow-Headers",
                       any_header ? "Content-Type,X-Amz-Date,Authorization,X-Api-Key,"
                                    "X-Amz-Security-Token"
                                  : Join(cors.allow_headers));
  if (cors.max_age >= 0) {
    response.headers.Add("Access-Control-Max-Age", std::to_string(cors.max_age));
  }
  if (cors.allow_credentials) response.headers.Add("Access-Control-Allow-Credentials", "true");
  return response;
}

std::string RestAllowOrigin(const Cors& cors, const http::Request& request) {
  // A mock answers one fixed origin; "*" stays "*". With several origins, the request's
  // own when listed (as a mapping template would choose), else the first.
  if (cors.allow_origins.size() == 1) return cors.allow_origins[0];
  auto origin = request.headers.Get("Origin");
  std::string allowed = origin ? AllowedOrigin(cors, *origin) : "";
  return allowed.empty() ? cors.allow_origins[0] : allowed;
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
