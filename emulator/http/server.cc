#include "emulator/http/server.h"

#include <cassert>

#include "emulator/http/connection.h"

namespace stratus::http {

Server::Server(loop::Loop& loop, Clock& clock, const Router& router, ServerLimits limits)
    : loop_(loop), clock_(clock), router_(router), limits_(limits) {
  not_found_ = [](RequestPtr, Reply reply) {
    reply.Send(Response::Json(404, R"({"message":"Not Found"})"));
  };
}

Server::~Server() {
  assert(listener_ == nullptr && connections_.empty() && "Server destroyed while open");
}

Result<int> Server::Listen(const std::string& host, int port) {
  loop_.AssertOnLoopThread();
  sockaddr_storage addr{};
  if (uv_ip4_addr(host.c_str(), port, reinterpret_cast<sockaddr_in*>(&addr)) != 0 &&
      uv_ip6_addr(host.c_str(), port, reinterpret_cast<sockaddr_in6*>(&addr)) != 0) {
    return Status::InvalidArgument("not an IP address: " + host);
  }
  auto* tcp = new uv_tcp_t;
  uv_tcp_init(loop_.raw(), tcp);
  tcp->data = this;
  std::string where = host + ":" + std::to_string(port);
  int rc = uv_tcp_bind(tcp, reinterpret_cast<const sockaddr*>(&addr), 0);
  if (rc == 0) rc = uv_listen(reinterpret_cast<uv_stream_t*>(tcp), 511, &Server::OnConnection);
  if (rc != 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(tcp),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_tcp_t*>(h); });
    return Status::Unavailable("cannot listen on " + where + ": " + uv_strerror(rc));
  }
  sockaddr_storage bound{};
  int len = sizeof(bound);
  uv_tcp_getsockname(tcp, reinterpret_cast<sockaddr*>(&bound), &len);
  port_ = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                            : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  listener_ = tcp;
  listener_closed_ = false;
  return port_;
}

void Server::OnConnection(uv_stream_t* listener, int status) {
  auto* server = static_cast<Server*>(listener->data);
  if (status != 0 || server->shutting_down_) return;
  auto connection = std::make_shared<Connection>(*server, server->clock_);
  uv_tcp_init(server->loop_.raw(), connection->tcp());
  if (uv_accept(listener, reinterpret_cast<uv_stream_t*>(connection->tcp())) != 0) {
    server->connections_.emplace(connection.get(), connection);
    connection->Close();
    return;
  }
  server->connections_.emplace(connection.get(), connection);
  connection->Start();
}

void Server::OnConnectionClosed(Connection* connection) {
  connections_.erase(connection);
  MaybeFinishShutdown();
}

void Server::Shutdown(Clock::Duration grace, std::function<void()> done) {
  loop_.AssertOnLoopThread();
  shutdown_done_ = std::move(done);
  shutting_down_ = true;
  if (listener_ != nullptr) {
    uv_close(reinterpret_cast<uv_handle_t*>(listener_), [](uv_handle_t* h) {
      auto* server = static_cast<Server*>(h->data);
      server->listener_closed_ = true;
      delete reinterpret_cast<uv_tcp_t*>(h);
      server->MaybeFinishShutdown();
    });
    listener_ = nullptr;
  }
  // Copy: BeginShutdown may close a connection, which erases it from the map.
  std::vector<std::shared_ptr<Connection>> open;
  for (auto& [raw, connection] : connections_) open.push_back(connection);
  for (auto& connection : open) connection->BeginShutdown();
  if (!connections_.empty()) {
    force_close_timer_ = clock_.After(grace, [this] {
      std::vector<std::shared_ptr<Connection>> left;
      for (auto& [raw, connection] : connections_) left.push_back(connection);
      for (auto& connection : left) connection->Close();
    });
  }
  MaybeFinishShutdown();
}

void Server::MaybeFinishShutdown() {
  if (!shutting_down_ || !listener_closed_ || !connections_.empty() || !shutdown_done_) return;
  force_close_timer_.Cancel();
  auto done = std::move(shutdown_done_);
  shutdown_done_ = nullptr;
  done();
}

}  // namespace stratus::http
