// Connection: one accepted TCP connection, reading requests with the codec, handing each to
// its route's handler and writing the responses in request order.
// Threading: loop thread only. Owned by its Server until libuv's close callback has run;
// Replies hold it weakly, so a reply for a connection that has gone is dropped.
//
// Requests on one connection are handled one at a time: pipelined requests wait, buffered,
// until the response before them is sent, which keeps responses in order. Reading pauses
// when the input buffer, the output queue or a paused BodyStream says so.
#pragma once

#include <uv.h>

#include <memory>
#include <string>
#include <vector>

#include "emulator/http/codec.h"
#include "emulator/http/reply.h"
#include "emulator/http/router.h"
#include "emulator/util/clock.h"

namespace stratus::http {

class Connection;
class Server;

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(Server& server, Clock& clock);
  ~Connection();

  uv_tcp_t* tcp() { return &tcp_; }
  void Start();
  // Stops taking new requests: closes now when idle, else after the current response.
  void BeginShutdown();
  // Closes at once; a pending handler's reply is then dropped.
  void Close();

 private:
  friend class Reply;
  struct WriteRequest;
  enum class TimerKind { kNone, kIdle, kHeader, kBody, kWrite, kLinger };

  static void OnAlloc(uv_handle_t* handle, size_t suggested, uv_buf_t* buf);
  static void OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);
  static void OnWritten(uv_write_t* req, int status);

  void Process();
  bool ProcessStep();
  void OnHeader();
  void OnMessageDone();
  void Dispatch(RequestPtr request);
  void Respond(uint64_t sequence, Response response);
  void FailRequest(int status, std::string_view message);
  void UpdateReading();
  void WriteHeadAndBody(std::string head, std::string body);
  void Write(std::string data);
  void Flush();
  void PullBody();
  void FinishResponse();
  TimerKind KindForState() const;
  void RearmForState(bool progress);
  void OnTimer();
  bool Idle() const;
  void Linger();
  void FinishClose();

  Server& server_;
  Clock& clock_;
  uv_tcp_t tcp_{};
  std::string remote_address_;

  std::string in_;      // bytes in_[in_pos_, in_len_) are unread
  size_t in_pos_ = 0, in_len_ = 0;
  bool reading_ = false, eof_ = false, closing_ = false, shutting_down_ = false;
  bool in_process_ = false;
  bool progressed_ = false;  // bytes moved since the deadline was last set
  bool lingering_ = false, shutdown_pending_ = false, handle_closed_ = false;
  uv_shutdown_t shutdown_req_{};

  std::unique_ptr<RequestDecoder> decoder_;
  Handler current_handler_;
  const RouteOptions* current_options_ = nullptr;
  std::shared_ptr<BodyStream> stream_;
  uint64_t sequence_ = 0;       // of the request being read or handled
  bool awaiting_reply_ = false;  // the handler has the request, no response yet
  bool message_done_ = false;    // the current request has been read entirely
  bool keep_alive_ = true;
  bool head_request_ = false;  // answer with headers only

  std::vector<std::string> pending_;  // output not yet handed to libuv
  size_t queued_bytes_ = 0;           // pending_ plus writes in flight
  bool write_in_flight_ = false;
  std::shared_ptr<BodySource> body_source_;
  bool body_chunked_ = false, pulling_ = false;
  bool close_after_write_ = false;

  Timer timer_;
  TimerKind timer_kind_ = TimerKind::kNone;
};

}  // namespace stratus::http
