// The gateway's wire side: one request in, its authorizer, one function invocation, one
// answer out, with API Gateway's own answers when the authorizer refuses or the integration
// fails. Every answer carries the request id
// the function saw (apigw-requestid for HTTP APIs, x-amzn-RequestId for REST APIs).
#include <memory>

#include "emulator/emulator.h"
#include "emulator/functions/invoker.h"
#include "emulator/util/base64.h"
#include "emulator/util/log.h"
#include "triggers/gateway/authorizers.h"
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

http::Response MapResult(Api api, const functions::InvokeResult& result, bool decode_base64) {
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
                                  : MapRestResponse(result.payload, decode_base64);
  return mapped ? std::move(*mapped) : BadIntegration(api);
}

// API Gateway's answers when an authorizer refuses or fails, as each API kind words them.
http::Response AuthorizerAnswer(Api api, const AuthDecision& decision) {
  using Kind = AuthDecision::Kind;
  http::Response response;
  if (api == Api::kHttp) {
    switch (decision.kind) {
      case Kind::kUnauthorized: response = GatewayError(api, 401, "Unauthorized"); break;
      case Kind::kForbidden:
      case Kind::kExplicitDeny: response = GatewayError(api, 403, "Forbidden"); break;
      default: response = GatewayError(api, 500, "Internal Server Error"); break;
    }
    if (!decision.www_authenticate.empty()) {
      response.headers.Add("www-authenticate", decision.www_authenticate);
    }
    return response;
  }
  switch (decision.kind) {
    case Kind::kUnauthorized:
      return GatewayError(api, 401, "Unauthorized", "UnauthorizedException");
    case Kind::kForbidden:
    case Kind::kExplicitDeny: {
      // REST words this one with a capital M.
      std::string message = decision.kind == Kind::kExplicitDeny
                                ? "User is not authorized to access this resource with an "
                                  "explicit deny"
                                : "User is not authorized to access this resource";
      response = http::Response::Json(403, R"({"Message":")" + message + R"("})");
      response.headers.Add("x-amzn-ErrorType", "AccessDeniedException");
      return response;
    }
    default:
      response = http::Response::Json(500, R"({"message":null})");
      response.headers.Add("x-amzn-ErrorType", "AuthorizerConfigurationException");
      return response;
  }
}

// REST decodes a function's base64 body only for a client that accepts a binary type.
bool AcceptsBinary(const http::Request& request, const std::vector<std::string>& types) {
  auto accept = request.headers.Get("Accept");
  if (!accept || types.empty()) return false;
  std::string_view rest = *accept;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view one = rest.substr(0, comma);
    while (!one.empty() && one.front() == ' ') one.remove_prefix(1);
    if (!one.empty() && MatchesMediaType(one, types)) return true;
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  return false;
}

}  // namespace

// A request on its way through the gateway: the route, the event context being built and,
// once an authorizer has allowed it, what the authorizer said.
struct GatewayTrigger::Incoming {
  const Route* route = nullptr;
  http::RequestPtr request;
  http::Reply reply;
  EventContext context;
  nlohmann::ordered_json authorizer;
};

// One request waiting for its function; lives until the invocation's callback has run. The
// integration timer answers first when the function is too slow; the late result is then
// dropped (Reply::Send takes effect once) and the function runs on, as on AWS.
struct GatewayTrigger::Pending {
  std::shared_ptr<Incoming> incoming;
  const Cors* cors = nullptr;  // the HTTP API's, when configured
  bool decode_base64 = true;   // REST: the Accept header names a binary media type
  Timer timer;
};

void GatewayTrigger::Handle(const Route& route, http::RequestPtr request, http::Reply reply) {
  Emulator& emulator = *emulator_;
  if (AnswerPreflight(route.api, *request, reply)) return;
  auto incoming = std::make_shared<Incoming>();
  incoming->route = &route;
  EventContext& context = incoming->context;
  context.account_id = emulator.project().account;
  context.api_id = api_id_;
  context.time_ms = emulator.clock().WallNowMs();
  context.stage_variables = &emulator.project().gateway.stage_variables;
  if (route.api == Api::kHttp) {
    context.request_id = ShortId(emulator.random());
    context.stage = "$default";
  } else {
    context.request_id = emulator.random().Uuid();
    context.extended_request_id = ShortId(emulator.random());
    context.stage = rest_stage_;
    context.stage_prefix = rest_prefix_;
    context.binary_media_types = &emulator.project().gateway.binary_media_types;
  }
  // What API Gateway's front end adds to every request before the integration sees it.
  if (!request->headers.Has("X-Forwarded-For")) {
    const std::string& ip = request->remote_address;  // the peer's address, no port
    request->headers.Add("X-Forwarded-For", ip.empty() ? "127.0.0.1" : ip);
  }
  request->headers.Set("X-Forwarded-Port", std::to_string(emulator.gateway_port()));
  request->headers.Set("X-Forwarded-Proto", "http");
  incoming->request = std::move(request);
  incoming->reply = std::move(reply);
  if (route.authorizer.empty()) {
    Integrate(std::move(incoming));
    return;
  }
  authorizers_->Authorize(route, *incoming->request, context, [this, incoming](AuthDecision d) {
    if (d.kind != AuthDecision::Kind::kAllow) {
      http::Response response = AuthorizerAnswer(incoming->route->api, d);
      Answer(incoming->route->api, incoming->context.request_id, *incoming->request,
             incoming->reply, std::move(response));
      return;
    }
    incoming->authorizer = std::move(d.context);
    incoming->context.authorizer = &incoming->authorizer;
    Integrate(incoming);
  });
}

void GatewayTrigger::Integrate(std::shared_ptr<Incoming> incoming) {
  Emulator& emulator = *emulator_;
  const Route& route = *incoming->route;
  const http::Request& request = *incoming->request;
  auto pending = std::make_shared<Pending>();
  pending->incoming = incoming;
  functions::InvokeRequest invoke;
  std::chrono::milliseconds timeout;
  if (route.api == Api::kHttp) {
    invoke.payload = BuildHttpEvent(route, request, incoming->context);
    timeout = http_timeout_;
    if (http_cors_) pending->cors = &*http_cors_;
  } else {
    invoke.payload = BuildRestEvent(route, request, incoming->context);
    timeout = rest_timeout_;
    pending->decode_base64 = AcceptsBinary(request, emulator.project().gateway.binary_media_types);
  }
  pending->timer = emulator.clock().After(timeout, [this, raw = pending.get()] {
    const Incoming& in = *raw->incoming;
    Answer(in.route->api, in.context.request_id, *in.request, in.reply,
           IntegrationTimeout(in.route->api));
  });
  invoke.source = "gateway";
  emulator.invoker().Invoke(route.function, std::move(invoke),
                            [this, pending](functions::InvokeResult result) {
                              pending->timer.Cancel();
                              const Incoming& in = *pending->incoming;
                              if (in.reply.sent()) return;  // timed out already
                              http::Response response =
                                  MapResult(in.route->api, result, pending->decode_base64);
                              if (pending->cors != nullptr) {
                                ApplyCors(*pending->cors, *in.request, &response);
                              }
                              Answer(in.route->api, in.context.request_id, *in.request,
                                     in.reply, std::move(response));
                            });
}

void GatewayTrigger::Answer(Api api, const std::string& request_id, const http::Request& request,
                            const http::Reply& reply, http::Response response) {
  if (reply.sent()) return;
  response.headers.Set(api == Api::kHttp ? "apigw-requestid" : "x-amzn-RequestId", request_id);
  // With "Enable CORS", REST's own error answers carry the origin too (gateway responses).
  if (api == Api::kRest && rest_cors_ && response.status >= 400 &&
      !response.headers.Has("Access-Control-Allow-Origin") &&
      response.headers.Has("x-amzn-ErrorType")) {
    response.headers.Add("Access-Control-Allow-Origin", RestAllowOrigin(*rest_cors_, request));
  }
  log::Info("gateway: " + request.method + " " + request.target + " " +
            std::to_string(response.status) + (api == Api::kHttp ? " apigw-requestid=" :
                                               " x-amzn-RequestId=") + request_id);
  reply.Send(std::move(response));
}

bool GatewayTrigger::AnswerPreflight(Api api, const http::Request& request,
                                     const http::Reply& reply) {
  if (!IsPreflight(request)) return false;
  if (api == Api::kHttp && http_cors_) {
    Answer(api, ShortId(emulator_->random()), request, reply,
           PreflightResponse(*http_cors_, request));
    return true;
  }
  if (api == Api::kRest && rest_cors_) {
    Answer(api, emulator_->random().Uuid(), request, reply,
           RestPreflightResponse(*rest_cors_, request));
    return true;
  }
  return false;
}

void GatewayTrigger::AnswerUnknownRoute(const http::Request& request, http::Reply reply) {
  Api api = unknown_is_rest_ ? Api::kRest : Api::kHttp;
  if (AnswerPreflight(api, request, reply)) return;
  http::Response response =
      api == Api::kHttp
          ? GatewayError(api, 404, "Not Found")
          : GatewayError(api, 403, "Missing Authentication Token",
                         "MissingAuthenticationTokenException");
  std::string id = api == Api::kHttp ? ShortId(emulator_->random()) : emulator_->random().Uuid();
  Answer(api, id, request, reply, std::move(response));
}

}  // namespace stratus::triggers::gateway
