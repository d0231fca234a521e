// A streaming multipart/form-data parser (RFC 7578 over RFC 2046 §5.1) for S3's POST Object.
// Bytes arrive in chunks of any size, so a boundary may straddle two chunks. Fields are
// buffered (S3 caps everything before the file at kMaxPreFileBytes); the part named `file`
// is handed out piece by piece as it streams; parts after it are parsed for well-formedness
// and dropped, as S3 ignores them. Field names compare case-insensitively, as S3's do.
// FileRelay carries the file to IngestBody. Threading: an instance belongs to one thread (the
// loop); callbacks run inside Feed/Finish.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "emulator/http/message.h"
#include "emulator/util/status.h"

namespace stratus::triggers::objects {

// "The form data and boundaries (excluding the contents of the file) cannot exceed 20 KB";
// S3's MaxPostPreDataLengthExceeded answer names 20480.
inline constexpr size_t kMaxPreFileBytes = 20480;

// The boundary of a `multipart/form-data; boundary=...` Content-Type. nullopt when the type is
// not multipart/form-data; "" when it is but has no usable boundary (1-70 characters).
std::optional<std::string> FormBoundary(std::string_view content_type);

struct FormField {
  std::string name;  // as sent
  std::string value;
};

struct FilePart {
  std::optional<std::string> filename;  // absent when the part has no filename parameter
  std::string content_type;
};

class FormParser {
 public:
  struct Callbacks {
    // The file part's headers were read; every field before it has been delivered.
    std::function<void(const FilePart&)> on_file;
    std::function<void(std::string_view)> on_file_data;
    std::function<void()> on_file_end;
  };

  FormParser(std::string boundary, Callbacks callbacks);

  // InvalidArgument for a body that is not well-formed multipart/form-data; ResourceExhausted
  // when the bytes before the file exceed kMaxPreFileBytes. After an error, Feed ignores input.
  Status Feed(std::string_view data);
  // At the body's end: InvalidArgument unless the closing delimiter was seen.
  Status Finish();

  // The fields sent before the file (all of them when there is no file).
  const std::vector<FormField>& fields() const { return fields_; }
  bool saw_file() const { return file_state_ != FileState::kNone; }

 private:
  enum class State { kPreamble, kAfterDelimiter, kHeaders, kBody, kEpilogue };
  enum class FileState { kNone, kStreaming, kDone };
  enum class PartKind { kField, kFile, kIgnored };

  Status Step(bool* progressed);
  Status AfterDelimiter(bool* progressed);
  Status Headers(bool* progressed);
  Status Body(bool* progressed);
  Status CountPreFile(size_t bytes);
  void EmitBody(std::string_view data);
  void EndPart();
  Status Fail(Status status);

  std::string delimiter_;  // CRLF "--" boundary
  Callbacks callbacks_;
  std::string buffer_;
  State state_ = State::kPreamble;
  FileState file_state_ = FileState::kNone;
  PartKind part_kind_ = PartKind::kIgnored;
  std::vector<FormField> fields_;
  size_t pre_file_bytes_ = 0;
  Status error_;
};

// The file part as a BodyStream of its own, for IngestBody. Its Pause pauses the request's
// stream and its Resume resumes it, so the disk's back-pressure reaches the socket. Once it has
// ended (file complete or refused) the request's stream is resumed for good: what follows the
// file is only parsed and dropped.
class FileRelay {
 public:
  explicit FileRelay(std::weak_ptr<http::BodyStream> request);
  const std::shared_ptr<http::BodyStream>& stream() const { return stream_; }
  bool ended() const { return stream_->ended(); }
  // No-ops once ended.
  void Deliver(std::string_view data);
  void End(Status status);

 private:
  std::weak_ptr<http::BodyStream> request_;
  std::shared_ptr<http::BodyStream> stream_ = std::make_shared<http::BodyStream>();
};

// The parameters of a Content-Disposition value (`form-data; name="a"; filename="b"`), names
// lower-cased; the first item (the disposition type) under "". Quoted strings are unescaped.
std::vector<std::pair<std::string, std::string>> ParseDisposition(std::string_view value);

}  // namespace stratus::triggers::objects
