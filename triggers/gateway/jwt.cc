#include "triggers/gateway/jwt.h"

#include <openssl/core_names.h>
#include <openssl/param_build.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "emulator/util/base64.h"

namespace stratus::triggers::gateway {
namespace {

using Json = nlohmann::ordered_json;

// An RSA public key from the JWK's modulus and exponent (big-endian byte strings).
EVP_PKEY* RsaKey(const std::string& n, const std::string& e) {
  BIGNUM* modulus = BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()),
                              static_cast<int>(n.size()), nullptr);
  BIGNUM* exponent = BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()),
                               static_cast<int>(e.size()), nullptr);
  OSSL_PARAM_BLD* build = OSSL_PARAM_BLD_new();
  OSSL_PARAM* params = nullptr;
  EVP_PKEY* key = nullptr;
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr);
  if (modulus && exponent && build && ctx &&
      OSSL_PARAM_BLD_push_BN(build, OSSL_PKEY_PARAM_RSA_N, modulus) == 1 &&
      OSSL_PARAM_BLD_push_BN(build, OSSL_PKEY_PARAM_RSA_E, exponent) == 1 &&
      (params = OSSL_PARAM_BLD_to_param(build)) != nullptr &&
      EVP_PKEY_fromdata_init(ctx) == 1) {
    if (EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1) key = nullptr;
  }
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(build);
  BN_free(modulus);
  BN_free(exponent);
  return key;
}

bool VerifyRs256(const EVP_PKEY* key, std::string_view signed_part, const std::string& signature) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = ctx != nullptr &&
            EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr,
                                 const_cast<EVP_PKEY*>(key)) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()),
                             signature.size(),
                             reinterpret_cast<const unsigned char*>(signed_part.data()),
                             signed_part.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

std::optional<Json> DecodePart(std::string_view part) {
  auto text = Base64UrlDecode(part);
  if (!text) return std::nullopt;
  Json parsed = Json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) return std::nullopt;
  return parsed;
}

// The token's scopes: `scope` is space-separated (RFC 8693), `scp` a list or a string.
std::vector<std::string> TokenScopes(const Json& claims) {
  std::vector<std::string> scopes;
  for (const char* name : {"scope", "scp"}) {
    auto it = claims.find(name);
    if (it == claims.end()) continue;
    if (it->is_array()) {
      for (const auto& s : *it) {
        if (s.is_string()) scopes.push_back(s.get<std::string>());
      }
    } else if (it->is_string()) {
      std::istringstream words(it->get<std::string>());
      for (std::string word; words >> word;) scopes.push_back(word);
    }
  }
  return scopes;
}

bool AudienceMatches(const Json& claims, const std::vector<std::string>& audience) {
  auto one_of = [&](const Json& value) {
    return value.is_string() &&
           std::find(audience.begin(), audience.end(), value.get<std::string>()) != audience.end();
  };
  if (auto aud = claims.find("aud"); aud != claims.end()) {
    if (aud->is_array()) return std::any_of(aud->begin(), aud->end(), one_of);
    return one_of(*aud);
  }
  auto client = claims.find("client_id");
  return client != claims.end() && one_of(*client);
}

JwtResult Invalid(std::string why) {
  JwtResult result;
  result.error = std::move(why);
  return result;
}

// Claims as API Gateway passes them to the function: every value a string.
Json StringClaims(const Json& claims) {
  Json out = Json::object();
  for (const auto& [name, value] : claims.items()) {
    if (value.is_string()) {
      out[name] = value;
    } else if (value.is_array()) {
      std::string joined = "[";
      for (size_t i = 0; i < value.size(); ++i) {
        joined += (i ? " " : "") + (value[i].is_string() ? value[i].get<std::string>()
                                                         : value[i].dump());
      }
      out[name] = joined + "]";
    } else {
      out[name] = value.dump();
    }
  }
  return out;
}

}  // namespace

std::optional<std::string> Base64UrlDecode(std::string_view text) {
  std::string standard(text);
  for (char& c : standard) {
    if (c == '-') c = '+';
    else if (c == '_') c = '/';
    else if (c == '+' || c == '/' || c == '=') return std::nullopt;
  }
  return Base64Decode(standard);
}

Result<JwksKeys> JwksKeys::Load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("cannot read JWKS file " + path);
  std::stringstream text;
  text << in.rdbuf();
  Result<JwksKeys> keys = Parse(text.str());
  if (!keys.ok()) return Status::InvalidArgument(path + ": " + keys.status().message());
  return keys;
}

Result<JwksKeys> JwksKeys::Parse(const std::string& jwks_json) {
  Json doc = Json::parse(jwks_json, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || !doc.contains("keys") || !doc["keys"].is_array()) {
    return Status::InvalidArgument("not a JWKS document (an object with a \"keys\" list)");
  }
  JwksKeys out;
  for (const Json& jwk : doc["keys"]) {
    if (!jwk.is_object() || jwk.value("kty", "") != "RSA") continue;
    std::string kid = jwk.value("kid", "");
    auto n = Base64UrlDecode(jwk.value("n", ""));
    auto e = Base64UrlDecode(jwk.value("e", ""));
    if (kid.empty() || !n || !e || n->empty() || e->empty()) {
      return Status::InvalidArgument("RSA key '" + kid + "' needs kid, n and e");
    }
    EVP_PKEY* key = RsaKey(*n, *e);
    if (key == nullptr) return Status::InvalidArgument("RSA key '" + kid + "' is not valid");
    out.keys_[kid] = std::shared_ptr<EVP_PKEY>(key, FreeKey());
  }
  if (out.keys_.empty()) return Status::InvalidArgument("no RSA key in the JWKS document");
  return out;
}

const EVP_PKEY* JwksKeys::Find(const std::string& kid) const {
  auto it = keys_.find(kid);
  return it == keys_.end() ? nullptr : it->second.get();
}

JwtResult VerifyJwt(std::string_view authorization, const JwksKeys& keys, const JwtRules& rules) {
  std::string_view token = authorization;
  if (token.size() > 7 && (token.substr(0, 7) == "Bearer " || token.substr(0, 7) == "bearer ")) {
    token.remove_prefix(7);
  }
  size_t dot1 = token.find('.');
  size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return Invalid("the token is not a JWT");
  }
  auto header = DecodePart(token.substr(0, dot1));
  auto claims = DecodePart(token.substr(dot1 + 1, dot2 - dot1 - 1));
  auto signature = Base64UrlDecode(token.substr(dot2 + 1));
  if (!header || !claims || !signature) return Invalid("the token is not a JWT");
  if (header->value("alg", "") != "RS256") return Invalid("the token's alg is not RS256");
  const EVP_PKEY* key = keys.Find(header->value("kid", ""));
  if (key == nullptr) return Invalid("no key in the JWKS matches the token's kid");
  if (!VerifyRs256(key, token.substr(0, dot2), *signature)) {
    return Invalid("the token's signature is not valid");
  }
  auto exp = claims->find("exp");
  if (exp == claims->end() || !exp->is_number()) return Invalid("the token has no exp");
  if (exp->get<double>() <= static_cast<double>(rules.now_seconds)) {
    return Invalid("the token has expired");
  }
  if (auto nbf = claims->find("nbf"); nbf != claims->end() && nbf->is_number() &&
                                      nbf->get<double>() > static_cast<double>(rules.now_seconds)) {
    return Invalid("the token is not valid yet");
  }
  if (!claims->contains("iss") || (*claims)["iss"] != rules.issuer) {
    return Invalid("the token's iss is not the issuer");
  }
  if (!AudienceMatches(*claims, rules.audience)) {
    return Invalid("the token's aud is not an allowed audience");
  }
  JwtResult result;
  result.scopes = TokenScopes(*claims);
  result.claims = StringClaims(*claims);
  bool scoped = rules.scopes.empty() ||
                std::any_of(rules.scopes.begin(), rules.scopes.end(), [&](const std::string& s) {
                  return std::find(result.scopes.begin(), result.scopes.end(), s) !=
                         result.scopes.end();
                });
  result.outcome = scoped ? JwtResult::Outcome::kValid : JwtResult::Outcome::kInsufficientScope;
  if (!scoped) result.error = "the token has none of the route's scopes";
  return result;
}

}  // namespace stratus::triggers::gateway
