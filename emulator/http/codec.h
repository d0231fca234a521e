// The HTTP/1.1 codec: Boost.Beast's request parser and serializer, fed from libuv buffers.
// This header and codec.cc are the only places that know Beast; everything else sees
// stratus::http::Request and Response. No Asio sockets or io_context are involved.
// Threading: a decoder belongs to one connection on the loop thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "emulator/http/message.h"

namespace stratus::http {

// Parses one request message (make a new decoder per message).
class RequestDecoder {
 public:
  enum class State {
    kNeedMore,     // feed more bytes
    kHeaderDone,   // request() has method, target and headers; set the body mode now
    kMessageDone,  // the whole message (body and trailers) has been read
    kError,        // error_status() / error_message() say what; the connection must close
  };

  explicit RequestDecoder(size_t header_limit);
  ~RequestDecoder();
  RequestDecoder(const RequestDecoder&) = delete;
  RequestDecoder& operator=(const RequestDecoder&) = delete;

  // Consumes a prefix of `data` and reports how far the message got. Bytes not consumed
  // (a partial header, or the next pipelined message) must be fed again later.
  size_t Feed(std::string_view data, State* state);

  // Call after kHeaderDone, before feeding the body. A body longer than `limit` ends in
  // kError with status 413. With a sink, body bytes go to it instead of request().body.
  void SetBodyLimit(uint64_t limit);
  void SetBodySink(std::function<void(std::string_view)> sink);

  Request& request();
  bool header_done() const;
  bool has_body() const;  // content-length > 0 or chunked
  std::optional<uint64_t> content_length() const;
  bool got_some() const;   // any byte of this message was consumed
  bool keep_alive() const;  // per the version and the Connection header
  int error_status() const { return error_status_; }
  const std::string& error_message() const { return error_message_; }

 private:
  class Parser;
  std::unique_ptr<Parser> parser_;
  int error_status_ = 0;
  std::string error_message_;
};

// Serializes the status line and header fields of `response`, adding Content-Length (or
// Transfer-Encoding: chunked when a streamed body has no known length), Date-less, and
// Connection: close when !keep_alive. The body is not included.
std::string SerializeResponseHead(const Response& response, int version, bool keep_alive);

// Whether SerializeResponseHead chose chunked encoding for this response.
bool UsesChunkedEncoding(const Response& response);

// Frames one chunk of a chunked body ("" gives the last-chunk marker).
std::string FrameChunk(std::string_view data);

}  // namespace stratus::http
