// AwsChunkedDecoder: decodes `Content-Encoding: aws-chunked` bodies as they stream in, the
// framing SDKs use for STREAMING-AWS4-HMAC-SHA256-PAYLOAD (each chunk carries a
// ;chunk-signature=...) and STREAMING-UNSIGNED-PAYLOAD-TRAILER (the checksum comes as a
// trailer after the last chunk, e.g. x-amz-checksum-crc32:BASE64). Chunk signatures are not
// verified, as stratus verifies no signature. Threading: one thread.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "emulator/http/message.h"
#include "emulator/util/status.h"

namespace stratus::triggers::objects {

// True when the request's body is aws-chunked: x-amz-content-sha256 names a STREAMING-*
// payload or Content-Encoding lists aws-chunked.
bool IsAwsChunked(const http::Request& request);

class AwsChunkedDecoder {
 public:
  using DataFn = std::function<void(std::string_view)>;
  explicit AwsChunkedDecoder(DataFn on_data) : on_data_(std::move(on_data)) {}

  // Feeds raw body bytes; decoded data goes to on_data. InvalidArgument on malformed framing
  // (the decoder is then failed for good).
  Status Feed(std::string_view bytes);
  // OK when the body ended exactly after the final chunk and its trailers.
  Status Finish() const;
  // Trailer fields, names lower-cased.
  const std::map<std::string, std::string>& trailers() const { return trailers_; }

 private:
  enum class State { kSize, kData, kDataEnd, kTrailer, kDone, kFailed };
  Status ParseSizeLine(std::string_view line);
  Status ParseTrailerLine(std::string_view line);
  Status Fail(std::string why);

  DataFn on_data_;
  State state_ = State::kSize;
  std::string line_;  // a header or trailer line being gathered
  uint64_t remaining_ = 0;
  std::map<std::string, std::string> trailers_;
};

}  // namespace stratus::triggers::objects
