// RawClient: a blocking TCP client for tests that must send exact bytes (malformed requests,
// pipelining, slow clients) and read exact responses. Loopback only.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>

namespace stratus::testing {

struct RawResponse {
  int status = 0;
  std::string reason;
  std::multimap<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string Header(const std::string& lower_name) const;
};

class RawClient {
 public:
  // Connects to 127.0.0.1:port; fails the test on error.
  explicit RawClient(int port);
  ~RawClient();

  void Send(const std::string& bytes);
  // Shuts down the sending side (the server sees EOF).
  void ShutdownWrite();
  // Reads one response (Content-Length, chunked, or to EOF). nullopt if the connection
  // closed (or the timeout passed) before a whole response arrived.
  // A response to HEAD has no body whatever its Content-Length says: pass head_request.
  std::optional<RawResponse> Read(std::chrono::milliseconds timeout = std::chrono::seconds(10),
                                  bool head_request = false);
  // True when the server closed the connection with nothing more to read.
  bool WaitClosed(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Bytes received but not yet returned by Read.
  const std::string& buffered() const { return buffer_; }

 private:
  bool Fill(std::chrono::steady_clock::time_point deadline);
  std::optional<RawResponse> ParseOne(bool at_eof, bool head_request);

  int fd_ = -1;
  std::string buffer_;
  bool eof_ = false;
};

// Sends one request on a new connection and reads its response.
std::optional<RawResponse> RoundTrip(int port, const std::string& request);

}  // namespace stratus::testing
