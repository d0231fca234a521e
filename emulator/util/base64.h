// Base64 (RFC 4648, standard alphabet, padded), as AWS uses it in headers such as
// X-Amz-Log-Result, X-Amz-Client-Context and Lambda-Runtime-Function-Error-Body.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace stratus {

std::string Base64Encode(std::string_view data);
// nullopt for characters outside the alphabet or a bad length; padding is optional.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace stratus
