#include "emulator/http/aws_request.h"

#include <string_view>

#include "emulator/http/router.h"

namespace stratus::http {

namespace {

CredentialScope ParseCredential(std::string_view credential) {
  CredentialScope scope;
  std::string* fields[] = {&scope.access_key, &scope.date, &scope.region, &scope.service};
  for (std::string* field : fields) {
    size_t slash = credential.find('/');
    if (slash == std::string_view::npos) return {};
    *field = std::string(credential.substr(0, slash));
    credential.remove_prefix(slash + 1);
  }
  if (credential != "aws4_request") return {};
  return scope;
}

std::string_view QueryValue(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    if (pair.size() > name.size() && pair.substr(0, name.size()) == name &&
        pair[name.size()] == '=') {
      return pair.substr(name.size() + 1);
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

}  // namespace

CredentialScope SigningScope(const Request& request) {
  if (auto authorization = request.headers.Get("Authorization")) {
    std::string_view value = *authorization;
    constexpr std::string_view kKey = "Credential=";
    size_t at = value.find(kKey);
    if (at == std::string_view::npos) return {};
    value.remove_prefix(at + kKey.size());
    return ParseCredential(value.substr(0, value.find_first_of(", ")));
  }
  std::string_view encoded = QueryValue(request.query, "X-Amz-Credential");
  if (encoded.empty()) return {};
  std::string decoded;
  if (!PercentDecode(encoded, &decoded)) return {};
  return ParseCredential(decoded);
}

}  // namespace stratus::http
