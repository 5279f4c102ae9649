#pragma once
// Starts a Server over fake backends on a free loopback port, in a thread.
#include <httplib.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "s2s/serve/server.h"
#include "serve/fake_backend.h"

namespace s2s::serve::testing {

class RunningServer {
 public:
  explicit RunningServer(ServerOptions options = default_options(),
                         std::vector<std::shared_ptr<FakeBackend>> models = default_models())
      : models_(std::move(models)) {
    options.host = "127.0.0.1";
    options.port = 0;
    std::vector<std::shared_ptr<TranslationBackend>> backends(models_.begin(), models_.end());
    server_ = std::make_unique<Server>(options, backends);
    port_ = server_->bind();
    thread_ = std::thread([this] { server_->run(); });
  }
  ~RunningServer() { stop(); }

  void stop() {
    if (!thread_.joinable()) return;
    for (auto& m : models_) m->release();
    server_->stop();
    thread_.join();
  }

  static ServerOptions default_options() {
    ServerOptions o;
    o.batching = {.max_batch = 32, .wait_ms = 5, .max_queued_cost = 1000};
    o.limits.max_inputs = 8;
    o.limits.max_input_chars = 50;
    o.max_body_bytes = 4096;
    o.timeout_ms = 20000;
    o.http_threads = 24;
    return o;
  }
  static std::vector<std::shared_ptr<FakeBackend>> default_models() {
    return {std::make_shared<FakeBackend>("fake"), std::make_shared<FakeBackend>("upper", "U:")};
  }

  int port() const { return port_; }
  Server& server() { return *server_; }
  FakeBackend& model(std::size_t i) { return *models_.at(i); }
  std::unique_ptr<httplib::Client> client() const {
    auto c = std::make_unique<httplib::Client>("127.0.0.1", port_);
    c->set_read_timeout(30, 0);
    return c;
  }

 private:
  std::vector<std::shared_ptr<FakeBackend>> models_;
  std::unique_ptr<Server> server_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace s2s::serve::testing
