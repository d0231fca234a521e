#include "tests/support/raw_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <cstring>

namespace stratus::testing {

std::string RawResponse::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

RawClient::RawClient(int port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd_ >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
}

RawClient::~RawClient() {
  if (fd_ >= 0) ::close(fd_);
}

void RawClient::Send(const std::string& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;  // the server may have closed; the test checks the response
    sent += static_cast<size_t>(n);
  }
}

void RawClient::ShutdownWrite() { ::shutdown(fd_, SHUT_WR); }

bool RawClient::Fill(std::chrono::steady_clock::time_point deadline) {
  if (eof_) return false;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) return false;
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
  char chunk[65536];
  ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
  if (n <= 0) {
    eof_ = true;
    return false;
  }
  buffer_.append(chunk, static_cast<size_t>(n));
  return true;
}

namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// Decodes a chunked body starting at `pos`; returns the end offset or npos if incomplete.
size_t DecodeChunked(const std::string& in, size_t pos, std::string* body) {
  while (true) {
    size_t line_end = in.find("\r\n", pos);
    if (line_end == std::string::npos) return std::string::npos;
    size_t size = std::stoul(in.substr(pos, line_end - pos), nullptr, 16);
    pos = line_end + 2;
    if (size == 0) {
      size_t end = in.find("\r\n", pos);  // no trailers expected from stratus
      return end == std::string::npos ? std::string::npos : end + 2;
    }
    if (in.size() < pos + size + 2) return std::string::npos;
    body->append(in, pos, size);
    pos += size + 2;
  }
}

}  // namespace

std::optional<RawResponse> RawClient::ParseOne(bool at_eof, bool head_request) {
  size_t head_end = buffer_.find("\r\n\r\n");
  if (head_end == std::string::npos) return std::nullopt;
  RawResponse r;
  std::string head = buffer_.substr(0, head_end);
  size_t line_end = head.find("\r\n");
  std::string status_line = head.substr(0, line_end);
  r.status = std::stoi(status_line.substr(9, 3));
  r.reason = status_line.size() > 13 ? status_line.substr(13) : "";
  size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
  while (pos < head.size()) {
    size_t end = head.find("\r\n", pos);
    if (end == std::string::npos) end = head.size();
    std::string line = head.substr(pos, end - pos);
    size_t colon = line.find(':');
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    r.headers.emplace(Lower(line.substr(0, colon)), value);
    pos = end + 2;
  }
  size_t body_start = head_end + 4;
  size_t consumed;
  if (head_request || r.status / 100 == 1 || r.status == 204 || r.status == 304) {
    consumed = body_start;
  } else if (Lower(r.Header("transfer-encoding")) == "chunked") {
    consumed = DecodeChunked(buffer_, body_start, &r.body);
    if (consumed == std::string::npos) return std::nullopt;
  } else if (!r.Header("content-length").empty()) {
    size_t length = std::stoul(r.Header("content-length"));
    if (buffer_.size() < body_start + length) return std::nullopt;
    r.body = buffer_.substr(body_start, length);
    consumed = body_start + length;
  } else {
    if (!at_eof) return std::nullopt;
    r.body = buffer_.substr(body_start);
    consumed = buffer_.size();
  }
  buffer_.erase(0, consumed);
  return r;
}

std::optional<RawResponse> RawClient::Read(std::chrono::milliseconds timeout,
                                           bool head_request) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (auto r = ParseOne(eof_, head_request)) return r;
    if (!Fill(deadline)) return ParseOne(true, head_request);
  }
}

bool RawClient::WaitClosed(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (Fill(deadline)) {
  }
  return eof_;
}

std::optional<RawResponse> RoundTrip(int port, const std::string& request) {
  RawClient client(port);
  client.Send(request);
  return client.Read();
}

}  // namespace stratus::testing
