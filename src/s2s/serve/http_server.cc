#include "s2s/serve/http_server.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace s2s::serve {

namespace {

using Clock = std::chrono::steady_clock;

// The connection the calling pool thread serves.
struct Connection {
  int sock = -1;
  bool close_after = false;
};
thread_local Connection t_connection;
thread_local Clock::time_point t_accepted;  // when the pool took the current connection's job in

int millis(time_t sec, time_t usec) { return static_cast<int>(sec * 1000 + usec / 1000); }

// poll() for `events` on one socket; > 0 ready, 0 timed out, < 0 error.
int wait_for(int sock, short events, int timeout_ms) {
  pollfd p{sock, events, 0};
  for (;;) {
    int r = poll(&p, 1, timeout_ms);
    if (r < 0 && errno == EINTR) continue;
    return r;
  }
}

void address_of(int sock, bool peer, std::string& ip, int& port) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  auto* a = reinterpret_cast<sockaddr*>(&addr);
  if ((peer ? getpeername(sock, a, &len) : getsockname(sock, a, &len)) != 0) return;
  if (addr.ss_family == AF_INET) port = ntohs(reinterpret_cast<const sockaddr_in*>(&addr)->sin_port);
  else if (addr.ss_family == AF_INET6) port = ntohs(reinterpret_cast<const sockaddr_in6*>(&addr)->sin6_port);
  else return;
  char host[NI_MAXHOST] = {};
  if (getnameinfo(a, len, host, sizeof host, nullptr, 0, NI_NUMERICHOST) == 0) ip = host;
}

// A socket as httplib's Stream, with a read buffer that lives as long as the
// connection (so bytes of a pipelined request read early are not lost).
class ConnectionStream : public httplib::Stream {
 public:
  ConnectionStream(int sock, int read_timeout_ms, int write_timeout_ms)
      : sock_(sock), read_timeout_ms_(read_timeout_ms), write_timeout_ms_(write_timeout_ms), buffer_(4096) {}

  bool buffered() const { return begin_ < end_; }

  bool is_readable() const override { return buffered() || wait_for(sock_, POLLIN, read_timeout_ms_) > 0; }
  bool is_writable() const override {
    if (wait_for(sock_, POLLOUT, write_timeout_ms_) <= 0) return false;
    // Like httplib: no writing to a peer that has closed its side.
    if (wait_for(sock_, POLLIN, 0) <= 0) return true;
    char c;
    return recv(sock_, &c, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
  }

  ssize_t read(char* ptr, size_t size) override {
    if (!buffered()) {
      if (wait_for(sock_, POLLIN, read_timeout_ms_) <= 0) return -1;
      if (size >= buffer_.size()) return receive(ptr, size);
      ssize_t n = receive(buffer_.data(), buffer_.size());
      if (n <= 0) return n;
      begin_ = 0;
      end_ = static_cast<std::size_t>(n);
    }
    std::size_t n = std::min(size, end_ - begin_);
    std::memcpy(ptr, buffer_.data() + begin_, n);
    begin_ += n;
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (!is_writable()) return -1;
    for (;;) {
      ssize_t n = send(sock_, ptr, size, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      return n;
    }
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override { address_of(sock_, true, ip, port); }
  void get_local_ip_and_port(std::string& ip, int& port) const override { address_of(sock_, false, ip, port); }
  socket_t socket() const override { return sock_; }

 private:
  ssize_t receive(char* ptr, size_t size) {
    for (;;) {
      ssize_t n = recv(sock_, ptr, size, 0);
      if (n < 0 && errno == EINTR) continue;
      return n;
    }
  }

  int sock_;
  int read_timeout_ms_, write_timeout_ms_;
  std::vector<char> buffer_;
  std::size_t begin_ = 0, end_ = 0;
};

// Sends FIN, then reads and drops what the client still sends (a body we
// did not read) for a moment, so that closing does not reset the connection
// before the client has read the response.
void lingering_close(int sock) {
  shutdown(sock, SHUT_WR);
  char sink[4096];
  const auto until = Clock::now() + std::chrono::seconds(1);
  for (std::size_t total = 0; total < (1u << 20);) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
    if (left <= 0 || wait_for(sock, POLLIN, static_cast<int>(left)) <= 0) break;
    ssize_t n = recv(sock, sink, sizeof sink, 0);
    if (n <= 0) break;
    total += static_cast<std::size_t>(n);
  }
  close(sock);
}

}  // namespace

// httplib::ThreadPool with a count of the connections waiting for a thread.
class HttpServer::Pool : public httplib::TaskQueue {
 public:
  // `current` points at this pool until shutdown (httplib deletes the pool then).
  Pool(std::size_t threads, std::atomic<Pool*>& current) : current_(current) {
    current_ = this;
    for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { work(); });
  }

  void enqueue(std::function<void()> fn) override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      jobs_.push_back({std::move(fn), Clock::now()});
      waiting_ = jobs_.size();
    }
    cv_.notify_one();
  }

  void shutdown() override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      shutdown_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
    current_ = nullptr;
  }

  std::size_t waiting() const { return waiting_.load(); }

 private:
  struct Job {
    std::function<void()> fn;
    Clock::time_point accepted;
  };

  void work() {
    for (;;) {
      Job job;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        cv_.wait(lock, [&] { return shutdown_ || !jobs_.empty(); });
        if (jobs_.empty()) return;
        job = std::move(jobs_.front());
        jobs_.pop_front();
        waiting_ = jobs_.size();
      }
      t_accepted = job.accepted;
      job.fn();
    }
  }

  std::atomic<Pool*>& current_;
  std::vector<std::thread> threads_;
  std::deque<Job> jobs_;
  std::atomic<std::size_t> waiting_{0};
  bool shutdown_ = false;
  std::mutex mutex_;
  std::condition_variable cv_;
};

HttpServer::HttpServer(int threads) : threads_(threads) {
  new_task_queue = [this] { return new Pool(static_cast<std::size_t>(threads_), pool_); };
}

bool HttpServer::client_closed() {
  const int sock = t_connection.sock;
  if (sock < 0) return false;
  pollfd p{sock, POLLIN | POLLRDHUP, 0};
  if (poll(&p, 1, 0) <= 0) return false;
  // Readable alone is a pipelined request; a hang-up or error is the client gone.
  return (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) != 0;
}

void HttpServer::close_after_response() { t_connection.close_after = true; }

std::size_t HttpServer::waiting_connections() const {
  Pool* pool = pool_.load();
  return pool ? pool->waiting() : 0;
}

// What httplib's own loop does (keep-alive up to keep_alive_max_count_
// requests, each waited for at most keep_alive_timeout_sec_, until the
// server stops), except for the idle rule and close_after_response.
bool HttpServer::process_and_close_socket(socket_t sock) {
  ConnectionStream stream(sock, millis(read_timeout_sec_, read_timeout_usec_),
                          millis(write_timeout_sec_, write_timeout_usec_));
  t_connection = {sock, false};
  Clock::time_point idle_since = t_accepted == Clock::time_point{} ? Clock::now() : t_accepted;
  const auto keep_alive = std::chrono::seconds(keep_alive_timeout_sec_);
  auto next_request = [&] {
    for (;;) {
      if (svr_sock_ == INVALID_SOCKET) return false;  // stopping
      if (stream.buffered()) return true;
      int r = wait_for(sock, POLLIN, 10);
      if (r != 0) return r > 0;  // data, or the end: process_request reads which
      const auto idle = Clock::now() - idle_since;
      if (idle > keep_alive) return false;
      if (idle >= kIdleGrace && waiting_connections() > 0) return false;  // make room
    }
  };
  bool ret = false;
  for (std::size_t left = keep_alive_max_count_; left > 0 && next_request(); --left) {
    bool connection_closed = false;
    ret = process_request(stream, left == 1 || svr_sock_ == INVALID_SOCKET, connection_closed, nullptr);
    if (!ret || connection_closed || t_connection.close_after) break;
    idle_since = Clock::now();
  }
  if (t_connection.close_after) {
    lingering_close(sock);
  } else {
    shutdown(sock, SHUT_RDWR);
    close(sock);
  }
  t_connection = {};
  return ret;
}

}  // namespace s2s::serve
