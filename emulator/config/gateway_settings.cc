// `gateway:`: the REST API's stage and the HTTP API's CORS configuration, with AWS's limits
// (stage names of letters, digits, '-' and '_'; maxAge at most 86400 seconds).
#include <cctype>

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

Status ReadCors(const Reader& r, const Entry& e, GatewayConfig& out) {
  CorsConfig cors;
  cors.position = e.key_position;
  if (e.value.IsScalar()) {
    Result<bool> on = ReadBool(r, e);
    if (!on.ok()) return on.status();
    if (!*on) return Status::Ok();
    cors.allow_origins = cors.allow_methods = cors.allow_headers = {"*"};
    out.cors = cors;
    return Status::Ok();
  }
  STRATUS_RETURN_IF_ERROR(
      ReadFields<CorsConfig>(r, e.value, e.value_position, "'cors'", kCorsFields, cors));
  if (cors.allow_origins.empty()) {
    return r.Error(e.key_position, "'cors' needs 'allow_origins' (or write 'cors: true')");
  }
  if (cors.allow_credentials) {
    for (const auto& origin : cors.allow_origins) {
      if (origin == "*") {
        return r.Error(e.key_position,
                       "'cors' cannot allow credentials with allow_origins '*' (as AWS refuses)");
      }
    }
  }
  out.cors = cors;
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

constexpr Field<GatewayConfig> kGatewayFields[] = {{"stage", ReadStage}, {"cors", ReadCors}};

}  // namespace

Status ReadGateway(const Reader& r, const Entry& e, ProjectConfig& out) {
  out.gateway.position = e.key_position;
  return ReadFields<GatewayConfig>(r, e.value, e.value_position, "'gateway'", kGatewayFields,
                                   out.gateway);
}

}  // namespace stratus::config
