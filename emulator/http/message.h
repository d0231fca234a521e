// HTTP requests and responses as stratus's handlers see them: plain structs, no Beast types,
// so that only the codec's translation unit pays Beast's compile time.
// Threading: loop thread only (BodyStream and BodySource callbacks run on the loop).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "emulator/util/status.h"

namespace stratus::http {

bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// Header fields in arrival order; names compare case-insensitively, repeated names are kept.
class Headers {
 public:
  using Field = std::pair<std::string, std::string>;

  // The first value of `name`, or nullopt.
  std::optional<std::string_view> Get(std::string_view name) const;
  std::vector<std::string_view> GetAll(std::string_view name) const;
  bool Has(std::string_view name) const { return Get(name).has_value(); }
  void Add(std::string name, std::string value) { fields_.emplace_back(std::move(name), std::move(value)); }
  // Replaces every field named `name` with one.
  void Set(std::string_view name, std::string value);
  void Remove(std::string_view name);
  size_t size() const { return fields_.size(); }
  auto begin() const { return fields_.begin(); }
  auto end() const { return fields_.end(); }

 private:
  std::vector<Field> fields_;
};

// The body of a request routed in streaming mode, handed to the handler as soon as the header
// is parsed. The handler sets the callbacks before returning. OnData chunks are only valid
// during the call. Pause() stops reading from the socket (back-pressure while the handler
// writes a chunk to disk); Resume() restarts it. OnEnd runs once: OK when the whole body
// arrived, an error when the client went away, sent a malformed body or exceeded the limit.
class BodyStream {
 public:
  using DataFn = std::function<void(std::string_view chunk)>;
  using EndFn = std::function<void(Status)>;

  void OnData(DataFn fn) { on_data_ = std::move(fn); }
  void OnEnd(EndFn fn) { on_end_ = std::move(fn); }
  // Trailer fields of a chunked body; complete when OnEnd runs with OK.
  const Headers& trailers() const { return trailers_; }
  void SetTrailers(Headers trailers) { trailers_ = std::move(trailers); }
  void Pause() { paused_ = true; }
  void Resume();
  bool paused() const { return paused_; }
  bool ended() const { return ended_; }

  // Called by the connection.
  void Deliver(std::string_view chunk) {
    if (on_data_) on_data_(chunk);
  }
  void End(Status status);
  void SetResumeHook(std::function<void()> hook) { resume_hook_ = std::move(hook); }

 private:
  DataFn on_data_;
  EndFn on_end_;
  std::function<void()> resume_hook_;
  Headers trailers_;
  bool paused_ = false;
  bool ended_ = false;
};

struct Request {
  std::string method;  // as sent: GET, POST, ...
  std::string target;  // the raw request-target
  std::string path;    // target up to '?', still percent-encoded
  std::string query;   // after '?', raw, without the '?'
  int version = 11;    // 10 or 11
  Headers headers;     // chunked trailers are appended here too
  std::string body;    // buffered mode only
  std::shared_ptr<BodyStream> body_stream;  // streaming mode only
  std::map<std::string, std::string> params;  // path parameters, percent-decoded
  std::string remote_address;
  bool keep_alive = true;
};
using RequestPtr = std::shared_ptr<Request>;

// Produces a response body piece by piece. Pull(cb) is called when the connection can take
// more; it calls cb(chunk, last) exactly once (possibly later, on the loop). An error ends
// the connection without completing the body.
class BodySource {
 public:
  using ChunkFn = std::function<void(Result<std::string> chunk, bool last)>;
  virtual ~BodySource() = default;
  virtual void Pull(ChunkFn cb) = 0;
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;
  // For a streamed body: the source, and its length when known (else chunked encoding).
  std::shared_ptr<BodySource> body_source;
  std::optional<uint64_t> content_length;
  // HEAD answers: send the headers (Content-Length included) but no body.
  bool omit_body = false;

  static Response Json(int status, std::string json);
  static Response Text(int status, std::string text, std::string content_type = "text/plain");
};

std::string_view ReasonPhrase(int status);

}  // namespace stratus::http
