// `gateway:`: stage, CORS of each API, binary media types, stage variables, the integration
// timeout and authorizers, with AWS's limits (stage names of letters, digits, '-' and '_';
// maxAge at most 86400 seconds; timeouts 50 ms to 30 s).
#include <cctype>
#include <filesystem>

#include "emulator/config/config_internal.h"

namespace stratus::config {
namespace {

Status ReadOrigins(const Reader& r, const Entry& e, CorsConfig& out) {
  Result<std::vector<std::string>> v = ReadStringList(r, e);
  if (!v.ok()) return v.status();
  for (const auto& origin : *v) {
    if (origin.empty()) return r.Error(e.value_position, "'allow_origins' has an empty origin");
  }
  out.allow_origins = *v;
  return Status::Ok();
}

Status ReadMethods(const Reader& r, const Entry& e, CorsConfig& out) {
  Result<std::vector<std::string>> v = ReadStringList(r, e);
  if (!v.ok()) return v.status();
  static const char* kMethods[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "*"};
  for (std::string method : *v) {
    for (char& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    bool known = false;
    for (const char* m : kMethods) known = known || method == m;
    if (!known) {
      return r.Error(e.value_position, "'allow_methods' has an unknown method '" + method +
                                           "' (valid: GET POST PUT PATCH DELETE HEAD OPTIONS *)");
    }
    out.allow_methods.push_back(method);
  }
  return Status::Ok();
}

template <std::vector<std::string> CorsConfig::*member>
Status ReadList(const Reader& r, const Entry& e, CorsConfig& out) {
  Result<std::vector<std::string>> v = ReadStringList(r, e);
  if (!v.ok()) return v.status();
  out.*member = *v;
  return Status::Ok();
}

constexpr Field<CorsConfig> kCorsFields[] = {
    {"allow_origins", ReadOrigins},
    {"allow_methods", ReadMethods},
    {"allow_headers", ReadList<&CorsConfig::allow_headers>},
    {"expose_headers", ReadList<&CorsConfig::expose_headers>},
    {"max_age",
     [](const Reader& r, const Entry& e, CorsConfig& out) {
       Result<int64_t> v = ReadInt(r, e, 0, 86400);
       if (!v.ok()) return v.status();
       out.max_age = static_cast<int>(*v);
       return Status::Ok();
     }},
    {"allow_credentials",
     [](const Reader& r, const Entry& e, CorsConfig& out) {
       Result<bool> v = ReadBool(r, e);
       if (!v.ok()) return v.status();
       out.allow_credentials = *v;
       return Status::Ok();
     }},
};

Result<std::optional<CorsConfig>> ReadCorsConfig(const Reader& r, const Entry& e) {
  CorsConfig cors;
  cors.position = e.key_position;
  if (e.value.IsScalar()) {
    Result<bool> on = ReadBool(r, e);
    if (!on.ok()) return on.status();
    if (!*on) return std::optional<CorsConfig>();
    cors.allow_origins = cors.allow_methods = cors.allow_headers = {"*"};
    return std::optional<CorsConfig>(cors);
  }
  STRATUS_RETURN_IF_ERROR(
      ReadFields<CorsConfig>(r, e.value, e.value_position, "'" + e.key + "'", kCorsFields, cors));
  if (cors.allow_origins.empty()) {
    return r.Error(e.key_position, "'" + e.key + "' needs 'allow_origins' (or write '" + e.key +
                                       ": true')");
  }
  if (cors.allow_credentials) {
    for (const auto& origin : cors.allow_origins) {
      if (origin == "*") {
        return r.Error(e.key_position, "'" + e.key +
                                           "' cannot allow credentials with allow_origins '*' "
                                           "(as AWS refuses)");
      }
    }
  }
  return std::optional<CorsConfig>(cors);
}

template <std::optional<CorsConfig> GatewayConfig::*member>
Status ReadCors(const Reader& r, const Entry& e, GatewayConfig& out) {
  Result<std::optional<CorsConfig>> cors = ReadCorsConfig(r, e);
  if (!cors.ok()) return cors.status();
  out.*member = std::move(*cors);
  return Status::Ok();
}

Status ReadStage(const Reader& r, const Entry& e, GatewayConfig& out) {
  Result<std::string> v = ReadName(r, e);
  if (!v.ok()) return v.status();
  bool valid = v->size() <= 128;
  for (char c : *v) valid = valid && (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_');
  if (!valid) {
    return r.Error(e.value_position, "'stage' must be letters, digits, '-' and '_' (at most 128), "
                                     "got '" + *v + "'");
  }
  out.stage = *v;
  return Status::Ok();
}

// A media type as binaryMediaTypes takes it: "type/subtype", either part possibly "*".
Status ReadBinaryMediaTypes(const Reader& r, const Entry& e, GatewayConfig& out) {
  Result<std::vector<std::string>> v = ReadStringList(r, e);
  if (!v.ok()) return v.status();
  for (const auto& type : *v) {
    size_t slash = type.find('/');
    if (slash == 0 || slash == std::string::npos || slash + 1 == type.size()) {
      return r.Error(e.value_position, "'binary_media_types' entries are type/subtype "
                                       "(e.g. image/png, image/*, */*), got '" + type + "'");
    }
  }
  out.binary_media_types = *v;
  return Status::Ok();
}

// Stage variable names and values as API Gateway allows them.
Status ReadStageVariables(const Reader& r, const Entry& e, GatewayConfig& out) {
  Result<std::vector<Entry>> entries = MapEntries(r, e.value, e.value_position, "'stage_variables'");
  if (!entries.ok()) return entries.status();
  for (const Entry& one : *entries) {
    bool valid = !one.key.empty() && one.key.size() <= 64;
    for (char c : one.key) valid = valid && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
    if (!valid) {
      return r.Error(one.key_position, "stage variable names are letters, digits and '_' "
                                       "(at most 64), got '" + one.key + "'");
    }
    Result<std::string> value = ReadString(r, one);
    if (!value.ok()) return value.status();
    if (value->size() > 512) {
      return r.Error(one.value_position, "stage variable '" + one.key +
                                             "' is longer than 512 characters");
    }
    out.stage_variables[one.key] = *value;
  }
  return Status::Ok();
}

Status ReadTimeout(const Reader& r, const Entry& e, GatewayConfig& out) {
  Result<std::chrono::milliseconds> v =
      ReadDuration(r, e, std::chrono::milliseconds(50), std::chrono::seconds(30));
  if (v.ok()) out.timeout = *v;
  return v.status();
}

constexpr Field<GatewayConfig> kGatewayFields[] = {
    {"stage", ReadStage},
    {"cors", ReadCors<&GatewayConfig::cors>},
    {"rest_cors", ReadCors<&GatewayConfig::rest_cors>},
    {"binary_media_types", ReadBinaryMediaTypes},
    {"stage_variables", ReadStageVariables},
    {"timeout", ReadTimeout},
    {"authorizers",
     [](const Reader& r, const Entry& e, GatewayConfig& out) {
       return ReadAuthorizers(r, e, out.authorizers);
     }},
};

}  // namespace

Status ReadGateway(const Reader& r, const Entry& e, ProjectConfig& out) {
  out.gateway.position = e.key_position;
  STRATUS_RETURN_IF_ERROR(ReadFields<GatewayConfig>(r, e.value, e.value_position, "'gateway'",
                                                    kGatewayFields, out.gateway));
  for (auto& [name, authorizer] : out.gateway.authorizers) {
    if (authorizer.jwks_file.empty()) continue;
    authorizer.jwks_file = (std::filesystem::path(out.project_dir) / authorizer.jwks_file)
                               .lexically_normal()
                               .string();
  }
  return Status::Ok();
}

}  // namespace stratus::config
