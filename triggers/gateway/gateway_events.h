// API Gateway's Lambda proxy events and response mappings, as pure functions of a request
// and the function's answer: payload format 2.0 (HTTP APIs) and 1.0 (REST APIs). No state,
// no loop: callable from any thread, and unit-testable without a server.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "emulator/http/message.h"
#include "triggers/gateway/gateway.h"

namespace stratus::triggers::gateway {

// What the gateway knows about a request besides the request itself.
struct EventContext {
  std::string account_id;
  std::string api_id;
  std::string request_id;           // requestContext.requestId (and the response header)
  std::string extended_request_id;  // REST only
  std::string stage;                // "$default" for HTTP APIs
  std::string stage_prefix;         // REST: "/STAGE" when the routes are served under it
  int64_t time_ms = 0;              // wall-clock time the request arrived, ms since the epoch
  const std::map<std::string, std::string>* stage_variables = nullptr;  // null or empty: none
  // REST: bodies of these media types go base64; others as text (null or empty: all text).
  const std::vector<std::string>* binary_media_types = nullptr;
  // requestContext.authorizer as the route's authorizer left it; null when there is none.
  const nlohmann::ordered_json* authorizer = nullptr;
};

// The payload format 2.0 event (JSON text) for `request` matched by `route`.
std::string BuildHttpEvent(const Route& route, const http::Request& request,
                           const EventContext& context);
// The payload format 1.0 (REST proxy) event (JSON text).
std::string BuildRestEvent(const Route& route, const http::Request& request,
                           const EventContext& context);
// The same events as JSON values, for the authorizer events built from them.
nlohmann::ordered_json HttpEventJson(const Route& route, const http::Request& request,
                                     const EventContext& context);
nlohmann::ordered_json RestEventJson(const Route& route, const http::Request& request,
                                     const EventContext& context);
// Whether `content_type` is one of REST's binaryMediaTypes ("image/*", "*/*" allowed).
bool MatchesMediaType(std::string_view content_type, const std::vector<std::string>& types);

// Maps a function's response to HTTP. nullopt when the response is malformed (API Gateway
// then answers its own error). HTTP APIs infer a 200 JSON answer when the function returns
// valid JSON without a statusCode; REST APIs require the statusCode object.
// A REST API decodes a base64 body only when `decode_base64` (the request's Accept names one
// of its binaryMediaTypes); otherwise the base64 text is the body, as on AWS.
std::optional<http::Response> MapHttpResponse(const std::string& payload);
std::optional<http::Response> MapRestResponse(const std::string& payload, bool decode_base64);

// CORS for HTTP APIs (gateway_cors.cc). A preflight is an OPTIONS request with Origin and
// Access-Control-Request-Method; API Gateway answers it 204 whatever the routes are.
bool IsPreflight(const http::Request& request);
http::Response PreflightResponse(const Cors& cors, const http::Request& request);
// REST: the "Enable CORS" mock's 200 answer, and the Allow-Origin of gateway errors.
http::Response RestPreflightResponse(const Cors& cors, const http::Request& request);
std::string RestAllowOrigin(const Cors& cors, const http::Request& request);
// Drops the function's Access-Control-* headers and adds the configured ones when the
// request's Origin is allowed.
void ApplyCors(const Cors& cors, const http::Request& request, http::Response* response);

// "12/Mar/2020:19:03:58 +0000", as requestContext.time / requestTime show it.
std::string FormatRequestTime(int64_t time_ms);
// Whether a body of this Content-Type reaches the function as text (else base64).
bool IsTextContentType(std::string_view content_type);

}  // namespace stratus::triggers::gateway
