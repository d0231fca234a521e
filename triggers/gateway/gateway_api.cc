// The gateway's wire side: one request in, one function invocation, one answer out, with
// API Gateway's own answers when the integration fails. Every answer carries the request id
// the function saw (apigw-requestid for HTTP APIs, x-amzn-RequestId for REST APIs).
#include <memory>

#include "emulator/emulator.h"
#include "emulator/functions/invoker.h"
#include "emulator/util/base64.h"
#include "triggers/gateway/gateway.h"
#include "triggers/gateway/gateway_events.h"

namespace stratus::triggers::gateway {
namespace {

// An HTTP API request id looks like "RL2XYiwjPHcEMEQ=": 10 bytes, base64.
std::string ShortId(Random& random) {
  std::string bytes;
  for (int i = 0; i < 10; ++i) bytes.push_back(static_cast<char>(random.Next() & 0xff));
  return Base64Encode(bytes);
}

// API Gateway's own answers, as each API kind words them.
http::Response GatewayError(Api api, int status, std::string_view message,
                            std::string_view error_type = {}) {
  std::string body = R"({"message":")" + std::string(message) + R"("})";
  http::Response response = http::Response::Json(status, std::move(body));
  if (api == Api::kRest && !error_type.empty()) {
    response.headers.Add("x-amzn-ErrorType", std::string(error_type));
  }
  return response;
}

http::Response BadIntegration(Api api) {
  // HTTP APIs answer 500 "Internal Server Error"; REST APIs 502 "Internal server error".
  return api == Api::kHttp ? GatewayError(api, 500, "Internal Server Error")
                           : GatewayError(api, 502, "Internal server error",
                                          "InternalServerErrorException");
}

http::Response IntegrationTimeout(Api api) {
  return api == Api::kHttp ? GatewayError(api, 503, "Service Unavailable")
                           : GatewayError(api, 504, "Endpoint request timed out");
}

http::Response MapResult(Api api, const functions::InvokeResult& result) {
  if (!result.status.ok()) {
    switch (result.status.code()) {
      case Status::Code::kResourceExhausted:
        return GatewayError(api, 429, "Too Many Requests", "TooManyRequestsException");
      case Status::Code::kUnavailable:
        return GatewayError(api, 503, "Service Unavailable");
      case Status::Code::kInvalidArgument:  // payload over Lambda's 6 MB
        return GatewayError(api, 413, "Request Entity Too Large");
      default:  // unknown function and the rest: the integration itself failed
        return api == Api::kHttp ? GatewayError(api, 500, "Internal Server Error")
                                 : GatewayError(api, 500, "Internal server error",
                                                "InternalServerErrorException");
    }
  }
  if (result.function_error) return BadIntegration(api);
  auto mapped = api == Api::kHttp ? MapHttpResponse(result.payload)
                                  : MapRestResponse(result.payload);
  return mapped ? std::move(*mapped) : BadIntegration(api);
}

void Stamp(Api api, const std::string& request_id, http::Response* response) {
  response->headers.Set(api == Api::kHttp ? "apigw-requestid" : "x-amzn-RequestId",
                        request_id);
}

}  // namespace

// One request waiting for its function; lives until the invocation's callback has run. The
// integration timer answers first when the function is too slow; the late result is then
// dropped (Reply::Send takes effect once) and the function runs on, as on AWS.
struct GatewayTrigger::Pending {
  Api api;
  std::string request_id;
  http::RequestPtr request;
  const Cors* cors = nullptr;  // the HTTP API's, when configured
  http::Reply reply;
  Timer timer;
};

void GatewayTrigger::Handle(const Route& route, http::RequestPtr request, http::Reply reply) {
  Emulator& emulator = *emulator_;
  if (route.api == Api::kHttp && AnswerPreflight(*request, reply)) return;
  EventContext context;
  context.account_id = emulator.project().account;
  context.api_id = api_id_;
  context.time_ms = emulator.clock().WallNowMs();
  // What API Gateway's front end adds to every request before the integration sees it.
  if (!request->headers.Has("X-Forwarded-For")) {
    const std::string& ip = request->remote_address;  // the peer's address, no port
    request->headers.Add("X-Forwarded-For", ip.empty() ? "127.0.0.1" : ip);
  }
  request->headers.Set("X-Forwarded-Port", std::to_string(emulator.gateway_port()));
  request->headers.Set("X-Forwarded-Proto", "http");
  std::string payload;
  std::chrono::milliseconds timeout;
  if (route.api == Api::kHttp) {
    context.request_id = ShortId(emulator.random());
    context.stage = "$default";
    payload = BuildHttpEvent(route, *request, context);
    timeout = options_.http_timeout;
  } else {
    context.request_id = emulator.random().Uuid();
    context.extended_request_id = ShortId(emulator.random());
    context.stage = rest_stage_;
    context.stage_prefix = rest_prefix_;
    payload = BuildRestEvent(route, *request, context);
    timeout = options_.rest_timeout;
  }
  auto pending = std::make_shared<Pending>();
  pending->api = route.api;
  pending->request_id = context.request_id;
  pending->request = request;
  if (route.api == Api::kHttp && http_cors_) pending->cors = &*http_cors_;
  pending->reply = std::move(reply);
  pending->timer = emulator.clock().After(timeout, [raw = pending.get()] {
    http::Response response = IntegrationTimeout(raw->api);
    Stamp(raw->api, raw->request_id, &response);
    raw->reply.Send(std::move(response));
  });
  functions::InvokeRequest invoke;
  invoke.payload = std::move(payload);
  invoke.source = "gateway";
  emulator.invoker().Invoke(route.function, std::move(invoke),
                            [pending](functions::InvokeResult result) {
                              pending->timer.Cancel();
                              if (pending->reply.sent()) return;  // timed out already
                              http::Response response = MapResult(pending->api, result);
                              if (pending->cors != nullptr) {
                                ApplyCors(*pending->cors, *pending->request, &response);
                              }
                              Stamp(pending->api, pending->request_id, &response);
                              pending->reply.Send(std::move(response));
                            });
}

bool GatewayTrigger::AnswerPreflight(const http::Request& request, const http::Reply& reply) {
  if (!http_cors_ || !IsPreflight(request)) return false;
  http::Response response = PreflightResponse(*http_cors_, request);
  Stamp(Api::kHttp, ShortId(emulator_->random()), &response);
  reply.Send(std::move(response));
  return true;
}

void GatewayTrigger::AnswerUnknownRoute(const http::Request& request, http::Reply reply) {
  Api api = unknown_is_rest_ ? Api::kRest : Api::kHttp;
  if (api == Api::kHttp && AnswerPreflight(request, reply)) return;
  http::Response response =
      api == Api::kHttp
          ? GatewayError(api, 404, "Not Found")
          : GatewayError(api, 403, "Missing Authentication Token",
                         "MissingAuthenticationTokenException");
  std::string id = api == Api::kHttp ? ShortId(emulator_->random()) : emulator_->random().Uuid();
  Stamp(api, id, &response);
  reply.Send(std::move(response));
}

}  // namespace stratus::triggers::gateway
