#include "triggers/objects/objects_chunked.h"

#include <algorithm>
#include <cctype>

namespace stratus::triggers::objects {
namespace {
constexpr size_t kMaxLine = 4096;
constexpr uint64_t kMaxChunk = uint64_t(1) << 34;

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}
}  // namespace

bool IsAwsChunked(const http::Request& request) {
  auto sha = request.headers.Get("x-amz-content-sha256");
  if (sha && sha->substr(0, 10) == "STREAMING-") return true;
  auto encoding = request.headers.Get("Content-Encoding");
  return encoding && encoding->find("aws-chunked") != std::string_view::npos;
}

Status AwsChunkedDecoder::Fail(std::string why) {
  state_ = State::kFailed;
  return Status::InvalidArgument("aws-chunked body: " + why);
}

Status AwsChunkedDecoder::ParseSizeLine(std::string_view line) {
  std::string_view size = line.substr(0, line.find(';'));
  if (size.empty() || size.size() > 12) return Fail("bad chunk size line");
  uint64_t n = 0;
  for (char c : size) {
    int d = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
            : (c >= 'a' && c <= 'f')                  ? c - 'a' + 10
            : (c >= 'A' && c <= 'F')                  ? c - 'A' + 10
                                                      : -1;
    if (d < 0) return Fail("bad chunk size '" + std::string(size) + "'");
    n = n * 16 + uint64_t(d);
  }
  if (n > kMaxChunk) return Fail("chunk too large");
  remaining_ = n;
  state_ = n == 0 ? State::kTrailer : State::kData;
  return Status::Ok();
}

Status AwsChunkedDecoder::ParseTrailerLine(std::string_view line) {
  if (line.empty()) {
    state_ = State::kDone;
    return Status::Ok();
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return Fail("bad trailer line");
  std::string name;
  for (char c : line.substr(0, colon)) name += static_cast<char>(std::tolower(c));
  trailers_[Trim(name)] = Trim(line.substr(colon + 1));
  return Status::Ok();
}

Status AwsChunkedDecoder::Feed(std::string_view bytes) {
  while (!bytes.empty()) {
    switch (state_) {
      case State::kFailed:
        return Status::InvalidArgument("aws-chunked body: malformed");
      case State::kDone:
        return Fail("data after the final chunk");
      case State::kData: {
        size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, bytes.size()));
        on_data_(bytes.substr(0, n));
        bytes.remove_prefix(n);
        remaining_ -= n;
        if (remaining_ == 0) state_ = State::kDataEnd;
        break;
      }
      case State::kDataEnd:
      case State::kSize:
      case State::kTrailer: {
        size_t nl = bytes.find('\n');
        line_.append(bytes.substr(0, nl == std::string_view::npos ? bytes.size() : nl));
        if (line_.size() > kMaxLine) return Fail("line too long");
        if (nl == std::string_view::npos) return Status::Ok();
        bytes.remove_prefix(nl + 1);
        if (line_.empty() || line_.back() != '\r') return Fail("line not ended by CRLF");
        line_.pop_back();
        std::string line = std::move(line_);
        line_.clear();
        if (state_ == State::kDataEnd) {
          if (!line.empty()) return Fail("chunk data longer than its size");
          state_ = State::kSize;
        } else if (state_ == State::kSize) {
          STRATUS_RETURN_IF_ERROR(ParseSizeLine(line));
        } else {
          STRATUS_RETURN_IF_ERROR(ParseTrailerLine(line));
        }
        break;
      }
    }
  }
  return Status::Ok();
}

Status AwsChunkedDecoder::Finish() const {
  if (state_ == State::kDone) return Status::Ok();
  // Some encoders end right after the zero chunk's CRLF with no trailer section at all.
  if (state_ == State::kTrailer && line_.empty() && trailers_.empty()) return Status::Ok();
  return Status::InvalidArgument("aws-chunked body ended before its final chunk");
}

}  // namespace stratus::triggers::objects
