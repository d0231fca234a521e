#include "triggers/objects/objects_checks.h"

#include <algorithm>

#include "emulator/util/base64.h"
#include "triggers/objects/objects_chunked.h"

namespace stratus::triggers::objects {
namespace {

void AddOnce(std::vector<ChecksumAlgorithm>* out, ChecksumAlgorithm a) {
  if (std::find(out->begin(), out->end(), a) == out->end()) out->push_back(a);
}

}  // namespace

bool ChecksumsRequested(const http::Request& request, std::vector<ChecksumAlgorithm>* out,
                        S3Error* error) {
  for (ChecksumAlgorithm a : AllChecksumAlgorithms()) {
    if (request.headers.Has(ChecksumHeader(a))) AddOnce(out, a);
  }
  for (const char* header : {"x-amz-sdk-checksum-algorithm", "x-amz-checksum-algorithm"}) {
    auto value = request.headers.Get(header);
    if (!value) continue;
    auto a = ParseChecksumAlgorithm(*value);
    if (!a) {
      *error = errors::InvalidRequest("Value for " + std::string(header) + " header is invalid.");
      return false;
    }
    AddOnce(out, *a);
  }
  if (auto trailer = request.headers.Get("x-amz-trailer")) {
    std::string name(*trailer);
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    bool known = false;
    for (ChecksumAlgorithm a : AllChecksumAlgorithms()) {
      if (name == ChecksumHeader(a)) {
        AddOnce(out, a);
        known = true;
      }
    }
    if (!known) {
      *error = errors::InvalidRequest("The value specified in the x-amz-trailer header is not supported");
      return false;
    }
  }
  return true;
}

bool VerifyBody(const http::Request& request, const IngestResult& body,
                std::vector<std::pair<std::string, std::string>>* stored, S3Error* error) {
  if (IsAwsChunked(request)) {
    int64_t declared = DeclaredSize(request);
    if (declared >= 0 && uint64_t(declared) != body.digests.size) {
      *error = errors::IncompleteBody(
          "The decoded body length " + std::to_string(body.digests.size) +
          " does not match x-amz-decoded-content-length " + std::to_string(declared));
      return false;
    }
  }
  if (auto md5 = request.headers.Get("Content-MD5")) {
    auto raw = Base64Decode(*md5);
    if (!raw || raw->size() != 16) {
      *error = errors::InvalidDigest();
      return false;
    }
    if (*raw != body.digests.md5) {
      *error = errors::BadDigest("The Content-MD5 you specified did not match what we received.")
                   .With("ExpectedDigest", std::string(*md5))
                   .With("CalculatedDigest", Base64Encode(body.digests.md5));
      return false;
    }
  }
  for (const auto& [algorithm, raw] : body.digests.checksums) {
    std::string header = ChecksumHeader(algorithm);
    std::string computed = Base64Encode(raw);
    std::string expected;
    if (auto value = request.headers.Get(header)) {
      expected = std::string(*value);
    } else if (auto it = body.trailers.find(header); it != body.trailers.end()) {
      expected = it->second;
    }
    if (!expected.empty() && expected != computed) {
      *error = errors::BadDigest("The " + std::string(ChecksumName(algorithm)) +
                                 " you specified did not match the calculated checksum.");
      return false;
    }
    stored->emplace_back(header, computed);
  }
  return true;
}

int64_t DeclaredSize(const http::Request& request) {
  auto header = request.headers.Get(IsAwsChunked(request) ? "x-amz-decoded-content-length"
                                                          : "Content-Length");
  if (!header || header->empty() || header->size() > 19 ||
      header->find_first_not_of("0123456789") != std::string_view::npos) {
    return -1;
  }
  return std::stoll(std::string(*header));
}

}  // namespace stratus::triggers::objects
