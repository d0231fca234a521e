#include "emulator/http/codec.h"

#include <boost/beast/core/buffers_range.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/serializer.hpp>

#include <limits>

namespace stratus::http {

namespace beast_http = boost::beast::http;
using boost::beast::error_code;
using BeastView = boost::beast::string_view;

std::string_view Std(BeastView v) { return {v.data(), v.size()}; }

// Beast's request parser (basic_parser<true>), writing straight into a stratus Request
// instead of a Beast message, so no field is copied twice.
class RequestDecoder::Parser : public beast_http::basic_parser<true> {
 public:
  Request request;
  std::function<void(std::string_view)> sink;
  uint64_t route_body_limit = std::numeric_limits<uint64_t>::max();
  uint64_t body_seen = 0;
  bool body_over_limit = false;

 private:
  void on_request_impl(beast_http::verb, BeastView method_view, BeastView target_view,
                       int version, error_code&) override {
    std::string_view method = Std(method_view), target = Std(target_view);
    request.method = std::string(method);
    request.target = std::string(target);
    auto q = target.find('?');
    request.path = std::string(target.substr(0, q));
    request.query = q == std::string_view::npos ? "" : std::string(target.substr(q + 1));
    request.version = version;
  }
  void on_response_impl(int, BeastView, int, error_code& ec) override {
    ec = beast_http::error::bad_method;  // a request parser never sees a status line
  }
  void on_field_impl(beast_http::field, BeastView name, BeastView value, error_code&) override {
    request.headers.Add(std::string(Std(name)), std::string(Std(value)));
  }
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code& ec) override {
    if (length && *length > route_body_limit) {
      body_over_limit = true;
      ec = beast_http::error::body_limit;
    } else if (length && !sink) {
      request.body.reserve(static_cast<size_t>(*length));
    }
  }
  std::size_t on_body_impl(BeastView view, error_code& ec) override {
    std::string_view data = Std(view);
    body_seen += data.size();
    if (body_seen > route_body_limit) {
      body_over_limit = true;
      ec = beast_http::error::body_limit;
      return 0;
    }
    if (data.empty()) return 0;
    if (sink) {
      sink(data);
    } else {
      request.body.append(data);
    }
    return data.size();
  }
  void on_chunk_header_impl(std::uint64_t, BeastView, error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, BeastView data, error_code& ec) override {
    return on_body_impl(data, ec);
  }
  void on_finish_impl(error_code&) override {}
};

RequestDecoder::RequestDecoder(size_t header_limit) : parser_(std::make_unique<Parser>()) {
  parser_->header_limit(static_cast<std::uint32_t>(header_limit));
  // The body limit is enforced by the Parser itself, once the route is known.
  parser_->body_limit(boost::none);
  parser_->eager(false);
}

RequestDecoder::~RequestDecoder() = default;

size_t RequestDecoder::Feed(std::string_view data, State* state) {
  if (error_status_ != 0) {
    *state = State::kError;
    return 0;
  }
  if (parser_->is_done()) {
    *state = State::kMessageDone;
    return 0;
  }
  bool header_was_done = parser_->is_header_done();
  error_code ec;
  size_t used = parser_->put(boost::asio::const_buffer(data.data(), data.size()), ec);
  if (ec == beast_http::error::need_more) {
    *state = State::kNeedMore;
    return used;
  }
  if (ec) {
    if (ec == beast_http::error::header_limit) {
      error_status_ = 431;
    } else if (ec == beast_http::error::body_limit || parser_->body_over_limit) {
      error_status_ = 413;
    } else {
      error_status_ = 400;
    }
    error_message_ = ec.message();
    *state = State::kError;
    return used;
  }
  // A message without a body completes with its header: report the header first, and the
  // completion on the next call.
  if (!header_was_done && parser_->is_header_done()) {
    *state = State::kHeaderDone;
  } else if (parser_->is_done()) {
    *state = State::kMessageDone;
  } else {
    *state = State::kNeedMore;
  }
  return used;
}

void RequestDecoder::SetBodyLimit(uint64_t limit) { parser_->route_body_limit = limit; }

void RequestDecoder::SetBodySink(std::function<void(std::string_view)> sink) {
  parser_->sink = std::move(sink);
}

Request& RequestDecoder::request() { return parser_->request; }
bool RequestDecoder::header_done() const { return parser_->is_header_done(); }
bool RequestDecoder::got_some() const { return parser_->got_some(); }
bool RequestDecoder::keep_alive() const { return parser_->keep_alive(); }

bool RequestDecoder::has_body() const {
  return parser_->chunked() || parser_->content_length().value_or(0) > 0;
}

std::optional<uint64_t> RequestDecoder::content_length() const {
  auto len = parser_->content_length();
  if (!len) return std::nullopt;
  return *len;
}

bool UsesChunkedEncoding(const Response& response) {
  return response.body_source != nullptr && !response.content_length.has_value();
}

std::string SerializeResponseHead(const Response& response, int version, bool keep_alive) {
  beast_http::response<beast_http::empty_body> head;
  head.version(version);
  head.result(static_cast<unsigned>(response.status));
  head.reason(ReasonPhrase(response.status));
  for (const auto& [name, value] : response.headers) head.insert(name, value);
  bool no_body_allowed = response.status / 100 == 1 || response.status == 204 ||
                         response.status == 304;
  if (!no_body_allowed && !head.count(beast_http::field::content_length)) {
    if (UsesChunkedEncoding(response)) {
      head.set(beast_http::field::transfer_encoding, "chunked");
    } else {
      uint64_t length = response.body_source ? *response.content_length : response.body.size();
      head.set(beast_http::field::content_length, std::to_string(length));
    }
  }
  if (!keep_alive) head.set(beast_http::field::connection, "close");

  beast_http::serializer<false, beast_http::empty_body> serializer(head);
  serializer.split(true);
  std::string out;
  error_code ec;
  while (!ec && !serializer.is_header_done()) {
    serializer.next(ec, [&](error_code&, const auto& buffers) {
      size_t n = 0;
      for (auto buffer : boost::beast::buffers_range_ref(buffers)) {
        out.append(static_cast<const char*>(buffer.data()), buffer.size());
        n += buffer.size();
      }
      serializer.consume(n);
    });
  }
  return out;
}

std::string FrameChunk(std::string_view data) {
  char size_line[32];
  int n = std::snprintf(size_line, sizeof(size_line), "%zx\r\n", data.size());
  std::string out(size_line, static_cast<size_t>(n));
  out.append(data);
  out.append("\r\n");
  if (data.empty()) out = "0\r\n\r\n";
  return out;
}

}  // namespace stratus::http
