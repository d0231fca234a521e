// stratus/lambda_runtime.h: a header-only Lambda Runtime API client for C++17
// functions run by stratus (or by AWS as a `provided` custom runtime).
//
//   int main() { return stratus::lambda::Run(MyHandler); }
//
// Run() takes events from GET /2018-06-01/runtime/invocation/next one at a time,
// calls the handler on the calling thread, and posts its Response to
// .../response or .../error. It returns only when the Runtime API is gone or
// misbehaves (the return value is then a process exit code, 1); the process is
// meant to exit then, as AWS's clients do. Single-threaded: call Run() once.
//
// Dependencies: POSIX sockets and the standard library. The connection is one
// keep-alive TCP socket; /next blocks with no timeout (it is a long poll).

#ifndef STRATUS_LAMBDA_RUNTIME_H_
#define STRATUS_LAMBDA_RUNTIME_H_

#include <cxxabi.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <functional>
#include <map>
#include <string>
#include <typeinfo>
#include <utility>

namespace stratus::lambda {

// One event, as /next delivered it. Empty strings for headers that were absent.
struct Invocation {
  std::string payload;           // the event body (JSON)
  std::string request_id;        // Lambda-Runtime-Aws-Request-Id
  std::int64_t deadline_ms = 0;  // Lambda-Runtime-Deadline-Ms, epoch milliseconds
  std::string function_arn;      // Lambda-Runtime-Invoked-Function-Arn
  std::string trace_id;          // Lambda-Runtime-Trace-Id (also put in _X_AMZN_TRACE_ID)
  std::string client_context;    // Lambda-Runtime-Client-Context (JSON)
  std::string cognito_identity;  // Lambda-Runtime-Cognito-Identity (JSON)

  // Milliseconds until the deadline; negative once it has passed.
  std::int64_t remaining_ms() const {
    using namespace std::chrono;
    auto now = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
    return deadline_ms - static_cast<std::int64_t>(now);
  }
};

// What a handler returns: a body to post to /response, or an error for /error.
class Response {
 public:
  static Response Success(std::string json, std::string content_type = "application/json") {
    return Response(true, std::move(json), std::move(content_type), {});
  }
  static Response Failure(std::string error_type, std::string error_message) {
    return Response(false, std::move(error_message), {}, std::move(error_type));
  }
  bool ok() const { return ok_; }
  // The body for a success, the error message for a failure.
  const std::string& payload() const { return payload_; }
  const std::string& content_type() const { return content_type_; }
  const std::string& error_type() const { return error_type_; }

 private:
  Response(bool ok, std::string payload, std::string content_type, std::string error_type)
      : ok_(ok), payload_(std::move(payload)), content_type_(std::move(content_type)),
        error_type_(std::move(error_type)) {}
  bool ok_;
  std::string payload_;
  std::string content_type_;
  std::string error_type_;
};

namespace detail {

inline std::string JsonEscape(const std::string& in) {
  std::string out;
  out.reserve(in.size() + 2);
  for (unsigned char c : in) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);  // UTF-8 passes through unchanged
        }
    }
  }
  return out;
}

// The error body AWS's runtimes post: {"errorMessage","errorType","stackTrace":[]}.
inline std::string ErrorJson(const std::string& type, const std::string& message) {
  return "{\"errorMessage\":\"" + JsonEscape(message) + "\",\"errorType\":\"" +
         JsonEscape(type) + "\",\"stackTrace\":[]}";
}

// Header values must be one line; an error type comes from user code.
inline std::string HeaderSafe(std::string value) {
  for (char& c : value) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return value;
}

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

// A blocking HTTP/1.1 client on one keep-alive socket, enough for the Runtime API.
class HttpClient {
 public:
  explicit HttpClient(std::string host, std::string port)
      : host_(std::move(host)), port_(std::move(port)) {}
  ~HttpClient() { Close(); }
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends one request; false if the server cannot be reached or answers garbage.
  // A kept-alive socket the server closed while idle fails before any byte of the
  // answer; only that case is retried, once, on a fresh connection.
  bool Request(const std::string& method, const std::string& path,
               const std::map<std::string, std::string>& headers, const std::string& body,
               HttpResponse* out) {
    std::string raw = method + " " + path + " HTTP/1.1\r\nHost: " + host_ + ":" + port_ + "\r\n";
    for (const auto& [name, value] : headers) raw += name + ": " + HeaderSafe(value) + "\r\n";
    if (method != "GET") raw += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    raw += "\r\n" + body;
    for (int attempt = 0; attempt < 2; ++attempt) {
      bool reused = fd_ >= 0;
      if (!reused && !Connect()) return false;
      bool got_bytes = false;
      if (SendAll(raw) && ReadResponse(out, &got_bytes)) return true;
      Close();
      if (!reused || got_bytes) return false;
    }
    return false;
  }

 private:
  bool Connect() {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* addrs = nullptr;
    if (getaddrinfo(host_.c_str(), port_.c_str(), &hints, &addrs) != 0) return false;
    for (addrinfo* a = addrs; a != nullptr && fd_ < 0; a = a->ai_next) {
      fd_ = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
      if (fd_ >= 0 && connect(fd_, a->ai_addr, a->ai_addrlen) != 0) Close();
    }
    freeaddrinfo(addrs);
    if (fd_ < 0) return false;
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return true;
  }

  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    buf_.clear();
  }

  bool SendAll(const std::string& data) {
    for (size_t sent = 0; sent < data.size();) {
      ssize_t n = send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return true;
  }

  // Appends at least one byte to buf_; false on EOF or error.
  bool Fill() {
    char chunk[65536];
    for (;;) {
      ssize_t n = recv(fd_, chunk, sizeof chunk, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      buf_.append(chunk, static_cast<size_t>(n));
      return true;
    }
  }

  bool ReadLine(std::string* line) {
    size_t end;
    while ((end = buf_.find("\r\n")) == std::string::npos) {
      if (!Fill()) return false;
    }
    line->assign(buf_, 0, end);
    buf_.erase(0, end + 2);
    return true;
  }

  bool ReadExact(size_t size, std::string* out) {
    while (buf_.size() < size) {
      if (!Fill()) return false;
    }
    out->append(buf_, 0, size);
    buf_.erase(0, size);
    return true;
  }

  bool ReadResponse(HttpResponse* out, bool* got_bytes) {
    *out = HttpResponse();
    if (buf_.empty() && !Fill()) return false;
    *got_bytes = true;
    std::string line;
    if (!ReadLine(&line) || line.compare(0, 5, "HTTP/") != 0) return false;
    size_t sp = line.find(' ');
    out->status = sp == std::string::npos ? 0 : std::atoi(line.c_str() + sp + 1);
    while (ReadLine(&line) && !line.empty()) {
      size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      size_t begin = line.find_first_not_of(" \t", colon + 1);
      size_t end = line.find_last_not_of(" \t");
      out->headers[name] = begin == std::string::npos ? "" : line.substr(begin, end - begin + 1);
    }
    if (!line.empty()) return false;
    bool body_ok = out->Header("transfer-encoding").find("chunked") != std::string::npos
                       ? ReadChunked(&out->body)
                       : ReadExact(std::strtoull(out->Header("content-length").c_str(), nullptr, 10),
                                   &out->body);
    if (!body_ok) return false;
    if (out->Header("connection") == "close") Close();
    return out->status > 0;
  }

  bool ReadChunked(std::string* body) {
    std::string line;
    for (;;) {
      if (!ReadLine(&line)) return false;
      size_t size = std::strtoull(line.c_str(), nullptr, 16);
      if (size == 0) break;
      if (!ReadExact(size, body) || !ReadLine(&line)) return false;
    }
    while (ReadLine(&line)) {  // trailers, up to the blank line
      if (line.empty()) return true;
    }
    return false;
  }

  std::string host_;
  std::string port_;
  int fd_ = -1;
  std::string buf_;
};

inline HttpClient& Client() {
  static HttpClient* client = [] {
    const char* api = std::getenv("AWS_LAMBDA_RUNTIME_API");
    std::string address = api ? api : "";
    size_t colon = address.rfind(':');
    std::string host = colon == std::string::npos ? address : address.substr(0, colon);
    std::string port = colon == std::string::npos ? "80" : address.substr(colon + 1);
    return new HttpClient(host.empty() ? "127.0.0.1" : host, port);
  }();
  return *client;
}

constexpr const char* kApiPrefix = "/2018-06-01/runtime";
constexpr const char* kErrorTypeHeader = "Lambda-Runtime-Function-Error-Type";

inline std::string UrlEncode(const std::string& in) {
  std::string out;
  for (unsigned char c : in) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

inline bool PostJson(const std::string& path, const std::string& body,
                     std::map<std::string, std::string> headers) {
  HttpResponse res;
  headers.emplace("Content-Type", "application/json");
  if (!Client().Request("POST", path, headers, body, &res)) return false;
  if (res.status != 202) {
    // A refused result (e.g. 413, too large) fails that invocation, not the runtime.
    std::fprintf(stderr, "stratus runtime: POST %s got HTTP %d: %s\n", path.c_str(), res.status,
                 res.body.c_str());
  }
  return true;
}

inline std::string TypeName(const std::exception& e) {
  int status = 0;
  char* name = abi::__cxa_demangle(typeid(e).name(), nullptr, nullptr, &status);
  std::string result = status == 0 && name ? name : typeid(e).name();
  std::free(name);
  return result;
}

// Runs the handler, turning an escaping exception into a Failure.
inline Response Call(const std::function<Response(const Invocation&)>& handler,
                     const Invocation& invocation) {
  try {
    return handler(invocation);
  } catch (const std::exception& e) {
    return Response::Failure(TypeName(e), e.what());
  } catch (...) {
    return Response::Failure("UnknownException", "the handler threw a non-std::exception");
  }
}

}  // namespace detail

// Reports a failure to initialize (POST /runtime/init/error). The caller should
// then exit without calling Run(). Returns false if the Runtime API is unreachable.
inline bool init_error(const std::string& error_type, const std::string& error_message) {
  std::fprintf(stderr, "[ERROR] %s: %s\n", error_type.c_str(), error_message.c_str());
  return detail::PostJson(std::string(detail::kApiPrefix) + "/init/error",
                          detail::ErrorJson(error_type, error_message),
                          {{detail::kErrorTypeHeader, error_type}});
}

// The invoke loop. Returns 1 once the Runtime API is lost; never returns otherwise.
inline int Run(const std::function<Response(const Invocation&)>& handler) {
  if (std::getenv("AWS_LAMBDA_RUNTIME_API") == nullptr) {
    std::fprintf(stderr, "stratus runtime: AWS_LAMBDA_RUNTIME_API is not set\n");
    return 1;
  }
  const std::string prefix = detail::kApiPrefix;
  for (;;) {
    detail::HttpResponse next;
    if (!detail::Client().Request("GET", prefix + "/invocation/next", {}, "", &next) ||
        next.status != 200) {
      std::fprintf(stderr, "stratus runtime: failed to get the next invocation (HTTP %d)\n",
                   next.status);
      return 1;
    }
    Invocation inv;
    inv.payload = std::move(next.body);
    inv.request_id = next.Header("lambda-runtime-aws-request-id");
    inv.deadline_ms = std::strtoll(next.Header("lambda-runtime-deadline-ms").c_str(), nullptr, 10);
    inv.function_arn = next.Header("lambda-runtime-invoked-function-arn");
    inv.trace_id = next.Header("lambda-runtime-trace-id");
    inv.client_context = next.Header("lambda-runtime-client-context");
    inv.cognito_identity = next.Header("lambda-runtime-cognito-identity");
    if (inv.trace_id.empty()) {
      unsetenv("_X_AMZN_TRACE_ID");
    } else {
      setenv("_X_AMZN_TRACE_ID", inv.trace_id.c_str(), 1);
    }

    Response response = detail::Call(handler, inv);
    std::string path = prefix + "/invocation/" + detail::UrlEncode(inv.request_id);
    bool posted = response.ok()
        ? detail::PostJson(path + "/response", response.payload(),
                           {{"Content-Type", response.content_type()}})
        : detail::PostJson(path + "/error",
                           detail::ErrorJson(response.error_type(), response.payload()),
                           {{detail::kErrorTypeHeader, response.error_type()}});
    if (!posted) {
      std::fprintf(stderr, "stratus runtime: lost the Runtime API while posting %s\n",
                   path.c_str());
      return 1;
    }
  }
}

}  // namespace stratus::lambda

#endif  // STRATUS_LAMBDA_RUNTIME_H_
