#include "emulator/harness/http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>

namespace stratus::harness {

namespace {

using Deadline = std::chrono::steady_clock::time_point;

class Socket {
 public:
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Status Connect(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return Status::Unavailable(std::string("socket: ") + std::strerror(errno));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      return Status::Unavailable("cannot connect to 127.0.0.1:" + std::to_string(port) + ": " +
                                 std::strerror(errno));
    }
    return Status::Ok();
  }
  Status SendAll(const std::string& bytes) {
    size_t sent = 0;
    while (sent < bytes.size()) {
      ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return Status::Unavailable("the connection closed while sending the request");
      sent += static_cast<size_t>(n);
    }
    return Status::Ok();
  }
  // Appends what arrives to *buffer; false at EOF. Timeout past the deadline.
  Result<bool> Receive(std::string* buffer, Deadline deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fd_, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
      return Status::Timeout("no complete response in time");
    }
    char chunk[65536];
    ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (n <= 0) return false;
    buffer->append(chunk, static_cast<size_t>(n));
    return true;
  }

 private:
  int fd_ = -1;
};

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// Decodes a chunked body from `in` at `pos`; nullopt until it is complete.
std::optional<std::string> Dechunk(const std::string& in, size_t pos) {
  std::string body;
  while (true) {
    size_t eol = in.find("\r\n", pos);
    if (eol == std::string::npos) return std::nullopt;
    size_t size = std::strtoul(in.substr(pos, eol - pos).c_str(), nullptr, 16);
    pos = eol + 2;
    if (size == 0) return in.find("\r\n\r\n", pos - 2) == std::string::npos ? std::nullopt
                                                                          : std::optional(body);
    if (in.size() < pos + size + 2) return std::nullopt;
    body.append(in, pos, size);
    pos += size + 2;
  }
}

// The response in `in`, once whole (at_eof: the server closed the connection).
Result<std::optional<HttpResult>> Parse(const std::string& in, bool at_eof, bool head) {
  size_t head_end = in.find("\r\n\r\n");
  if (head_end == std::string::npos) {
    if (at_eof) return Status::Internal("the connection closed before a response arrived");
    return std::optional<HttpResult>();
  }
  HttpResult r;
  if (in.compare(0, 5, "HTTP/") != 0 || head_end < 12) return Status::Internal("not an HTTP response");
  r.status = std::atoi(in.c_str() + 9);
  size_t pos = in.find("\r\n") + 2;
  while (pos < head_end + 2) {
    size_t eol = in.find("\r\n", pos);
    std::string line = in.substr(pos, eol - pos);
    size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(" \t"));
      r.headers.emplace_back(Lower(line.substr(0, colon)), value);
    }
    pos = eol + 2;
  }
  size_t body_at = head_end + 4;
  if (head || r.status == 204 || r.status == 304 || r.status / 100 == 1) return std::optional(r);
  if (Lower(r.Header("transfer-encoding")) == "chunked") {
    auto body = Dechunk(in, body_at);
    if (!body) {
      if (at_eof) return Status::Internal("the connection closed mid-body");
      return std::optional<HttpResult>();
    }
    r.body = std::move(*body);
    return std::optional(r);
  }
  std::string length = r.Header("content-length");
  if (length.empty()) {
    if (!at_eof) return std::optional<HttpResult>();
    r.body = in.substr(body_at);
    return std::optional(r);
  }
  size_t want = std::strtoull(length.c_str(), nullptr, 10);
  if (in.size() < body_at + want) {
    if (at_eof) return Status::Internal("the connection closed mid-body");
    return std::optional<HttpResult>();
  }
  r.body = in.substr(body_at, want);
  return std::optional(r);
}

}  // namespace

std::string HttpResult::Header(const std::string& lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return "";
}

Result<HttpResult> SendHttp(int port, const HttpExchange& request,
                            std::chrono::milliseconds timeout) {
  Deadline deadline = std::chrono::steady_clock::now() + timeout;
  Socket socket;
  STRATUS_RETURN_IF_ERROR(socket.Connect(port));
  std::string bytes = request.method + " " + request.target + " HTTP/1.1\r\n";
  bytes += "Host: 127.0.0.1:" + std::to_string(port) + "\r\nConnection: close\r\n";
  for (const auto& [name, value] : request.headers) bytes += name + ": " + value + "\r\n";
  bytes += "Content-Length: " + std::to_string(request.body.size()) + "\r\n\r\n" + request.body;
  STRATUS_RETURN_IF_ERROR(socket.SendAll(bytes));
  std::string in;
  bool head = request.method == "HEAD";
  while (true) {
    auto more = socket.Receive(&in, deadline);
    if (!more.ok()) return more.status();
    auto parsed = Parse(in, !*more, head);
    if (!parsed.ok()) return parsed.status();
    if (parsed->has_value()) return std::move(**parsed);
  }
}

}  // namespace stratus::harness
