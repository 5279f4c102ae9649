// The real path: a trained model directory of each family (RNN and
// Transformer) behind ModelBackend (search/decoding), in process and through
// the s2s binary. Batched and concurrent
// results must equal decoding each sentence alone: the same outputs, and
// scores and attention equal to float rounding (OpenBLAS's sgemm sums in an
// order that depends on the row count, so the last bits of a log-probability
// can change with the batch size; see kTolerance).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <regex>

#include "s2s/search/options.h"
#include "s2s/serve/model_backend.h"
#include "serve/server_fixture.h"
#include "serve/tiny_model_dir.h"

namespace s2s::serve {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Parameter: the model family.
class ModelServer : public ::testing::TestWithParam<std::string> {
 protected:
  static void SetUpTestSuite() {
    work_ = fs::temp_directory_path() / ("s2s_serve_model_" + std::to_string(getpid()));
    fs::create_directories(work_);
  }
  static void TearDownTestSuite() {
    fs::remove_all(work_);
    dirs_.clear();
  }
  // Each family's model, trained on first use (the tiny Transformer needs more, cheaper steps to reverse "abc").
  static fs::path model_dir(const std::string& family) {
    fs::path& dir = dirs_[family];
    if (dir.empty()) {
      fs::create_directories(work_ / family);
      dir = testing::train_tiny_model_dir((work_ / family).string(), family == "rnn" ? 300 : 2000, family);
    }
    return dir;
  }
  static fs::path work_;
  static std::map<std::string, fs::path> dirs_;
  const fs::path dir_ = model_dir(GetParam());
};
fs::path ModelServer::work_;
std::map<std::string, fs::path> ModelServer::dirs_;

// Words of the reverse task (letters a..h), of different lengths so batches pad.
const std::vector<std::string> kWords = {"abc", "hgfedc", "a", "cafe", "bead", "deadbeef", "gag", "hhh"};

// Scores and attention weights: batched vs alone agree to float rounding.
constexpr double kTolerance = 1e-5;

std::vector<DecodeOptions> option_sets() {
  std::vector<DecodeOptions> sets(5);
  sets[0].return_alignments = true;                           // greedy
  sets[1].beam = 4, sets[1].n_best = 2;                       // beam, n-best
  sets[1].return_alignments = true;
  sets[2].sampling.enabled = true, sets[2].sampling.seed = 5;  // sampling, 3 samples
  sets[2].n_best = 3, sets[2].sampling.top_k = 5;
  sets[3].beam = 3, sets[3].max_length = 3;                   // length cap
  sets[4].sampling.enabled = true, sets[4].sampling.temperature = 0.5f, sets[4].sampling.top_p = 0.8f;
  return sets;
}

void expect_same(const Result& a, const Result& b, const std::string& what) {
  EXPECT_EQ(a.source_tokens, b.source_tokens) << what;
  ASSERT_EQ(a.hypotheses.size(), b.hypotheses.size()) << what;
  for (std::size_t k = 0; k < a.hypotheses.size(); ++k) {
    const Hypothesis &x = a.hypotheses[k], &y = b.hypotheses[k];
    EXPECT_EQ(x.text, y.text) << what;
    EXPECT_EQ(x.target_tokens, y.target_tokens) << what;
    EXPECT_NEAR(x.score, y.score, kTolerance) << what;
    ASSERT_EQ(x.alignment.size(), y.alignment.size()) << what;
    for (std::size_t i = 0; i < x.alignment.size(); ++i) {
      ASSERT_EQ(x.alignment[i].size(), y.alignment[i].size()) << what;
      for (std::size_t j = 0; j < x.alignment[i].size(); ++j)
        EXPECT_NEAR(x.alignment[i][j], y.alignment[i][j], kTolerance) << what;
    }
  }
}

// JSON responses: equal, numbers to kTolerance.
void expect_same_json(const json& a, const json& b, const std::string& what) {
  if (a.is_number() && b.is_number()) {
    EXPECT_NEAR(a.get<double>(), b.get<double>(), kTolerance) << what;
  } else if (a.is_array() && b.is_array() && a.size() == b.size()) {
    for (std::size_t i = 0; i < a.size(); ++i) expect_same_json(a[i], b[i], what);
  } else if (a.is_object() && b.is_object() && a.size() == b.size()) {
    for (const auto& [k, v] : a.items()) {
      ASSERT_TRUE(b.contains(k)) << what << ": " << k;
      expect_same_json(v, b[k], what + "." + k);
    }
  } else {
    EXPECT_EQ(a, b) << what;
  }
}

TEST_P(ModelServer, BackendBatchEqualsEachSentenceAlone) {
  auto t = load_model_backend("tiny", dir_.string());
  EXPECT_EQ(t->info().name, "tiny");
  const std::string described =
      GetParam() == "rnn"           ? "rnn gru 1+1 layers, hidden 16, attention bahdanau"
      : GetParam() == "transformer" ? "transformer 2+2 layers, d_model 16, 2 heads"
                                    : "convs2s 2+2 layers, 16 channels";
  EXPECT_NE(t->info().description.find(described), std::string::npos) << t->info().description;
  // Trained: it reverses.
  EXPECT_EQ(t->translate({"abc"}, {})[0].hypotheses[0].text, "cba");
  for (const DecodeOptions& o : option_sets()) {
    std::vector<Result> batch = t->translate(kWords, o);
    ASSERT_EQ(batch.size(), kWords.size());
    for (std::size_t i = 0; i < kWords.size(); ++i) {
      std::vector<Result> alone = t->translate({kWords[i]}, o);
      ASSERT_EQ(alone.size(), 1u);
      expect_same(batch[i], alone[0], kWords[i] + " beam " + std::to_string(o.beam));
      const Result& r = batch[i];
      ASSERT_EQ(r.hypotheses.size(), static_cast<std::size_t>(o.n_best));
      for (const Hypothesis& h : r.hypotheses) {
        if (o.max_length) {
          EXPECT_LE(h.target_tokens.size(), 3u);
        }
        if (!o.return_alignments) continue;
        ASSERT_EQ(h.alignment.size(), h.target_tokens.size());
        for (const auto& row : h.alignment) {
          ASSERT_EQ(row.size(), r.source_tokens.size());
          float sum = 0;
          for (float w : row) sum += w;
          EXPECT_NEAR(sum, 1.0f, 1e-4f);  // attention over the real source positions only
        }
      }
    }
  }
  // The char tokenizer's view of the source.
  EXPECT_EQ(t->translate({"a b"}, {})[0].source_tokens, (std::vector<std::string>{"a", "\xe2\x96\x81", "b"}));
}

// --compute-type int8 per model: described as such, still reverses, and a
// batch decodes each sentence to the bits it gets alone.
TEST_P(ModelServer, Int8BackendBatchEqualsEachSentenceAlone) {
  auto t = load_model_backend("tiny8", dir_.string(), kernels::ComputeType::Int8);
  EXPECT_NE(t->info().description.find(", compute type int8"), std::string::npos) << t->info().description;
  EXPECT_EQ(load_model_backend("tiny", dir_.string())->info().description.find("compute type"), std::string::npos);
  EXPECT_EQ(t->translate({"abc"}, {})[0].hypotheses[0].text, "cba");
  for (const DecodeOptions& o : option_sets()) {
    std::vector<Result> batch = t->translate(kWords, o);
    ASSERT_EQ(batch.size(), kWords.size());
    for (std::size_t i = 0; i < kWords.size(); ++i)
      expect_same(batch[i], t->translate({kWords[i]}, o).at(0), kWords[i] + " int8 beam " + std::to_string(o.beam));
  }
}

TEST_P(ModelServer, BackendCostAndCancellation) {
  auto t = load_model_backend("tiny", dir_.string());
  DecodeOptions greedy, beam4, capped, sampled;
  beam4.beam = 4;
  capped.beam = 2, capped.max_length = 3;
  sampled.sampling.enabled = true, sampled.n_best = 3;
  // Steps the length limit allows (2 x source tokens + 10 by default, + </s>) x hypotheses.
  const std::int64_t one = t->cost("abc", greedy);
  EXPECT_GE(one, 2 * 3 + 10 + 1);
  EXPECT_EQ(t->cost("abc", beam4), 4 * one);
  EXPECT_EQ(t->cost("abc", sampled), 3 * one);
  EXPECT_EQ(t->cost("abc", capped), 2 * (3 + 1));
  EXPECT_EQ(t->cost("abcdef", greedy), one + 2 * 3);  // three more source tokens
  // A cancel check that fires stops every kind of decoding.
  for (const DecodeOptions& o : {greedy, beam4, sampled})
    EXPECT_THROW(t->translate({"abc", "cafe"}, o, [] { return true; }), search::Cancelled);
  // One that never fires changes nothing.
  int polls = 0;
  std::vector<Result> hooked = t->translate({"abc", "cafe"}, beam4, [&] { return ++polls < 0; });
  std::vector<Result> plain = t->translate({"abc", "cafe"}, beam4);
  EXPECT_GT(polls, 0);
  for (std::size_t i = 0; i < plain.size(); ++i) expect_same(hooked[i], plain[i], "sentence " + std::to_string(i));
}

TEST_P(ModelServer, ConcurrentHttpRequestsEqualSingleDecoding) {
  ServerOptions o = testing::RunningServer::default_options();
  o.host = "127.0.0.1";
  o.port = 0;
  Server server(o, {load_model_backend("tiny", dir_.string())});
  int port = server.bind();
  std::thread runner([&] { server.run(); });
  auto body = [](int i, int k) {
    json r = {{"inputs", {kWords[(i + k) % kWords.size()]}}, {"return_alignments", true}};
    if (k % 3 == 1) r["beam"] = 3;
    if (k % 3 == 2) r["sampling"] = {{"seed", i}};
    return r.dump();
  };
  auto post = [port](const std::string& b) {
    httplib::Client c("127.0.0.1", port);
    auto r = c.Post("/v1/translate", b, "application/json");
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : httplib::to_string(r.error()));
    json j = r ? json::parse(r->body) : json();
    j.erase("time_ms");
    return j;
  };
  const int clients = 8, per_client = 6;
  std::map<std::pair<int, int>, json> alone;
  for (int i = 0; i < clients; ++i)
    for (int k = 0; k < per_client; ++k) alone[{i, k}] = post(body(i, k));
  std::vector<std::future<void>> futures;
  for (int i = 0; i < clients; ++i)
    futures.push_back(std::async(std::launch::async, [&, i] {
      for (int k = 0; k < per_client; ++k)
        expect_same_json(post(body(i, k)), alone[{i, k}], std::to_string(i) + "," + std::to_string(k));
    }));
  for (auto& f : futures) f.get();
  server.stop();
  runner.join();
}

// The s2s binary next to the tests directory of this build.
std::string s2s_binary() { return (fs::read_symlink("/proc/self/exe").parent_path().parent_path() / "s2s").string(); }

struct Child {
  pid_t pid = -1;
  fs::path err;
  std::string stderr_text() const {
    std::ifstream in(err);
    return {std::istreambuf_iterator<char>(in), {}};
  }
};

Child spawn(const std::vector<std::string>& args, const fs::path& err) {
  Child c;
  c.err = err;
  c.pid = fork();
  if (c.pid == 0) {
    FILE* f = std::freopen(err.c_str(), "w", stderr);
    if (!f || !std::freopen("/dev/null", "w", stdout)) _exit(99);
    std::vector<char*> argv;
    std::string bin = s2s_binary();
    argv.push_back(bin.data());
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(bin.c_str(), argv.data());
    _exit(98);
  }
  return c;
}

int wait_exit(pid_t pid, int seconds) {
  for (int i = 0; i < seconds * 100; ++i) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
    usleep(10000);
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  return -1;
}

TEST_P(ModelServer, BinaryServesAndExitsZeroOnSigterm) {
  if (!fs::exists(s2s_binary())) GTEST_SKIP() << "s2s binary not built at " << s2s_binary();
  fs::path err = dir_.parent_path() / ("s2s_serve_cli_" + std::to_string(getpid()) + ".err");
  Child c = spawn({"serve", "-m", "tiny=" + dir_.string(), "--model", dir_.string(), "--port", "0", "--max-batch",
                   "8", "--threads", "1"},
                  err);
  int port = 0;
  std::smatch m;
  for (int i = 0; i < 3000 && port == 0; ++i) {
    std::string text = c.stderr_text();
    if (std::regex_search(text, m, std::regex("listening on http://127\\.0\\.0\\.1:(\\d+)/"))) port = std::stoi(m[1]);
    else usleep(10000);
  }
  ASSERT_GT(port, 0) << c.stderr_text();
  httplib::Client client("127.0.0.1", port);
  auto models = client.Get("/v1/models");
  ASSERT_TRUE(models);
  json listed = json::parse(models->body), names = json::array();
  for (const auto& mj : listed["models"]) names.push_back(mj["name"]);
  EXPECT_EQ(names, json({"tiny", dir_.filename().string()}));
  auto r = client.Post("/v1/translate", R"({"model": "tiny", "inputs": ["cafe"], "beam": 2})", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  auto expected = load_model_backend("x", dir_.string())->translate({"cafe"}, [] {
    DecodeOptions o;
    o.beam = 2;
    return o;
  }());
  EXPECT_EQ(json::parse(r->body)["outputs"][0]["text"], expected[0].hypotheses[0].text);
  client.stop();
  ASSERT_EQ(kill(c.pid, SIGTERM), 0);
  EXPECT_EQ(wait_exit(c.pid, 30), 0) << c.stderr_text();
  EXPECT_NE(c.stderr_text().find("s2s serve: SIGTERM, requests in flight answered; exiting"), std::string::npos)
      << c.stderr_text();
  fs::remove(err);
}

TEST_P(ModelServer, BinaryRejectsBadOptionsWithOneLine) {
  if (!fs::exists(s2s_binary())) GTEST_SKIP() << "s2s binary not built at " << s2s_binary();
  fs::path err = dir_.parent_path() / ("s2s_serve_cli_bad_" + std::to_string(getpid()) + ".err");
  struct Case {
    std::vector<std::string> args;
    std::string message;
  } cases[] = {
      {{"serve", "--port", "0"}, "s2s: error: s2s serve: missing required option -m/--model DIR"},
      {{"serve", "-m", "/nonexistent/model"}, "s2s: error: /nonexistent/model: not a model directory"},
      {{"serve", "-m", dir_.string(), "--port", "70000"}, "s2s: error: s2s serve: --port must be between 0 and 65535"},
      {{"serve", "-m", dir_.string(), "--max-batch", "0"}, "s2s: error: s2s serve: --max-batch must be between 1"},
      {{"serve", "-m", "a=" + dir_.string(), "-m", "a=" + dir_.string(), "--port", "0"},
       "s2s: error: s2s serve: two models are named 'a'"},
      {{"serve", "-m"}, "s2s: error: s2s serve: option -m expects a value"},
      {{"serve", "-m", dir_.string(), "--host", "256.1.1.1", "--port", "0"}, "s2s: error: s2s serve: cannot listen"},
  };
  for (const Case& k : cases) {
    Child c = spawn(k.args, err);
    EXPECT_EQ(wait_exit(c.pid, 60), 1) << k.message;
    // One error line, the last (lines saying which models loaded may precede it).
    std::string err_text = c.stderr_text();
    std::size_t last = err_text.rfind('\n', err_text.size() - 2);
    std::string last_line = err_text.substr(last == std::string::npos ? 0 : last + 1);
    EXPECT_EQ(last_line.rfind(k.message, 0), 0u) << err_text;
  }
  Child help = spawn({"serve", "--help"}, err);
  EXPECT_EQ(wait_exit(help.pid, 30), 0);
  fs::remove(err);
}

INSTANTIATE_TEST_SUITE_P(Families, ModelServer, ::testing::ValuesIn(s2s::testing::model_families()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace s2s::serve
