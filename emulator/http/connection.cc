#include "emulator/http/connection.h"

#include <cassert>
#include <cstring>

#include "emulator/http/server.h"

namespace stratus::http {

namespace {
constexpr size_t kReadChunk = 64 * 1024;
// Unparsed input kept while a request is being handled (pipelined requests wait in it).
constexpr size_t kMaxBufferedInput = 256 * 1024;
// Output queued beyond this pauses reading and pulling from a streamed body.
constexpr size_t kMaxQueuedOutput = 1024 * 1024;
constexpr auto kLingerTime = std::chrono::seconds(2);
}  // namespace

struct Connection::WriteRequest {
  uv_write_t req{};
  std::vector<std::string> chunks;
  std::shared_ptr<Connection> connection;
  size_t bytes = 0;
};

Reply::Reply(std::weak_ptr<Connection> connection, uint64_t sequence)
    : state_(std::make_shared<State>()) {
  state_->connection = std::move(connection);
  state_->sequence = sequence;
}

void Reply::Send(Response response) const {
  if (!state_ || state_->sent) return;
  state_->sent = true;
  if (auto connection = state_->connection.lock()) {
    connection->Respond(state_->sequence, std::move(response));
  }
}

Reply::State::~State() {
  if (sent) return;
  if (auto connection = this->connection.lock()) {
    connection->Respond(sequence, Response::Json(500, R"({"message":"handler gave no response"})"));
  }
}

Connection::Connection(Server& server, Clock& clock) : server_(server), clock_(clock) {
  tcp_.data = this;
}

Connection::~Connection() = default;

void Connection::Start() {
  sockaddr_storage peer{};
  int len = sizeof(peer);
  char name[INET6_ADDRSTRLEN] = {0};
  if (uv_tcp_getpeername(&tcp_, reinterpret_cast<sockaddr*>(&peer), &len) == 0) {
    if (peer.ss_family == AF_INET6) {
      uv_ip6_name(reinterpret_cast<sockaddr_in6*>(&peer), name, sizeof(name));
    } else {
      uv_ip4_name(reinterpret_cast<sockaddr_in*>(&peer), name, sizeof(name));
    }
  }
  remote_address_ = name;
  uv_tcp_nodelay(&tcp_, 1);
  RearmForState(/*progress=*/true);
  UpdateReading();
}

void Connection::OnAlloc(uv_handle_t* handle, size_t, uv_buf_t* buf) {
  auto* self = static_cast<Connection*>(handle->data);
  if (self->in_pos_ == self->in_len_) self->in_pos_ = self->in_len_ = 0;
  if (self->in_.size() < self->in_len_ + kReadChunk) self->in_.resize(self->in_len_ + kReadChunk);
  *buf = uv_buf_init(self->in_.data() + self->in_len_, kReadChunk);
}

void Connection::OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t*) {
  auto* self = static_cast<Connection*>(stream->data);
  auto keep = self->shared_from_this();
  if (self->lingering_) {
    self->in_pos_ = self->in_len_ = 0;
    if (nread < 0) self->Close();
    return;
  }
  if (nread > 0) {
    self->in_len_ += static_cast<size_t>(nread);
  } else if (nread < 0) {
    self->eof_ = true;
    if (nread != UV_EOF) {  // reset: nothing more can be written either
      self->Close();
      return;
    }
  }
  self->Process();
}

void Connection::Process() {
  if (in_process_ || closing_) return;
  in_process_ = true;
  while (!closing_ && ProcessStep()) {
  }
  in_process_ = false;
  if (closing_) return;
  if (eof_ && in_pos_ == in_len_) {
    // A request cut short can never complete: its handler learns so and nobody is answered.
    if (decoder_ && !message_done_) {
      Close();
      return;
    }
    // A half-close after whole requests: answer them, then close.
    if (!awaiting_reply_ && pending_.empty() && !write_in_flight_ && !body_source_) {
      Close();
      return;
    }
  }
  RearmForState(progressed_);
  progressed_ = false;
  UpdateReading();
}

// Feeds buffered input to the decoder once; returns whether another step may make progress.
bool Connection::ProcessStep() {
  if (message_done_) {
    if (awaiting_reply_ || body_source_) return false;  // pipelined requests wait their turn
    message_done_ = false;
    decoder_.reset();
    stream_.reset();
    if (shutting_down_ || !keep_alive_) return false;
  }
  if (queued_bytes_ > kMaxQueuedOutput) return false;
  if (stream_ && stream_->paused()) return false;
  // A message without a body completes right after its header, with no more input.
  if (in_pos_ == in_len_ && !(decoder_ && decoder_->header_done() && !decoder_->has_body())) {
    return false;
  }
  if (!decoder_) {
    decoder_ = std::make_unique<RequestDecoder>(server_.limits().header_limit);
    ++sequence_;
  }
  RequestDecoder::State state;
  size_t used = decoder_->Feed(std::string_view(in_.data() + in_pos_, in_len_ - in_pos_), &state);
  in_pos_ += used;
  if (used > 0) progressed_ = true;
  switch (state) {
    case RequestDecoder::State::kNeedMore:
      return used > 0 && decoder_->header_done();
    case RequestDecoder::State::kHeaderDone:
      OnHeader();
      return true;
    case RequestDecoder::State::kMessageDone:
      OnMessageDone();
      return true;
    case RequestDecoder::State::kError:
      FailRequest(decoder_->error_status(), decoder_->error_message());
      return false;
  }
  return false;
}

void Connection::OnHeader() {
  Request& request = decoder_->request();
  request.remote_address = remote_address_;
  keep_alive_ = decoder_->keep_alive() && !shutting_down_;
  head_request_ = request.method == "HEAD";
  request.keep_alive = keep_alive_;
  Router::Match match = server_.router().Find(request);
  static const RouteOptions kDefaultOptions;
  current_options_ = match.options ? match.options : &kDefaultOptions;
  if (match.handler != nullptr) {
    current_handler_ = *match.handler;
    request.params = std::move(match.params);
  } else if (match.path_matched) {
    std::string allow;
    for (const auto& m : match.allowed) allow += (allow.empty() ? "" : ", ") + m;
    current_handler_ = [allow](RequestPtr, Reply reply) {
      Response r = Response::Json(405, R"({"message":"Method Not Allowed"})");
      r.headers.Add("Allow", allow);
      reply.Send(std::move(r));
    };
  } else {
    current_handler_ = server_.not_found();
  }
  auto length = decoder_->content_length();
  if (length && *length > current_options_->body_limit) {
    FailRequest(413, "body larger than " + std::to_string(current_options_->body_limit));
    return;
  }
  decoder_->SetBodyLimit(current_options_->body_limit);
  auto expect = request.headers.Get("Expect");
  if (expect && EqualsIgnoreCase(*expect, "100-continue") && decoder_->has_body() &&
      request.version >= 11) {
    Write("HTTP/1.1 100 Continue\r\n\r\n");
  }
  if (current_options_->streaming_body) {
    stream_ = std::make_shared<BodyStream>();
    std::weak_ptr<Connection> weak = weak_from_this();
    stream_->SetResumeHook([weak] {
      if (auto self = weak.lock()) self->Process();
    });
    BodyStream* raw = stream_.get();
    decoder_->SetBodySink([raw](std::string_view chunk) { raw->Deliver(chunk); });
    auto shared = std::make_shared<Request>(std::move(request));
    shared->body_stream = stream_;
    Dispatch(std::move(shared));
  }
}

void Connection::OnMessageDone() {
  message_done_ = true;
  if (stream_) {
    auto stream = stream_;
    // The request moved out at header time; what the parser added since are the trailers.
    stream->SetTrailers(std::move(decoder_->request().headers));
    stream->End(Status::Ok());
    return;
  }
  Dispatch(std::make_shared<Request>(std::move(decoder_->request())));
}

void Connection::Dispatch(RequestPtr request) {
  awaiting_reply_ = true;
  Handler handler = std::move(current_handler_);
  current_handler_ = nullptr;
  handler(std::move(request), Reply(weak_from_this(), sequence_));
}

void Connection::Respond(uint64_t sequence, Response response) {
  if (closing_ || sequence != sequence_ || !awaiting_reply_) return;
  awaiting_reply_ = false;
  if (!message_done_) {
    // Answered before the body arrived: the rest of the body cannot be skipped reliably.
    keep_alive_ = false;
    if (stream_) stream_->End(Status::FailedPrecondition("response sent before the body ended"));
  }
  if (shutting_down_) keep_alive_ = false;
  int version = decoder_ ? decoder_->request().version : 11;
  std::string head = SerializeResponseHead(response, version, keep_alive_);
  bool head_only = response.omit_body || head_request_ || response.status == 204 ||
                   response.status == 304;
  if (!head_only && response.body_source) {
    Write(std::move(head));
    body_chunked_ = UsesChunkedEncoding(response);
    body_source_ = std::move(response.body_source);
    PullBody();
  } else {
    WriteHeadAndBody(std::move(head), head_only ? std::string() : std::move(response.body));
    FinishResponse();
  }
}

// Called once a response (head and body) has been queued.
void Connection::FinishResponse() {
  if (!keep_alive_) close_after_write_ = true;
  if (close_after_write_ && pending_.empty() && !write_in_flight_) {
    Linger();
    return;
  }
  if (!in_process_) Process();
}

void Connection::PullBody() {
  if (!body_source_ || pulling_ || queued_bytes_ > kMaxQueuedOutput || closing_) return;
  pulling_ = true;
  std::weak_ptr<Connection> weak = weak_from_this();
  body_source_->Pull([weak](Result<std::string> chunk, bool last) {
    auto self = weak.lock();
    if (!self || self->closing_) return;
    self->pulling_ = false;
    if (!chunk.ok()) {  // the body cannot be completed: the client must see a cut connection
      self->Close();
      return;
    }
    if (!chunk->empty()) {
      self->Write(self->body_chunked_ ? FrameChunk(*chunk) : std::move(chunk.value()));
    }
    if (!last) {
      self->PullBody();
      return;
    }
    if (self->body_chunked_) self->Write(FrameChunk(""));
    self->body_source_.reset();
    self->FinishResponse();
  });
}

void Connection::FailRequest(int status, std::string_view message) {
  if (stream_) stream_->End(Status::InvalidArgument(std::string(message)));
  awaiting_reply_ = false;
  keep_alive_ = false;
  close_after_write_ = true;
  message_done_ = true;
  in_pos_ = in_len_;  // the framing is lost: nothing after this can be trusted
  Response response = Response::Json(
      status, std::string(R"({"message":")") + std::string(ReasonPhrase(status)) + "\"}");
  // The head first: as arguments of one call, moving the body out could come before
  // measuring it (Content-Length: 0 followed by the document).
  std::string head = SerializeResponseHead(response, 11, false);
  WriteHeadAndBody(std::move(head), std::move(response.body));
  FinishResponse();
}

void Connection::UpdateReading() {
  if (closing_) return;
  bool want = lingering_ || (!eof_ && (in_len_ - in_pos_) < kMaxBufferedInput &&
              queued_bytes_ <= kMaxQueuedOutput && !(stream_ && stream_->paused()) &&
              !close_after_write_);
  auto* stream = reinterpret_cast<uv_stream_t*>(&tcp_);
  if (want && !reading_) {
    reading_ = uv_read_start(stream, &Connection::OnAlloc, &Connection::OnRead) == 0;
  } else if (!want && reading_) {
    uv_read_stop(stream);
    reading_ = false;
  }
}

void Connection::Write(std::string data) {
  if (closing_ || data.empty()) return;
  if (!write_in_flight_ && pending_.empty()) {
    // Most responses fit the socket buffer: skip the write request altogether.
    uv_buf_t buf = uv_buf_init(data.data(), static_cast<unsigned>(data.size()));
    int written = uv_try_write(reinterpret_cast<uv_stream_t*>(&tcp_), &buf, 1);
    if (written == static_cast<int>(data.size())) return;
    if (written > 0) data.erase(0, static_cast<size_t>(written));
  }
  queued_bytes_ += data.size();
  pending_.push_back(std::move(data));
  if (!write_in_flight_) Flush();
}

// One send for a whole response: a small body is copied behind the head, a large one goes
// with it in one gathered write.
void Connection::WriteHeadAndBody(std::string head, std::string body) {
  constexpr size_t kCopyBodyBelow = 16 * 1024;
  if (body.size() < kCopyBodyBelow) {
    head += body;
    Write(std::move(head));
    return;
  }
  if (closing_) return;
  if (!write_in_flight_ && pending_.empty()) {
    uv_buf_t bufs[2] = {uv_buf_init(head.data(), static_cast<unsigned>(head.size())),
                        uv_buf_init(body.data(), static_cast<unsigned>(body.size()))};
    int written = uv_try_write(reinterpret_cast<uv_stream_t*>(&tcp_), bufs, 2);
    size_t sent = written > 0 ? static_cast<size_t>(written) : 0;
    if (sent >= head.size()) {
      body.erase(0, sent - head.size());
      Write(std::move(body));
      return;
    }
    head.erase(0, sent);
  }
  Write(std::move(head));
  Write(std::move(body));
}

void Connection::Flush() {
  if (pending_.empty() || closing_) return;
  auto* write = new WriteRequest;
  write->chunks.swap(pending_);
  write->connection = shared_from_this();
  std::vector<uv_buf_t> bufs;
  for (auto& chunk : write->chunks) {
    bufs.push_back(uv_buf_init(chunk.data(), static_cast<unsigned>(chunk.size())));
    write->bytes += chunk.size();
  }
  write->req.data = write;
  write_in_flight_ = true;
  RearmForState(/*progress=*/true);
  int rc = uv_write(&write->req, reinterpret_cast<uv_stream_t*>(&tcp_), bufs.data(),
                    static_cast<unsigned>(bufs.size()), &Connection::OnWritten);
  if (rc != 0) {
    write_in_flight_ = false;
    delete write;
    Close();
  }
}

void Connection::OnWritten(uv_write_t* req, int status) {
  std::unique_ptr<WriteRequest> write(static_cast<WriteRequest*>(req->data));
  auto self = write->connection;
  self->write_in_flight_ = false;
  self->queued_bytes_ -= write->bytes;
  if (status != 0 || self->closing_) {
    self->Close();
    return;
  }
  if (!self->pending_.empty()) {
    self->Flush();
    return;
  }
  if (self->close_after_write_ && !self->body_source_ && !self->awaiting_reply_) {
    self->Linger();
    return;
  }
  self->progressed_ = true;
  self->PullBody();
  self->Process();
}

Connection::TimerKind Connection::KindForState() const {
  if (lingering_) return TimerKind::kLinger;
  if (write_in_flight_) return TimerKind::kWrite;
  bool reading_body = decoder_ && decoder_->header_done() && !message_done_;
  if (awaiting_reply_) return reading_body ? TimerKind::kBody : TimerKind::kNone;
  if (decoder_ && !message_done_ && decoder_->got_some()) {
    return reading_body ? TimerKind::kBody : TimerKind::kHeader;
  }
  return TimerKind::kIdle;
}

// The header deadline runs from a request's first byte; body, write and idle deadlines
// restart whenever bytes move (idle: from the end of the last exchange).
void Connection::RearmForState(bool progress) {
  if (closing_) return;
  TimerKind kind = KindForState();
  bool restarts = kind == TimerKind::kBody || kind == TimerKind::kWrite || kind == TimerKind::kIdle;
  if (kind == timer_kind_ && !(restarts && progress)) return;
  timer_kind_ = kind;
  const ServerLimits& limits = server_.limits();
  Clock::Duration delay{};
  switch (kind) {
    case TimerKind::kNone: timer_.Cancel(); return;
    case TimerKind::kIdle: delay = limits.idle_timeout; break;
    case TimerKind::kHeader: delay = limits.header_timeout; break;
    case TimerKind::kBody: delay = limits.body_timeout; break;
    case TimerKind::kWrite: delay = limits.write_timeout; break;
    case TimerKind::kLinger: delay = kLingerTime; break;
  }
  std::weak_ptr<Connection> weak = weak_from_this();
  timer_ = clock_.After(delay, [weak] {
    if (auto self = weak.lock()) self->OnTimer();
  });
}

// Half-closes, then reads and discards what the client still sends for a moment before
// closing: closing with unread input makes the kernel send a reset, which can destroy the
// response (a 413 or 408) before the client has read it.
void Connection::Linger() {
  if (closing_ || lingering_) return;
  lingering_ = true;
  in_pos_ = in_len_ = 0;
  if (stream_ && !stream_->ended()) stream_->End(Status::Unavailable("connection closing"));
  shutdown_req_.data = this;
  int rc = uv_shutdown(&shutdown_req_, reinterpret_cast<uv_stream_t*>(&tcp_),
                       [](uv_shutdown_t* req, int) {
                         auto* self = static_cast<Connection*>(req->data);
                         self->shutdown_pending_ = false;
                         if (self->closing_) self->FinishClose();
                       });
  shutdown_pending_ = rc == 0;
  if (rc != 0) {
    Close();
    return;
  }
  RearmForState(/*progress=*/true);
  UpdateReading();
}

void Connection::OnTimer() {
  timer_kind_ = TimerKind::kNone;
  switch (KindForState()) {
    case TimerKind::kHeader:
    case TimerKind::kBody:
      if (!awaiting_reply_) {
        FailRequest(408, "request not received in time");
        return;
      }
      break;
    case TimerKind::kIdle:
    case TimerKind::kWrite:
    case TimerKind::kLinger:
      Close();
      return;
    case TimerKind::kNone:
      break;
  }
}

void Connection::BeginShutdown() {
  shutting_down_ = true;
  keep_alive_ = false;
  if (Idle()) Close();
}

bool Connection::Idle() const {
  bool partial_request = decoder_ && !message_done_ && decoder_->got_some();
  return !awaiting_reply_ && !partial_request && !write_in_flight_ && pending_.empty() &&
         !body_source_ && (in_pos_ == in_len_);
}

void Connection::Close() {
  if (closing_) return;
  closing_ = true;
  timer_.Cancel();
  if (stream_ && !stream_->ended()) stream_->End(Status::Unavailable("connection closed"));
  body_source_.reset();
  if (reading_) uv_read_stop(reinterpret_cast<uv_stream_t*>(&tcp_));
  reading_ = false;
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), [](uv_handle_t* handle) {
    auto* self = static_cast<Connection*>(handle->data);
    self->handle_closed_ = true;
    self->FinishClose();
  });
}

// The owner may let go only when libuv holds no pointer into this object any more.
void Connection::FinishClose() {
  if (!handle_closed_ || shutdown_pending_) return;
  server_.OnConnectionClosed(this);  // may destroy this
}

}  // namespace stratus::http
