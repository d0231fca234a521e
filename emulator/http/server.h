// Server: a listening TCP socket on the loop, its connections, and the router they share.
// Threading: loop thread only. Close() or Shutdown() must complete (their callback has run)
// before the Server is destroyed.
#pragma once

#include <uv.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "emulator/http/router.h"
#include "emulator/loop/loop.h"
#include "emulator/util/clock.h"

namespace stratus::http {

class Connection;

struct ServerLimits {
  size_t header_limit = 16 * 1024;                          // else 431
  Clock::Duration header_timeout = std::chrono::seconds(30);  // first byte to end of header, else 408
  Clock::Duration body_timeout = std::chrono::seconds(30);    // longest silence in a body, else 408
  Clock::Duration idle_timeout = std::chrono::seconds(60);    // keep-alive wait, then a quiet close
  Clock::Duration write_timeout = std::chrono::seconds(60);   // client not reading, then close
};

class Server {
 public:
  Server(loop::Loop& loop, Clock& clock, const Router& router, ServerLimits limits = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens. Port 0 picks an ephemeral port. Returns the bound port, or
  // InvalidArgument for a bad address, Unavailable when the port is taken (the message names
  // the address); on failure nothing is left open.
  Result<int> Listen(const std::string& host, int port);

  // Answers requests no route matches (default: 404 JSON {"message":"Not Found"}).
  void SetNotFound(Handler handler) { not_found_ = std::move(handler); }

  // Stops accepting, lets requests in flight finish, closes idle keep-alive connections, and
  // force-closes whatever is left after `grace`. `done` runs once everything is closed.
  void Shutdown(Clock::Duration grace, std::function<void()> done);

  int port() const { return port_; }
  size_t connection_count() const { return connections_.size(); }
  const ServerLimits& limits() const { return limits_; }
  const Router& router() const { return router_; }
  const Handler& not_found() const { return not_found_; }

 private:
  friend class Connection;
  static void OnConnection(uv_stream_t* listener, int status);
  void OnConnectionClosed(Connection* connection);
  void MaybeFinishShutdown();

  loop::Loop& loop_;
  Clock& clock_;
  const Router& router_;
  ServerLimits limits_;
  Handler not_found_;
  uv_tcp_t* listener_ = nullptr;
  int port_ = 0;
  std::unordered_map<Connection*, std::shared_ptr<Connection>> connections_;
  bool shutting_down_ = false;
  bool listener_closed_ = true;
  std::function<void()> shutdown_done_;
  Timer force_close_timer_;
};

}  // namespace stratus::http
