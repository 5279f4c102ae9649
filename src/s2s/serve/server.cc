#include "s2s/serve/server.h"

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <functional>
#include <httplib.h>
#include <thread>

#include "s2s/core/error.h"
#include "s2s/serve/http_server.h"
#include "s2s/serve/response.h"
#include "s2s/serve/web_page.h"

namespace s2s::serve {

namespace {

using nlohmann::json;

constexpr const char* kJson = "application/json";

// When the current request arrived; set by the pre-routing handler, read by
// record(), both on the connection's thread.
thread_local Clock::time_point t_request_start{};

void set_error(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  res.set_content(error_body(message), kJson);
}

std::string routes_hint() { return "GET /, /health, /v1/models, /metrics; POST /v1/translate"; }

// The methods a known path answers ("" for an unknown path).
std::string allowed_methods(const std::string& path) {
  if (path == "/v1/translate") return "POST";
  if (path == "/" || path == "/health" || path == "/v1/models" || path == "/metrics") return "GET, HEAD";
  return "";
}

}  // namespace

std::string listen_url(const std::string& host, int port) {
  const bool ipv6 = host.find(':') != std::string::npos && host.front() != '[';
  return "http://" + (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port) + "/";
}

Server::Server(ServerOptions options, std::vector<std::shared_ptr<TranslationBackend>> models)
    : options_(std::move(options)) {
  S2S_CHECK(!models.empty(), "s2s serve: give at least one model (-m DIR)");
  S2S_CHECK(options_.max_body_bytes >= 64, "s2s serve: --max-body-bytes must be at least 64, got ",
            options_.max_body_bytes);
  S2S_CHECK(options_.timeout_ms >= 1, "s2s serve: --timeout-ms must be at least 1, got ", options_.timeout_ms);
  S2S_CHECK(options_.http_threads >= 1, "s2s serve: --http-threads must be at least 1, got ", options_.http_threads);
  S2S_CHECK(options_.keep_alive_s >= 1, "serve: keep_alive_s must be at least 1, got ", options_.keep_alive_s);
  http_ = std::make_unique<HttpServer>(options_.http_threads);
  S2S_CHECK(options_.limits.max_inputs >= 1, "s2s serve: --max-inputs must be at least 1");
  S2S_CHECK(options_.limits.max_input_chars >= 1, "s2s serve: --max-input-chars must be at least 1");
  for (auto& m : models) {
    S2S_CHECK(m, "serve: null backend");
    const std::string& name = m->info().name;
    S2S_CHECK(!name.empty(), "s2s serve: a model has an empty name");
    S2S_CHECK(!batchers_.count(name), "s2s serve: two models are named '", name, "' (use -m NAME=DIR)");
    names_.push_back(name);
    batchers_.emplace(name, std::make_unique<DynamicBatcher>(m, options_.batching, &metrics_));
  }
  install_routes();
}

Server::~Server() {
  for (auto& [name, b] : batchers_) b->stop();
}

int Server::bind() {
  S2S_CHECK(!bound_, "serve: bind() called twice");
  int port = options_.port;
  if (port == 0) {
    port = http_->bind_to_any_port(options_.host);
    S2S_CHECK(port > 0, "s2s serve: cannot listen on ", options_.host, " (any port)");
  } else {
    S2S_CHECK(port > 0 && port < 65536, "s2s serve: --port must be between 0 and 65535, got ", port);
    S2S_CHECK(http_->bind_to_port(options_.host, port), "s2s serve: cannot listen on ", options_.host, ":", port,
              " (address in use, or not an address of this machine)");
  }
  bound_ = true;
  return port;
}

void Server::run() {
  S2S_CHECK(bound_, "serve: run() before bind()");
  std::thread stopper([this] {
    std::unique_lock<std::mutex> lock(stop_mutex_);
    stop_cv_.wait(lock, [&] { return stop_requested_ || run_finished_.load(); });
    lock.unlock();
    while (!http_->is_running() && !run_finished_.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (!run_finished_.load()) http_->stop();
  });
  http_->listen_after_bind();  // returns after the connection threads joined
  {
    std::lock_guard<std::mutex> lock(stop_mutex_);
    run_finished_ = true;
  }
  stop_cv_.notify_all();
  stopper.join();
  for (auto& [name, b] : batchers_) b->stop();
}

void Server::stop() {
  {
    std::lock_guard<std::mutex> lock(stop_mutex_);
    stop_requested_ = true;
  }
  stop_cv_.notify_all();
}

std::int64_t Server::queued_sentences(const std::string& model) const {
  auto it = batchers_.find(model);
  return it == batchers_.end() ? 0 : it->second->queued_sentences();
}

std::int64_t Server::queued_cost(const std::string& model) const {
  auto it = batchers_.find(model);
  return it == batchers_.end() ? 0 : it->second->queued_cost();
}

DynamicBatcher& Server::find_model(const std::string& name) {
  if (name.empty()) return *batchers_.at(names_.front());
  auto it = batchers_.find(name);
  if (it == batchers_.end()) {
    std::string list;
    for (const auto& n : names_) list += (list.empty() ? "" : ", ") + n;
    throw HttpError(404, "unknown model '" + name + "' (serving: " + list + ")");
  }
  return *it->second;
}

std::string Server::models_json() const {
  json models = json::array();
  for (const auto& n : names_) {
    const ModelInfo& info = batchers_.at(n)->backend().info();
    models.push_back({{"name", info.name},
                      {"path", info.path},
                      {"description", info.description},
                      {"max_beam", std::min(info.max_beam, options_.limits.max_beam)},
                      {"alignments", info.has_alignments}});
  }
  return dump(json{{"models", models},
                   {"default", names_.front()},
                   {"limits",
                    {{"max_inputs", options_.limits.max_inputs},
                     {"max_input_chars", options_.limits.max_input_chars},
                     {"max_body_bytes", options_.max_body_bytes},
                     {"max_queued_cost", options_.batching.max_queued_cost},
                     {"timeout_ms", options_.timeout_ms}}}});
}

void Server::handle_translate(const httplib::Request& req, httplib::Response& res) {
  auto start = Clock::now();
  in_flight_.fetch_add(1);
  try {
    TranslateRequest r = parse_translate_request(req.body, options_.limits);
    DynamicBatcher& batcher = find_model(r.model);
    const ModelInfo& info = batcher.backend().info();
    if (r.options.beam > info.max_beam)
      throw HttpError(400, "beam " + std::to_string(r.options.beam) + " exceeds model " + info.name + "'s limit of " +
                               std::to_string(info.max_beam));
    if (r.options.return_alignments && !info.has_alignments)
      throw HttpError(400, "model " + info.name + " has no attention, so no alignments (set return_alignments false)");
    auto deadline = start + std::chrono::milliseconds(options_.timeout_ms);
    // Polled while the request waits: a client that hangs up cancels its work.
    std::vector<Result> results =
        batcher.translate(r.inputs, r.options, deadline, [] { return HttpServer::client_closed(); });
    double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    res.status = 200;
    res.set_content(dump(translate_response(results, r.options, info.name, ms)), kJson);
  } catch (const HttpError& e) {
    set_error(res, e.status(), e.what());
    if (e.retry_after_s() > 0) res.set_header("Retry-After", std::to_string(e.retry_after_s()));
  } catch (const s2s::Error& e) {
    set_error(res, 400, e.what());
  } catch (const std::exception& e) {
    set_error(res, 500, std::string("internal error: ") + e.what());
  } catch (...) {
    set_error(res, 500, "internal error");
  }
  in_flight_.fetch_sub(1);
}

// Counted before the response is written, so a client that has its answer
// already finds it in /metrics.
void Server::record(const httplib::Request& req, int status) {
  double seconds =
      t_request_start == Clock::time_point{} ? 0.0 : std::chrono::duration<double>(Clock::now() - t_request_start).count();
  t_request_start = {};
  metrics_.record_request(req.path, status == -1 ? 200 : status, seconds);
}

void Server::install_routes() {
  httplib::Server& s = *http_;
  s.set_payload_max_length(static_cast<std::size_t>(options_.max_body_bytes));
  s.set_keep_alive_max_count(1000);
  s.set_keep_alive_timeout(options_.keep_alive_s);
  s.set_read_timeout(10);
  s.set_write_timeout(10);
  s.set_tcp_nodelay(true);

  // Runs before httplib reads the body. httplib reads Content-Length with
  // strtoull, so "-5" would become a huge length answered "too large" after
  // waiting for that many bytes; a body over the limit would be read and
  // dropped before the answer. Both are answered here at once instead, and
  // the connection is closed (what follows the headers cannot be trusted).
  s.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    t_request_start = Clock::now();
    if (!req.has_header("Content-Length")) return httplib::Server::HandlerResponse::Unhandled;
    const std::string value = req.get_header_value("Content-Length");
    const bool digits = !value.empty() && std::all_of(value.begin(), value.end(), [](char c) {
      return std::isdigit(static_cast<unsigned char>(c)) != 0;
    });
    if (!digits || req.get_header_value_count("Content-Length") > 1) {
      set_error(res, 400, "malformed Content-Length header '" + value.substr(0, 32) +
                              "': expected one non-negative decimal byte count");
    } else if (value.size() > 15 || std::stoll(value) > options_.max_body_bytes) {
      set_error(res, 413, "request body too large: the limit is " + std::to_string(options_.max_body_bytes) + " bytes");
    } else {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    res.set_header("Connection", "close");
    HttpServer::close_after_response();
    record(req, res.status);
    return httplib::Server::HandlerResponse::Handled;
  });
  // httplib's own errors (no route, body too large, bad request line) get
  // the same JSON shape as ours; ours already have a body (and were counted).
  s.set_error_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    std::string msg;
    const std::string allow = res.status == 404 ? allowed_methods(req.path) : "";
    if (!allow.empty()) {
      // A known path asked with the wrong method.
      res.status = 405;
      res.set_header("Allow", allow);
      msg = "use " + allow + " for " + req.path +
            (req.path == "/v1/translate" ? ", with a JSON body {\"inputs\": [...]}" : "") + " (got " + req.method + ")";
    } else if (res.status == 404) msg = "no such endpoint: " + req.method + " " + req.path + " (" + routes_hint() + ")";
    else if (res.status == 413)
      msg = "request body too large: the limit is " + std::to_string(options_.max_body_bytes) + " bytes";
    else if (res.status == 414) msg = "request URI too long";
    else if (res.status == 400) msg = "malformed HTTP request";
    else msg = "HTTP error " + std::to_string(res.status);
    res.set_content(error_body(msg), kJson);
    record(req, res.status);
  });
  s.set_exception_handler([this](const httplib::Request& req, httplib::Response& res, std::exception_ptr) {
    set_error(res, 500, "internal error");
    record(req, 500);
  });

  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;
  auto counted = [this](Handler fn) {
    return [this, fn = std::move(fn)](const httplib::Request& req, httplib::Response& res) {
      fn(req, res);
      record(req, res.status);
    };
  };
  s.Get("/", counted([](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(web_page_html()), "text/html; charset=utf-8");
  }));
  s.Get("/health", counted([this](const httplib::Request&, httplib::Response& res) {
    res.set_content(dump(json{{"status", "ok"}, {"models", names_}}), kJson);
  }));
  s.Get("/v1/models", counted([this](const httplib::Request&, httplib::Response& res) {
    res.set_content(models_json(), kJson);
  }));
  s.Get("/metrics", counted([this](const httplib::Request&, httplib::Response& res) {
    std::string gauges = "# HELP s2s_requests_in_flight Translate requests being answered.\n"
                         "# TYPE s2s_requests_in_flight gauge\ns2s_requests_in_flight " +
                         std::to_string(in_flight_.load()) +
                         "\n# HELP s2s_queued_sentences Sentences waiting for a decoding batch.\n"
                         "# TYPE s2s_queued_sentences gauge\n";
    for (const auto& n : names_)
      gauges += "s2s_queued_sentences{model=\"" + prometheus_label(n) + "\"} " +
                std::to_string(batchers_.at(n)->queued_sentences()) + "\n";
    gauges += "# HELP s2s_queued_cost Work waiting for a decoding batch (beam x longest possible output, summed).\n"
              "# TYPE s2s_queued_cost gauge\n";
    for (const auto& n : names_)
      gauges += "s2s_queued_cost{model=\"" + prometheus_label(n) + "\"} " +
                std::to_string(batchers_.at(n)->queued_cost()) + "\n";
    res.set_content(metrics_.render(gauges), "text/plain; version=0.0.4; charset=utf-8");
  }));
  s.Post("/v1/translate", counted([this](const httplib::Request& req, httplib::Response& res) {
    handle_translate(req, res);
  }));
}

void block_termination_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);  // a client that hangs up must not kill the server
}

int serve_until_signal(Server& server) {
  block_termination_signals();
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  std::atomic<bool> done{false};
  std::atomic<int> received{0};
  std::thread waiter([&] {
    const timespec tick{0, 100 * 1000 * 1000};
    while (!done.load()) {
      int sig = sigtimedwait(&set, nullptr, &tick);
      if (sig > 0) {
        received = sig;
        server.stop();
        return;
      }
    }
  });
  server.run();
  done = true;
  waiter.join();
  return received.load();
}

}  // namespace s2s::serve
