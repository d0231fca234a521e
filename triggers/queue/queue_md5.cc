#include "triggers/queue/queue_md5.h"

#include <openssl/evp.h>

#include <cstdint>
#include <vector>

#include "emulator/util/base64.h"

namespace stratus::triggers::queue {
namespace {

std::string Digest(const EVP_MD* md, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), out, &length, md, nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[out[i] >> 4]);
    hex.push_back(kHex[out[i] & 15]);
  }
  return hex;
}

void AppendLengthPrefixed(std::string* out, std::string_view bytes) {
  auto n = static_cast<uint32_t>(bytes.size());
  out->push_back(static_cast<char>(n >> 24));
  out->push_back(static_cast<char>(n >> 16));
  out->push_back(static_cast<char>(n >> 8));
  out->push_back(static_cast<char>(n));
  out->append(bytes);
}

std::string StringOf(const nlohmann::json& value, const char* key) {
  auto it = value.find(key);
  return it != value.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::string Md5Hex(std::string_view data) { return Digest(EVP_md5(), data); }
std::string Sha256Hex(std::string_view data) { return Digest(EVP_sha256(), data); }

std::string Md5OfAttributes(const nlohmann::json& attributes) {
  if (!attributes.is_object() || attributes.empty()) return "";
  // nlohmann's object is a std::map: keys already iterate in byte order.
  std::string buffer;
  for (const auto& [name, value] : attributes.items()) {
    AppendLengthPrefixed(&buffer, name);
    AppendLengthPrefixed(&buffer, StringOf(value, "DataType"));
    if (value.contains("StringValue")) {
      buffer.push_back(1);
      AppendLengthPrefixed(&buffer, StringOf(value, "StringValue"));
    } else if (value.contains("BinaryValue")) {
      buffer.push_back(2);
      AppendLengthPrefixed(&buffer, Base64Decode(StringOf(value, "BinaryValue")).value_or(""));
    }
  }
  return Md5Hex(buffer);
}

}  // namespace stratus::triggers::queue
