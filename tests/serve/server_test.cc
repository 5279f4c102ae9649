// The HTTP server over fake translators: every endpoint, every error, and
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
using testing::FakeTranslator;
using testing::RunningServer;

json parse(const httplib::Result& r) {
  EXPECT_TRUE(r) << "no response: " << httplib::to_string(r.error());
  return r ? json::parse(r->body) : json();
}

httplib::Result post(httplib::Client& c, const std::string& body) {
  return c.Post("/v1/translate", body, "application/json");
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
  std::vector<FakeTranslator::Call> calls = s.model(0).calls();
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
      {"POST", "/health", "{}", 404, "no such endpoint: POST /health"},
  };
  for (const ErrorCase& e : cases) {
    SCOPED_TRACE(e.method + " " + e.path + " " + e.body.substr(0, 80));
    auto r = e.method == "GET" ? c->Get(e.path) : c->Post(e.path, e.body, "application/json");
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

}  // namespace
}  // namespace s2s::serve
