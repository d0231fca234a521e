// API Gateway's Lambda proxy events and response mappings, as pure functions of a request
// and the function's answer: payload format 2.0 (HTTP APIs) and 1.0 (REST APIs). No state,
// no loop: callable from any thread, and unit-testable without a server.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

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
};

// The payload format 2.0 event (JSON text) for `request` matched by `route`.
std::string BuildHttpEvent(const Route& route, const http::Request& request,
                           const EventContext& context);
// The payload format 1.0 (REST proxy) event (JSON text).
std::string BuildRestEvent(const Route& route, const http::Request& request,
                           const EventContext& context);

// Maps a function's response to HTTP. nullopt when the response is malformed (API Gateway
// then answers its own error). HTTP APIs infer a 200 JSON answer when the function returns
// valid JSON without a statusCode; REST APIs require the statusCode object.
std::optional<http::Response> MapHttpResponse(const std::string& payload);
std::optional<http::Response> MapRestResponse(const std::string& payload);

// CORS for HTTP APIs (gateway_cors.cc). A preflight is an OPTIONS request with Origin and
// Access-Control-Request-Method; API Gateway answers it 204 whatever the routes are.
bool IsPreflight(const http::Request& request);
http::Response PreflightResponse(const Cors& cors, const http::Request& request);
// Drops the function's Access-Control-* headers and adds the configured ones when the
// request's Origin is allowed.
void ApplyCors(const Cors& cors, const http::Request& request, http::Response* response);

// "12/Mar/2020:19:03:58 +0000", as requestContext.time / requestTime show it.
std::string FormatRequestTime(int64_t time_ms);
// Whether a body of this Content-Type reaches the function as text (else base64).
bool IsTextContentType(std::string_view content_type);
bool IsValidUtf8(std::string_view text);

}  // namespace stratus::triggers::gateway
