#include "triggers/gateway/authorizers.h"

#include "emulator/emulator.h"
#include "emulator/functions/invoker.h"

namespace stratus::triggers::gateway {
namespace {

using Json = nlohmann::ordered_json;
using Kind = AuthDecision::Kind;
using Config = config::AuthorizerConfig;

AuthDecision Decide(Kind kind, Json context = nullptr) {
  AuthDecision decision;
  decision.kind = kind;
  decision.context = std::move(context);
  return decision;
}

// The authorizer event starts with its own fields, then the request's (without the body,
// which authorizers never see).
Json Prepend(Json head, const Json& event, std::initializer_list<const char*> skip) {
  for (const auto& [key, value] : event.items()) {
    bool skipped = false;
    for (const char* s : skip) skipped = skipped || key == s;
    if (!skipped && !head.contains(key)) head[key] = value;
  }
  return head;
}

std::string Join(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : ",") + v;
  return out;
}

// REST passes context values to the integration as strings; objects and lists are an
// authorizer misconfiguration.
std::optional<Json> RestContext(const Json& principal, const Json& context, double latency_ms) {
  Json out = Json::object();
  out["principalId"] = principal;
  if (context.is_object()) {
    for (const auto& [key, value] : context.items()) {
      if (value.is_object() || value.is_array()) return std::nullopt;
      out[key] = value.is_string() ? value.get<std::string>() : value.dump();
    }
  } else if (!context.is_null()) {
    return std::nullopt;
  }
  out["integrationLatency"] = static_cast<int64_t>(latency_ms);
  return out;
}

}  // namespace

Status Authorizers::Load(const config::ProjectConfig& project) {
  configs_ = project.gateway.authorizers;
  for (const auto& [name, config] : configs_) {
    if (config.type != Config::Type::kJwt) continue;
    Result<JwksKeys> keys = JwksKeys::Load(config.jwks_file);
    if (!keys.ok()) {
      return Status::InvalidArgument(project.file + ":" + std::to_string(config.position.line) +
                                     ":" + std::to_string(config.position.column) +
                                     ": authorizer '" + name + "': " + keys.status().message());
    }
    jwks_.emplace(name, std::move(*keys));
  }
  return Status::Ok();
}

std::string Authorizers::MethodArn(const EventContext& context, const http::Request& request,
                                   std::string_view resource_path) const {
  const auto& project = emulator_.project();
  std::string_view path = resource_path;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  return "arn:aws:execute-api:" + project.region + ":" + project.account + ":" +
         context.api_id + "/" + context.stage + "/" + request.method + "/" + std::string(path);
}

void Authorizers::Authorize(const Route& route, const http::Request& request,
                            const EventContext& context, Done done) {
  const Config& config = configs_.at(route.authorizer);
  if (config.type == Config::Type::kJwt) {
    AuthorizeJwt(route, config, request, std::move(done));
    return;
  }
  auto identity = IdentityValues(config.identity_source, request);
  if (!identity) {
    done(Decide(Kind::kUnauthorized));
    return;
  }
  // Caching needs an identity to key on, as on AWS.
  std::string key;
  if (config.ttl.count() > 0 && !identity->empty()) {
    key = config.name + '\n' + Join(*identity);
    auto hit = cache_.find(key);
    if (hit != cache_.end() && hit->second.expires > emulator_.clock().Now()) {
      done(hit->second.decision);
      return;
    }
  }
  Done store = [this, key, ttl = config.ttl, done = std::move(done)](AuthDecision decision) {
    if (!key.empty() && decision.kind != Kind::kError) {
      cache_[key] = Cached{decision, emulator_.clock().Now() + ttl};
    }
    done(std::move(decision));
  };
  AuthorizeLambda(route, config, request, context, std::move(*identity), std::move(store));
}

void Authorizers::AuthorizeJwt(const Route& route, const Config& config,
                               const http::Request& request, Done done) {
  auto identity = IdentityValues(config.identity_source, request);
  if (!identity) {
    AuthDecision decision = Decide(Kind::kUnauthorized);
    decision.www_authenticate = "Bearer";
    done(std::move(decision));
    return;
  }
  JwtRules rules{config.issuer, config.audience, route.scopes,
                 emulator_.clock().WallNowMs() / 1000};
  JwtResult result = VerifyJwt(identity->front(), jwks_.at(config.name), rules);
  std::string scope;
  for (const auto& s : route.scopes) scope += (scope.empty() ? "" : " ") + s;
  AuthDecision decision;
  switch (result.outcome) {
    case JwtResult::Outcome::kValid:
      decision = Decide(Kind::kAllow,
                        {{"jwt", {{"claims", result.claims},
                                  {"scopes", result.scopes.empty() ? Json(nullptr)
                                                                   : Json(result.scopes)}}}});
      break;
    case JwtResult::Outcome::kInsufficientScope:
      decision = Decide(Kind::kForbidden);
      decision.www_authenticate = "Bearer scope=\"" + scope +
                                  "\" error=\"insufficient_scope\" error_description=\"" +
                                  result.error + "\"";
      break;
    case JwtResult::Outcome::kInvalid:
      decision = Decide(Kind::kUnauthorized);
      decision.www_authenticate = "Bearer scope=\"" + scope +
                                  "\" error=\"invalid_token\" error_description=\"" +
                                  result.error + "\"";
      break;
  }
  done(std::move(decision));
}

void Authorizers::AuthorizeLambda(const Route& route, const Config& config,
                                  const http::Request& request, const EventContext& context,
                                  std::vector<std::string> identity, Done done) {
  const bool rest = route.api == Api::kRest;
  std::string resource_path = request.path;
  if (rest && !context.stage_prefix.empty() &&
      resource_path.compare(0, context.stage_prefix.size(), context.stage_prefix) == 0) {
    resource_path = resource_path.substr(context.stage_prefix.size());
  }
  const std::string arn = MethodArn(context, request, resource_path);
  Json event;
  if (!rest && config.payload_version == "2.0") {
    event = Prepend({{"version", "2.0"}, {"type", "REQUEST"}, {"routeArn", arn},
                     {"identitySource", identity}},
                    HttpEventJson(route, request, context), {"body", "isBase64Encoded"});
  } else if (config.type == Config::Type::kToken) {
    event = {{"type", "TOKEN"}, {"authorizationToken", identity.front()}, {"methodArn", arn}};
  } else {
    Json head = {{"type", "REQUEST"}, {"methodArn", arn}};
    if (!rest) {  // HTTP API payload 1.0
      head = {{"version", "1.0"}, {"type", "REQUEST"}, {"methodArn", arn},
              {"identitySource", Join(identity)},
              {"authorizationToken", identity.empty() ? Json(nullptr) : Json(identity.front())}};
    }
    event = Prepend(std::move(head), RestEventJson(route, request, context),
                    {"body", "isBase64Encoded"});
  }
  functions::InvokeRequest invoke;
  invoke.payload = event.dump(-1, ' ', false, Json::error_handler_t::replace);
  invoke.source = "gateway-authorizer";
  const bool simple = config.simple_responses;
  auto started = emulator_.clock().Now();
  emulator_.invoker().Invoke(
      config.function, std::move(invoke),
      [this, rest, simple, arn, started, done = std::move(done)](functions::InvokeResult r) {
        double latency = std::chrono::duration<double, std::milli>(emulator_.clock().Now() -
                                                                   started).count();
        if (!r.status.ok()) return done(Decide(Kind::kError));
        Json answer = Json::parse(r.payload, nullptr, /*allow_exceptions=*/false);
        if (r.function_error) {
          // The documented way to refuse: fail with the message "Unauthorized".
          bool unauthorized = answer.is_object() && answer.value("errorMessage", "") == "Unauthorized";
          return done(Decide(unauthorized ? Kind::kUnauthorized : Kind::kError));
        }
        if (!answer.is_object()) return done(Decide(Kind::kError));
        Json context = answer.value("context", Json());
        if (simple) {
          auto it = answer.find("isAuthorized");
          if (it == answer.end() || !it->is_boolean()) return done(Decide(Kind::kError));
          if (!it->get<bool>()) return done(Decide(Kind::kForbidden));
          return done(Decide(Kind::kAllow, {{"lambda", context}}));
        }
        if (!answer.contains("principalId") || !answer.contains("policyDocument")) {
          return done(Decide(Kind::kError));
        }
        Kind kind = EvaluatePolicy(answer["policyDocument"], arn);
        if (kind != Kind::kAllow) return done(Decide(kind));
        if (!rest) return done(Decide(Kind::kAllow, {{"lambda", context}}));
        auto rest_context = RestContext(answer["principalId"], context, latency);
        if (!rest_context) return done(Decide(Kind::kError));
        done(Decide(Kind::kAllow, std::move(*rest_context)));
      });
}

}  // namespace stratus::triggers::gateway
