// Digests SQS computes and SDKs verify: MD5OfMessageBody, MD5OfMessageAttributes (and
// MD5OfMessageSystemAttributes, same algorithm), and the SHA-256 that content-based
// deduplication uses. Pure functions; no threading rule.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace stratus::triggers::queue {

// Lower-case hex MD5 of `data`.
std::string Md5Hex(std::string_view data);
// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

// The MD5 SQS reports for message attributes given in the JSON protocol's shape
// ({"name": {"DataType": "String", "StringValue": "v"}}, BinaryValue base64): for each
// attribute in byte order of its name, the 4-byte big-endian length and bytes of the name,
// of the data type, then one transport byte (1 string, 2 binary) and the length-prefixed
// value. Empty for no attributes. Values are assumed validated (binary already base64).
std::string Md5OfAttributes(const nlohmann::json& attributes);

}  // namespace stratus::triggers::queue
