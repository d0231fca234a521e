#include "triggers/objects/objects_checksums.h"

#include <openssl/evp.h>
#include <zlib.h>

#include <array>
#include <cassert>
#include <cctype>

namespace stratus::triggers::objects {
namespace {

// Slicing-by-8 tables for the reflected Castagnoli polynomial.
struct Crc32cTables {
  std::array<std::array<uint32_t, 256>, 8> t{};
  Crc32cTables() {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t crc = i;
      for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
      t[0][i] = crc;
    }
    for (uint32_t i = 0; i < 256; ++i) {
      for (int s = 1; s < 8; ++s) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xFF];
    }
  }
};

const Crc32cTables& Tables() {
  static const Crc32cTables tables;
  return tables;
}

std::string BigEndian32(uint32_t v) {
  return std::string{static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                     static_cast<char>(v >> 8), static_cast<char>(v)};
}

// OpenSSL 3 looks EVP_md5() and its kin up again at every init (a lock and a table lookup,
// ~0.7 us, on every PUT): fetched once, each method serves every body. Kept for the process.
const EVP_MD* Fetched(const char* name) {
  const EVP_MD* md = EVP_MD_fetch(nullptr, name, nullptr);
  assert(md && "OpenSSL's default provider has MD5, SHA1 and SHA256");
  return md;
}

const EVP_MD* Md5() {
  static const EVP_MD* md = Fetched("MD5");
  return md;
}

const EVP_MD* DigestFor(ChecksumAlgorithm algorithm) {
  static const EVP_MD* sha1 = Fetched("SHA1");
  static const EVP_MD* sha256 = Fetched("SHA256");
  return algorithm == ChecksumAlgorithm::kSha1 ? sha1 : sha256;
}

std::string FinalDigest(EVP_MD_CTX* ctx) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

}  // namespace

uint32_t Crc32c(uint32_t crc, const void* data, size_t size) {
  const auto& t = Tables().t;
  const auto* p = static_cast<const unsigned char*>(data);
  crc = ~crc;
  while (size >= 8) {
    uint32_t lo = crc ^ (uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 |
                         uint32_t(p[3]) << 24);
    crc = t[7][lo & 0xFF] ^ t[6][(lo >> 8) & 0xFF] ^ t[5][(lo >> 16) & 0xFF] ^ t[4][lo >> 24] ^
          t[3][p[4]] ^ t[2][p[5]] ^ t[1][p[6]] ^ t[0][p[7]];
    p += 8;
    size -= 8;
  }
  while (size-- > 0) crc = (crc >> 8) ^ t[0][(crc ^ *p++) & 0xFF];
  return ~crc;
}

std::optional<ChecksumAlgorithm> ParseChecksumAlgorithm(std::string_view name) {
  std::string upper;
  for (char c : name) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (ChecksumAlgorithm a : AllChecksumAlgorithms()) {
    if (ChecksumName(a) == upper) return a;
  }
  return std::nullopt;
}

std::string_view ChecksumName(ChecksumAlgorithm algorithm) {
  switch (algorithm) {
    case ChecksumAlgorithm::kCrc32: return "CRC32";
    case ChecksumAlgorithm::kCrc32c: return "CRC32C";
    case ChecksumAlgorithm::kSha1: return "SHA1";
    case ChecksumAlgorithm::kSha256: return "SHA256";
  }
  return "CRC32";
}

std::string ChecksumHeader(ChecksumAlgorithm algorithm) {
  std::string name = "x-amz-checksum-";
  for (char c : ChecksumName(algorithm)) name += static_cast<char>(std::tolower(c));
  return name;
}

const std::vector<ChecksumAlgorithm>& AllChecksumAlgorithms() {
  static const std::vector<ChecksumAlgorithm> all = {
      ChecksumAlgorithm::kCrc32, ChecksumAlgorithm::kCrc32c, ChecksumAlgorithm::kSha1,
      ChecksumAlgorithm::kSha256};
  return all;
}

struct BodyHasher::State {
  EVP_MD_CTX* md5 = nullptr;
  std::vector<ChecksumAlgorithm> algorithms;
  std::map<ChecksumAlgorithm, EVP_MD_CTX*> digests;
  uLong crc32 = 0;
  uint32_t crc32c = 0;
  uint64_t size = 0;
};

BodyHasher::BodyHasher(std::vector<ChecksumAlgorithm> algorithms) : state_(new State) {
  state_->md5 = EVP_MD_CTX_new();
  EVP_DigestInit_ex(state_->md5, Md5(), nullptr);
  state_->crc32 = ::crc32(0, nullptr, 0);
  for (ChecksumAlgorithm a : algorithms) {
    if (a == ChecksumAlgorithm::kSha1 || a == ChecksumAlgorithm::kSha256) {
      EVP_MD_CTX* ctx = EVP_MD_CTX_new();
      EVP_DigestInit_ex(ctx, DigestFor(a), nullptr);
      state_->digests[a] = ctx;
    }
  }
  state_->algorithms = std::move(algorithms);
}

BodyHasher::~BodyHasher() {
  EVP_MD_CTX_free(state_->md5);
  for (auto& [a, ctx] : state_->digests) EVP_MD_CTX_free(ctx);
}

void BodyHasher::Update(std::string_view data) {
  State& s = *state_;
  s.size += data.size();
  EVP_DigestUpdate(s.md5, data.data(), data.size());
  for (ChecksumAlgorithm a : s.algorithms) {
    switch (a) {
      case ChecksumAlgorithm::kCrc32: {
        // zlib takes a uInt length: feed huge views in slices.
        std::string_view rest = data;
        while (!rest.empty()) {
          size_t n = std::min<size_t>(rest.size(), 1u << 30);
          s.crc32 = ::crc32(s.crc32, reinterpret_cast<const Bytef*>(rest.data()), uInt(n));
          rest.remove_prefix(n);
        }
        break;
      }
      case ChecksumAlgorithm::kCrc32c: s.crc32c = Crc32c(s.crc32c, data.data(), data.size()); break;
      case ChecksumAlgorithm::kSha1:
      case ChecksumAlgorithm::kSha256: EVP_DigestUpdate(s.digests[a], data.data(), data.size()); break;
    }
  }
}

Digests BodyHasher::Finish() {
  State& s = *state_;
  Digests out;
  out.size = s.size;
  out.md5 = FinalDigest(s.md5);
  for (ChecksumAlgorithm a : s.algorithms) {
    switch (a) {
      case ChecksumAlgorithm::kCrc32: out.checksums[a] = BigEndian32(uint32_t(s.crc32)); break;
      case ChecksumAlgorithm::kCrc32c: out.checksums[a] = BigEndian32(s.crc32c); break;
      case ChecksumAlgorithm::kSha1:
      case ChecksumAlgorithm::kSha256: out.checksums[a] = FinalDigest(s.digests[a]); break;
    }
  }
  return out;
}

std::string Digests::Md5Hex() const { return HexEncode(md5); }

std::string ChecksumOf(ChecksumAlgorithm algorithm, std::string_view data) {
  BodyHasher hasher({algorithm});
  hasher.Update(data);
  return hasher.Finish().checksums[algorithm];
}

std::string Md5(std::string_view data) {
  BodyHasher hasher;
  hasher.Update(data);
  return hasher.Finish().md5;
}

std::string HexEncode(std::string_view raw) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(raw.size() * 2);
  for (unsigned char c : raw) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

std::optional<std::string> HexDecode(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  auto value = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = value(hex[i]), lo = value(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

}  // namespace stratus::triggers::objects
