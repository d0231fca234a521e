// A small blocking HTTP/1.1 client for scenario steps: one request per connection to
// 127.0.0.1, Content-Length or chunked responses, a deadline for the whole exchange.
// Threading: any thread but the emulator's loop thread (it blocks).
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "emulator/util/status.h"

namespace stratus::harness {

struct HttpExchange {
  std::string method = "GET";
  std::string target = "/";  // path and query, already percent-encoded
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct HttpResult {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  // The first value of a header (lower-case name), or "".
  std::string Header(const std::string& lower_name) const;
};

// Sends `request` to 127.0.0.1:port and reads the response. Host and Content-Length are
// added. Errors: Unavailable when the connection fails, Timeout past `timeout`, Internal for
// a response that does not parse.
Result<HttpResult> SendHttp(int port, const HttpExchange& request,
                            std::chrono::milliseconds timeout);

}  // namespace stratus::harness
