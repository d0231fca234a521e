// Body digests computed in one pass while a body streams: MD5 (the ETag) always, plus any
// checksum the client asked for (x-amz-checksum-crc32 / crc32c / sha1 / sha256), as current
// SDKs send and verify CRC32 by default. Threading: a hasher belongs to one thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stratus::triggers::objects {

enum class ChecksumAlgorithm { kCrc32, kCrc32c, kSha1, kSha256 };

// "CRC32" -> kCrc32 etc. (case-insensitive); nullopt for anything else.
std::optional<ChecksumAlgorithm> ParseChecksumAlgorithm(std::string_view name);
// "CRC32", "CRC32C", "SHA1", "SHA256".
std::string_view ChecksumName(ChecksumAlgorithm algorithm);
// "x-amz-checksum-crc32", ...
std::string ChecksumHeader(ChecksumAlgorithm algorithm);
const std::vector<ChecksumAlgorithm>& AllChecksumAlgorithms();

// CRC-32C (Castagnoli), continuing from `crc` (0 to start).
uint32_t Crc32c(uint32_t crc, const void* data, size_t size);

struct Digests {
  std::string md5;  // raw 16 bytes
  std::map<ChecksumAlgorithm, std::string> checksums;  // raw digest bytes
  uint64_t size = 0;

  std::string Md5Hex() const;
};

class BodyHasher {
 public:
  explicit BodyHasher(std::vector<ChecksumAlgorithm> algorithms = {});
  ~BodyHasher();
  BodyHasher(const BodyHasher&) = delete;
  BodyHasher& operator=(const BodyHasher&) = delete;

  void Update(std::string_view data);
  // The digests of everything given to Update; the hasher is spent afterwards.
  Digests Finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Raw digest of `data` with one algorithm (composite multipart checksums hash the parts'
// raw checksums).
std::string ChecksumOf(ChecksumAlgorithm algorithm, std::string_view data);
std::string Md5(std::string_view data);
std::string HexEncode(std::string_view raw);
// nullopt unless exactly 2*n hex digits.
std::optional<std::string> HexDecode(std::string_view hex);

}  // namespace stratus::triggers::objects
