// Reply: how a handler answers the request it was given. Threading: loop thread only.
#pragma once

#include <cstdint>
#include <memory>

#include "emulator/http/message.h"

namespace stratus::http {

class Connection;

// The way back to the client for one request. Copyable; Send() takes effect once (later
// calls are ignored). If every copy is dropped unsent, the client gets a 500.
class Reply {
 public:
  Reply() = default;
  void Send(Response response) const;
  bool sent() const { return state_ && state_->sent; }

 private:
  friend class Connection;
  struct State {
    std::weak_ptr<Connection> connection;
    uint64_t sequence = 0;
    bool sent = false;
    ~State();
  };
  Reply(std::weak_ptr<Connection> connection, uint64_t sequence);
  std::shared_ptr<State> state_;
};

}  // namespace stratus::http
