#pragma once
// httplib::Server with its connection loop and thread pool owned here.
// cpp-httplib 0.11 (Debian's) serves each connection on one pool thread for
// as long as the client keeps it alive, so a few dozen idle keep-alive
// connections hold every thread and a new request (GET /health included)
// waits behind them; and a handler cannot tell that its client has gone.
// This class overrides the (virtual) per-connection loop:
//   - a connection with no request to read gives its thread up as soon as
//     it has been idle kIdleGrace while other accepted connections wait for
//     a thread;
//   - a handler can ask whether its client has closed the connection
//     (client_closed) and have the connection closed after its response
//     (close_after_response), e.g. when the body cannot be read.
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstddef>

namespace s2s::serve {

class HttpServer : public httplib::Server {
 public:
  // How long a connection with nothing to read keeps its thread while
  // others wait for one.
  static constexpr std::chrono::milliseconds kIdleGrace{200};

  explicit HttpServer(int threads);

  // For the handler running on the calling thread: true once its client has
  // closed (or reset) the connection. A request pipelined behind the current
  // one does not count as closing.
  static bool client_closed();
  // For the handler running on the calling thread: close the connection once
  // the response is written (the rest of the request is read and dropped
  // for a moment first, so the client sees the response rather than a reset).
  static void close_after_response();

  // Accepted connections waiting for a thread.
  std::size_t waiting_connections() const;

 private:
  class Pool;
  bool process_and_close_socket(socket_t sock) override;

  int threads_;
  std::atomic<Pool*> pool_{nullptr};  // the pool of the current listen(); httplib owns it
};

}  // namespace s2s::serve
