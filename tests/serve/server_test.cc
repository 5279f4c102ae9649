// The HTTP server over fake backends: every endpoint, every error, and
// concurrent requests whose results equal decoding each alone.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>

#include "serve/server_fixture.h"

namespace s2s::serve {
namespace {

using nlohmann::json;
using testing::FakeBackend;
using testing::RunningServer;

json parse(const httplib::Result& r) {
  EXPECT_TRUE(r) << "no response: " << httplib::to_string(r.error());
  return r ? json::parse(r->body) : json();
}

httplib::Result post(httplib::Client& c, const std::string& body) {
  return c.Post("/v1/translate", body, "application/json");
}

// A raw loopback connection to the server (for what httplib's client cannot send).
int connect_raw(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  EXPECT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  return fd;
}

// Sends `request` and reads until the peer closes or a full response with
// Content-Length has arrived.
std::string send_and_read(int fd, const std::string& request) {
  EXPECT_EQ(write(fd, request.data(), request.size()), static_cast<ssize_t>(request.size()));
  std::string got;
  char buf[4096];
  for (;;) {
    std::size_t end = got.find("\r\n\r\n");
    std::size_t len = got.find("Content-Length: ");
    if (end != std::string::npos && len != std::string::npos &&
        got.size() >= end + 4 + std::stoul(got.substr(len + 16)))
      return got;
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) return got;
    got.append(buf, static_cast<std::size_t>(n));
  }
}

// Waits (at most 10 s) until `model` holds `n` queued sentences.
bool wait_queued(Server& s, const std::string& model, std::int64_t n) {
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (s.queued_sentences(model) != n) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

TEST(ServeServer, HealthModelsAndPage) {
  RunningServer s;
  auto c = s.client();
  auto r = c->Get("/health");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(json::parse(r->body), (json{{"status", "ok"}, {"models", {"fake", "upper"}}}));

  json models = parse(c->Get("/v1/models"));
  ASSERT_EQ(models["models"].size(), 2u);
  EXPECT_EQ(models["models"][0]["name"], "fake");
  EXPECT_EQ(models["models"][0]["max_beam"], 8);
  EXPECT_EQ(models["models"][1]["name"], "upper");
  EXPECT_EQ(models["default"], "fake");
  EXPECT_EQ(models["limits"]["max_inputs"], 8);
  EXPECT_EQ(models["limits"]["max_body_bytes"], 4096);

  r = c->Get("/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(r->body.find("<title>s2s translate</title>"), std::string::npos);
  EXPECT_NE(r->body.find("fetch(\"/v1/translate\""), std::string::npos);
  // Self-contained: no external scripts, styles or fonts.
  EXPECT_EQ(r->body.find("<script src"), std::string::npos);
  EXPECT_EQ(r->body.find("<link"), std::string::npos);
  EXPECT_EQ(r->body.find("https://"), std::string::npos);
}

TEST(ServeServer, TranslateReturnsTextScoreAndAlignment) {
  RunningServer s;
  auto c = s.client();
  json body = parse(post(*c, R"({"inputs": ["a b c", "d"], "beam": 2, "return_alignments": true})"));
  ASSERT_TRUE(body.contains("outputs")) << body.dump();
  EXPECT_EQ(body["model"], "fake");
  EXPECT_GE(body["time_ms"].get<double>(), 0.0);
  json expected0 = {{"text", "c b a <b=2>"},
                    {"score", -2.02},
                    {"alignment", {{0, 0, 1}, {0, 1, 0}, {1, 0, 0}, {0.3333, 0.3333, 0.3333}}},
                    {"source_tokens", {"a", "b", "c"}},
                    {"target_tokens", {"c", "b", "a", "<b=2>"}}};
  EXPECT_EQ(body["outputs"][0], expected0);
  EXPECT_EQ(body["outputs"][1]["text"], "d <b=2>");

  body = parse(post(*c, R"({"inputs": ["a b"], "return_scores": false})"));
  EXPECT_EQ(body["outputs"][0], (json{{"text", "b a"}}));

  body = parse(post(*c, R"({"model": "upper", "inputs": ["a b"], "max_length": 1})"));
  EXPECT_EQ(body["model"], "upper");
  EXPECT_EQ(body["outputs"][0]["text"], "U:b");

  body = parse(post(*c, R"({"inputs": ["x y"], "beam": 3, "n_best": 3})"));
  ASSERT_EQ(body["outputs"][0]["n_best"].size(), 3u);
  EXPECT_EQ(body["outputs"][0]["text"], "y x <b=3>");
  EXPECT_EQ(body["outputs"][0]["n_best"][2], (json{{"text", "y x <b=3> #2"}, {"score", -3.53}}));

  body = parse(post(*c, R"({"inputs": ["x"], "sampling": {"seed": 7, "temperature": 0.7}})"));
  EXPECT_EQ(body["outputs"][0]["text"], "x <s=7>");
  std::vector<FakeBackend::Call> calls = s.model(0).calls();
  ASSERT_FALSE(calls.empty());
  EXPECT_TRUE(calls.back().options.sampling.enabled);
  EXPECT_FLOAT_EQ(calls.back().options.sampling.temperature, 0.7f);
}

struct ErrorCase {
  std::string method, path, body;
  int status;
  std::string message;
};

TEST(ServeServer, EveryErrorIsJsonWithAStatusAndAReason) {
  RunningServer s;
  auto c = s.client();
  std::string big = "{\"inputs\": [\"" + std::string(8000, 'a') + "\"]}";
  std::vector<ErrorCase> cases = {
      {"POST", "/v1/translate", "{\"inputs\": [", 400, "malformed JSON"},
      {"POST", "/v1/translate", "", 400, "empty request body"},
      {"POST", "/v1/translate", "[1]", 400, "must be a JSON object"},
      {"POST", "/v1/translate", R"({"inputs": "a"})", 400, "inputs must be an array of strings"},
      {"POST", "/v1/translate", R"({"inputs": [1]})", 400, "inputs[0] must be a string"},
      {"POST", "/v1/translate", R"({"inputs": ["a"], "beam": "2"})", 400, "beam must be an integer"},
      {"POST", "/v1/translate", R"({"inputs": ["a"], "beam": 9})", 400, "beam 9 exceeds model fake's limit of 8"},
      {"POST", "/v1/translate", R"({"inputs": ["a"], "bogus": 1})", 400, "unknown field \"bogus\""},
      {"POST", "/v1/translate", R"({"inputs": []})", 400, "inputs is empty"},
      {"POST", "/v1/translate", R"({"inputs": ["  "]})", 400, "inputs[0] is empty"},
      {"POST", "/v1/translate", R"({"inputs": ["a"], "model": "nope"})", 404,
       "unknown model 'nope' (serving: fake, upper)"},
      {"POST", "/v1/translate", R"({"inputs": ["1","2","3","4","5","6","7","8","9"]})", 413, "too many inputs: 9"},
      {"POST", "/v1/translate", "{\"inputs\": [\"" + std::string(51, 'x') + "\"]}", 413,
       "inputs[0] is too long: 51 characters"},
      {"POST", "/v1/translate", big, 413, "request body too large: the limit is 4096 bytes"},
      {"POST", "/v1/translate", R"({"inputs": ["FAIL"]})", 400, "fake: cannot translate FAIL"},
      {"POST", "/v1/translate", R"({"inputs": ["CRASH"]})", 500, "internal error: fake: crashed"},
      {"GET", "/v1/translate", "", 405, "use POST for /v1/translate"},
      {"GET", "/nowhere", "", 404, "no such endpoint: GET /nowhere"},
      {"POST", "/health", "{}", 405, "use GET, HEAD for /health (got POST)"},
      {"PUT", "/v1/translate", R"({"inputs": ["a"]})", 405, "use POST for /v1/translate"},
      {"DELETE", "/nowhere", "", 404, "no such endpoint: DELETE /nowhere"},
  };
  for (const ErrorCase& e : cases) {
    SCOPED_TRACE(e.method + " " + e.path + " " + e.body.substr(0, 80));
    auto r = e.method == "GET"    ? c->Get(e.path)
             : e.method == "PUT"  ? c->Put(e.path, e.body, "application/json")
             : e.method == "DELETE" ? c->Delete(e.path)
                                    : c->Post(e.path, e.body, "application/json");
    ASSERT_TRUE(r) << httplib::to_string(r.error());
    EXPECT_EQ(r->status, e.status);
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
    json body = json::parse(r->body, nullptr, false);
    ASSERT_TRUE(body.is_object()) << r->body;
    ASSERT_TRUE(body["error"].is_string()) << r->body;
    EXPECT_NE(body["error"].get<std::string>().find(e.message), std::string::npos) << body["error"];
  }
  // After all of that the server still answers.
  EXPECT_EQ(parse(post(*c, R"({"inputs": ["still here"]})"))["outputs"][0]["text"], "here still");
}

TEST(ServeServer, TimeoutAnswers504AndTheServerRecovers) {
  auto options = RunningServer::default_options();
  options.timeout_ms = 100;
  RunningServer s(options);
  s.model(0).hold();
  auto c = s.client();
  auto r = post(*c, R"({"inputs": ["slow"]})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 504);
  EXPECT_NE(json::parse(r->body)["error"].get<std::string>().find("did not finish in time"), std::string::npos);
  s.model(0).release();
  EXPECT_EQ(parse(post(*c, R"({"inputs": ["fast now"]})"))["outputs"][0]["text"], "now fast");
}

TEST(ServeServer, ConcurrentRequestsEqualSingleDecoding) {
  RunningServer s;
  s.model(0).set_delay(std::chrono::milliseconds(2));  // lets batches form
  const int clients = 12, per_client = 5;
  auto request = [](int i, int k) {
    json r = {{"inputs", {"c" + std::to_string(i) + " r" + std::to_string(k) + " tail"}},
              {"beam", 1 + (i + k) % 3},
              {"return_alignments", (i + k) % 2 == 0}};
    if (k == 4) r["inputs"].push_back("second " + std::to_string(i));
    if (i % 4 == 3) r["model"] = "upper";
    return r.dump();
  };
  auto strip = [](json j) {
    j.erase("time_ms");
    return j;
  };
  // Alone: one request at a time.
  std::vector<std::vector<json>> alone(clients, std::vector<json>(per_client));
  auto c = s.client();
  for (int i = 0; i < clients; ++i)
    for (int k = 0; k < per_client; ++k) alone[i][k] = strip(parse(post(*c, request(i, k))));
  // Together: every client at once, each on its own connection.
  std::vector<std::future<std::vector<json>>> futures;
  for (int i = 0; i < clients; ++i)
    futures.push_back(std::async(std::launch::async, [&, i] {
      auto ci = s.client();
      std::vector<json> out;
      for (int k = 0; k < per_client; ++k) out.push_back(strip(parse(post(*ci, request(i, k)))));
      return out;
    }));
  for (int i = 0; i < clients; ++i) {
    std::vector<json> together = futures[i].get();
    for (int k = 0; k < per_client; ++k) EXPECT_EQ(together[k], alone[i][k]) << "client " << i << " request " << k;
  }
  std::string metrics = c->Get("/metrics")->body;
  EXPECT_NE(metrics.find("s2s_requests_total{endpoint=\"/v1/translate\",code=\"200\"} 120\n"), std::string::npos)
      << metrics;
}

TEST(ServeServer, MetricsCountBatchesRequestsAndTokens) {
  RunningServer s;
  auto c = s.client();
  s.model(0).hold();
  auto first = std::async(std::launch::async, [&] { return post(*s.client(), R"({"inputs": ["a b c"]})"); });
  ASSERT_TRUE(s.model(0).wait_started(1));
  std::vector<std::future<httplib::Result>> rest;
  for (int i = 0; i < 5; ++i)
    rest.push_back(std::async(std::launch::async, [&, i] {
      return post(*s.client(), "{\"inputs\": [\"w" + std::to_string(i) + " x\"]}");
    }));
  ASSERT_TRUE(wait_queued(s.server(), "fake", 5));
  std::string during = c->Get("/metrics")->body;
  EXPECT_NE(during.find("s2s_queued_sentences{model=\"fake\"} 5\n"), std::string::npos) << during;
  EXPECT_NE(during.find("s2s_requests_in_flight 6\n"), std::string::npos) << during;
  s.model(0).release();
  EXPECT_EQ(first.get()->status, 200);
  for (auto& f : rest) EXPECT_EQ(f.get()->status, 200);
  ASSERT_EQ(s.model(0).calls().size(), 2u);
  EXPECT_EQ(s.model(0).calls()[1].inputs.size(), 5u);  // the five queued requests in one call
  EXPECT_EQ(c->Get("/nowhere")->status, 404);

  std::string m = c->Get("/metrics")->body;
  for (const char* line : {
           "# TYPE s2s_requests_total counter\n",
           "s2s_requests_total{endpoint=\"/v1/translate\",code=\"200\"} 6\n",
           "s2s_requests_total{endpoint=\"other\",code=\"404\"} 1\n",
           "s2s_errors_total{endpoint=\"other\",code=\"404\"} 1\n",
           "# TYPE s2s_request_duration_seconds histogram\n",
           "s2s_request_duration_seconds_count{endpoint=\"/v1/translate\"} 6\n",
           "s2s_request_duration_seconds_bucket{endpoint=\"/v1/translate\",le=\"+Inf\"} 6\n",
           "s2s_batch_size_bucket{model=\"fake\",le=\"1\"} 1\n",
           "s2s_batch_size_bucket{model=\"fake\",le=\"4\"} 1\n",
           "s2s_batch_size_bucket{model=\"fake\",le=\"8\"} 2\n",
           "s2s_batch_size_sum{model=\"fake\"} 6\n",
           "s2s_batch_requests_sum{model=\"fake\"} 6\n",
           "s2s_translated_sentences_total{model=\"fake\"} 6\n",
           "s2s_generated_tokens_total{model=\"fake\"} 13\n",  // 3 + 5 * 2
           "# TYPE s2s_tokens_per_second gauge\n",
           "s2s_queued_sentences{model=\"fake\"} 0\n",
       })
    EXPECT_NE(m.find(line), std::string::npos) << "missing: " << line << "\nin:\n" << m;
}

TEST(ServeServer, ClientsThatHangUpOrSendGarbageDoNotHurtTheServer) {
  RunningServer s;
  s.model(0).hold();
  {
    auto impatient = s.client();
    impatient->set_read_timeout(0, 100 * 1000);
    EXPECT_FALSE(post(*impatient, R"({"inputs": ["left early"]})"));
  }
  s.model(0).release();
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(s.port()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  const char garbage[] = "\x01\x02 NOT HTTP\r\n\r\n";
  ASSERT_GT(write(fd, garbage, sizeof garbage - 1), 0);
  char buf[512] = {};
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(buf).rfind("HTTP/1.1 400", 0), 0u) << buf;
  auto c = s.client();
  EXPECT_EQ(parse(post(*c, R"({"inputs": ["fine"]})"))["outputs"][0]["text"], "fine");
}

TEST(ServeServer, MalformedContentLengthIs400AndTheConnectionCloses) {
  RunningServer s;
  for (const std::string length : {"-5", "12abc", "0x10", "+7"}) {
    SCOPED_TRACE("Content-Length: " + length);
    int fd = connect_raw(s.port());
    std::string got = send_and_read(fd, "POST /v1/translate HTTP/1.1\r\nHost: x\r\nContent-Length: " + length + "\r\n\r\n");
    close(fd);
    EXPECT_EQ(got.rfind("HTTP/1.1 400", 0), 0u) << got;
    EXPECT_NE(got.find("malformed Content-Length header"), std::string::npos) << got;
    EXPECT_NE(got.find("Connection: close"), std::string::npos) << got;
  }
  // Two lengths are as bad as a wrong one.
  int fd = connect_raw(s.port());
  std::string got = send_and_read(fd, "POST /v1/translate HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}");
  close(fd);
  EXPECT_EQ(got.rfind("HTTP/1.1 400", 0), 0u) << got;
  // A declared length over the limit is 413 before any of the body is read.
  fd = connect_raw(s.port());
  got = send_and_read(fd, "POST /v1/translate HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n");
  close(fd);
  EXPECT_EQ(got.rfind("HTTP/1.1 413", 0), 0u) << got;
  EXPECT_NE(got.find("request body too large: the limit is 4096 bytes"), std::string::npos) << got;
  auto c = s.client();
  EXPECT_EQ(parse(post(*c, R"({"inputs": ["fine"]})"))["outputs"][0]["text"], "fine");
  std::string m = c->Get("/metrics")->body;
  EXPECT_NE(m.find("s2s_requests_total{endpoint=\"/v1/translate\",code=\"400\"} 5\n"), std::string::npos) << m;
}

TEST(ServeServer, WrongMethodOnAKnownPathIs405WithAllow) {
  RunningServer s;
  auto c = s.client();
  auto r = c->Put("/v1/translate", R"({"inputs": ["a"]})", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->get_header_value("Allow"), "POST");
  r = c->Get("/v1/translate");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->get_header_value("Allow"), "POST");
  for (const char* path : {"/health", "/metrics", "/v1/models", "/"}) {
    r = c->Post(path, "{}", "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 405) << path;
    EXPECT_EQ(r->get_header_value("Allow"), "GET, HEAD") << path;
  }
  r = c->Put("/nowhere", "{}", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_FALSE(r->has_header("Allow"));
}

TEST(ServeServer, HealthAnswersWhileIdleConnectionsHoldEveryThread) {
  auto options = RunningServer::default_options();
  options.http_threads = 2;
  options.keep_alive_s = 120;  // idle connections would hold their threads far longer than the client waits
  RunningServer s(options);
  std::vector<int> idle;
  // Keep-alive connections that made one request and then sit idle, and
  // connections that never send anything: four times the threads.
  for (int i = 0; i < 4; ++i) {
    int fd = connect_raw(s.port());
    std::string got = send_and_read(fd, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(got.rfind("HTTP/1.1 200", 0), 0u) << got;
    idle.push_back(fd);
  }
  for (int i = 0; i < 4; ++i) idle.push_back(connect_raw(s.port()));
  auto c = s.client();
  c->set_read_timeout(30, 0);
  auto r = c->Get("/health");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 200);
  for (int fd : idle) close(fd);
}

TEST(ServeServer, AClientThatHangsUpCancelsItsTranslation) {
  RunningServer s;
  s.model(0).hold();  // decoding "runs" until released or cancelled
  int fd = connect_raw(s.port());
  const std::string body = R"({"inputs": ["never read"]})";
  std::string request = "POST /v1/translate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
                        std::to_string(body.size()) + "\r\n\r\n" + body;
  ASSERT_EQ(write(fd, request.data(), request.size()), static_cast<ssize_t>(request.size()));
  ASSERT_TRUE(s.model(0).wait_started(1));
  close(fd);
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (s.model(0).cancelled_calls() == 0 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_EQ(s.model(0).cancelled_calls(), 1) << "decoding went on for a client that left";
  auto c = s.client();
  std::string m;
  for (int i = 0; i < 1000 && m.find("code=\"499\"") == std::string::npos; ++i) {
    m = c->Get("/metrics")->body;  // the 499 is counted when its handler returns
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_NE(m.find("s2s_cancelled_requests_total{model=\"fake\",reason=\"client_closed\"} 1\n"), std::string::npos) << m;
  EXPECT_NE(m.find("s2s_cancelled_batches_total{model=\"fake\"} 1\n"), std::string::npos) << m;
  EXPECT_NE(m.find("s2s_requests_total{endpoint=\"/v1/translate\",code=\"499\"} 1\n"), std::string::npos) << m;
  s.model(0).release();
  EXPECT_EQ(parse(post(*c, R"({"inputs": ["still here"]})"))["outputs"][0]["text"], "here still");
}

TEST(ServeServer, AFullQueueAnswers503WithRetryAfter) {
  auto options = RunningServer::default_options();
  options.batching.max_queued_cost = 6;
  RunningServer s(options);
  s.model(0).hold();
  auto first = std::async(std::launch::async, [&] { return post(*s.client(), R"({"inputs": ["x"]})"); });
  ASSERT_TRUE(s.model(0).wait_started(1));
  auto second = std::async(std::launch::async, [&] { return post(*s.client(), R"({"inputs": ["a b"]})"); });  // cost 3
  ASSERT_TRUE(wait_queued(s.server(), "fake", 1));
  EXPECT_EQ(s.server().queued_cost("fake"), 3);
  auto c = s.client();
  auto r = post(*c, R"({"inputs": ["c d e"]})");  // cost 4: 7 > 6
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->get_header_value("Retry-After"), "1");  // nothing decoded yet to measure the speed by
  EXPECT_NE(json::parse(r->body)["error"].get<std::string>().find("--max-queued-cost"), std::string::npos) << r->body;
  r = post(*c, R"({"inputs": ["a b c"], "beam": 2})");  // cost 8 > 6 on its own
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_FALSE(r->has_header("Retry-After"));
  EXPECT_NE(c->Get("/metrics")->body.find("s2s_queued_cost{model=\"fake\"} 3\n"), std::string::npos);
  s.model(0).release();
  EXPECT_EQ(first.get()->status, 200);
  EXPECT_EQ(second.get()->status, 200);
}

TEST(ServeServer, ListenUrlBracketsIpv6Addresses) {
  EXPECT_EQ(listen_url("127.0.0.1", 8080), "http://127.0.0.1:8080/");
  EXPECT_EQ(listen_url("0.0.0.0", 80), "http://0.0.0.0:80/");
  EXPECT_EQ(listen_url("localhost", 9000), "http://localhost:9000/");
  EXPECT_EQ(listen_url("::1", 8080), "http://[::1]:8080/");
  EXPECT_EQ(listen_url("::", 8080), "http://[::]:8080/");
  EXPECT_EQ(listen_url("fe80::1%eth0", 1), "http://[fe80::1%eth0]:1/");
}

}  // namespace
}  // namespace s2s::serve
