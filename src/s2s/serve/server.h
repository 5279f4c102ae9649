#pragma once
// The HTTP server: routes, limits, metrics and one DynamicBatcher per model.
//
//   GET  /               the web page (web_page.h)
//   GET  /health         {"status": "ok", "models": [...]}
//   GET  /v1/models      the models served
//   GET  /metrics        Prometheus text (metrics.h)
//   POST /v1/translate   request.h in, response.h out
//
// Every error is a 4xx/5xx with {"error": "..."}; docs/serve.md has the API.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "s2s/serve/batcher.h"
#include "s2s/serve/metrics.h"
#include "s2s/serve/request.h"
#include "s2s/serve/translation_backend.h"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace s2s::serve {

class HttpServer;

struct ServerOptions {
  std::string host = "127.0.0.1";  // loopback unless told otherwise
  int port = 8080;                 // 0: any free port (bind() returns it)
  BatchingOptions batching;
  RequestLimits limits;
  std::int64_t max_body_bytes = 1 << 20;
  std::int64_t timeout_ms = 30000;  // per translate request, queueing included
  int http_threads = 64;            // connections served at once (an idle one gives way to waiting ones)
  int keep_alive_s = 5;             // longest an idle keep-alive connection is kept
};

// The URL to print for a listening address: http://HOST:PORT/, with an IPv6
// address in brackets (http://[::1]:8080/).
std::string listen_url(const std::string& host, int port);

class Server {
 public:
  // Model names must be unique; the first model is the default.
  Server(ServerOptions options, std::vector<std::shared_ptr<TranslationBackend>> models);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens; returns the port. Throws s2s::Error when it cannot.
  int bind();
  // Accepts connections until stop(); returns once every request in flight
  // has been answered and the batchers have drained.
  void run();
  // Stops accepting; run() then drains and returns. Callable from any thread.
  void stop();

  const ServerOptions& options() const { return options_; }
  Metrics& metrics() { return metrics_; }
  // Sentences, and their cost, waiting in a model's batcher (for tests and the metrics page).
  std::int64_t queued_sentences(const std::string& model) const;
  std::int64_t queued_cost(const std::string& model) const;

 private:
  void install_routes();
  void handle_translate(const httplib::Request& req, httplib::Response& res);
  void record(const httplib::Request& req, int status);
  DynamicBatcher& find_model(const std::string& name);
  std::string models_json() const;

  ServerOptions options_;
  std::vector<std::string> names_;  // in command-line order
  std::map<std::string, std::unique_ptr<DynamicBatcher>> batchers_;
  Metrics metrics_;
  std::unique_ptr<HttpServer> http_;
  std::atomic<std::int64_t> in_flight_{0};
  bool bound_ = false;
  // stop() may come before httplib's accept loop has started, when its own
  // stop() would be lost; run()'s stopper thread waits for both.
  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stop_requested_ = false;
  std::atomic<bool> run_finished_{false};
};

// Blocks SIGTERM and SIGINT in the calling thread and every thread it starts
// afterwards. Call first thing in main, before any thread (OpenMP's included)
// exists, so the signals reach only serve_until_signal.
void block_termination_signals();

// Runs `server` until SIGTERM or SIGINT arrives, then drains in-flight
// requests and returns the signal number (0 when the server stopped by itself).
int serve_until_signal(Server& server);

}  // namespace s2s::serve
