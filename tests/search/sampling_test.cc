// Sampling: the draw against hand-computed distributions, top-k / top-p
// supports, and determinism from the seed.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "s2s/search/sampler.h"
#include "search/search_test_util.h"

namespace s2s::testing {
namespace {

std::vector<float> log_probs(const std::vector<double>& p) {
  std::vector<float> out;
  for (double x : p) out.push_back(x > 0 ? static_cast<float>(std::log(x)) : -INFINITY);
  return out;
}

// Frequencies of each token over u = (i + 0.5) / n, i < n: the inverse CDF
// evaluated on a grid, so the counts follow the distribution to within 1/n.
std::map<std::int32_t, double> frequencies(const std::vector<float>& lp, const search::SamplerOptions& o, int n = 10000) {
  std::vector<std::int32_t> ids(lp.size());
  std::vector<float> w(lp.size());
  std::map<std::int32_t, double> f;
  for (int i = 0; i < n; ++i)
    f[search::sample_token(lp, o, static_cast<float>((i + 0.5) / n), ids, w)] += 1.0 / n;
  return f;
}

TEST(Sampler, DrawsFollowTheDistribution) {
  auto lp = log_probs({0.0, 0.1, 0.2, 0.3, 0.4});
  auto f = frequencies(lp, {});
  EXPECT_EQ(f.count(0), 0u);  // probability 0 is never drawn
  EXPECT_NEAR(f[1], 0.1, 2e-4);
  EXPECT_NEAR(f[2], 0.2, 2e-4);
  EXPECT_NEAR(f[3], 0.3, 2e-4);
  EXPECT_NEAR(f[4], 0.4, 2e-4);
}

TEST(Sampler, TemperatureReshapes) {
  auto lp = log_probs({0.2, 0.8});
  // T = 0.5 squares the probabilities before renormalising: 0.04 / 0.68, 0.64 / 0.68.
  auto f = frequencies(lp, {0.5f, 0, 1.0f});
  EXPECT_NEAR(f[0], 0.04 / 0.68, 2e-4);
  EXPECT_NEAR(f[1], 0.64 / 0.68, 2e-4);
  // T = 2 takes square roots.
  f = frequencies(lp, {2.0f, 0, 1.0f});
  double a = std::sqrt(0.2), b = std::sqrt(0.8);
  EXPECT_NEAR(f[0], a / (a + b), 2e-4);
}

TEST(Sampler, TopKAndTopPRestrictTheSupport) {
  auto lp = log_probs({0.05, 0.5, 0.15, 0.3});
  std::vector<std::int32_t> out(4);
  std::vector<float> w(4);
  auto support = [&](search::SamplerOptions o) {
    auto n = search::sampling_support(lp, o, out, w);
    return std::vector<std::int32_t>(out.begin(), out.begin() + n);
  };
  EXPECT_EQ(support({1.0f, 2, 1.0f}), (std::vector<std::int32_t>{1, 3}));
  EXPECT_EQ(support({1.0f, 0, 0.7f}), (std::vector<std::int32_t>{1, 3}));        // 0.5 < 0.7 <= 0.8
  EXPECT_EQ(support({1.0f, 0, 0.45f}), (std::vector<std::int32_t>{1}));
  EXPECT_EQ(support({1.0f, 0, 0.9f}), (std::vector<std::int32_t>{1, 3, 2}));     // 0.95 reaches 0.9
  EXPECT_EQ(support({1.0f, 3, 0.9f}), (std::vector<std::int32_t>{1, 3, 2}));     // within top-3: 0.8/0.95 < 0.9
  EXPECT_EQ(support({1.0f, 2, 0.6f}), (std::vector<std::int32_t>{1}));           // top-2 renormalised: 0.625 >= 0.6
  EXPECT_EQ(support({1.0f, 2, 0.7f}), (std::vector<std::int32_t>{1, 3}));        // 0.625 < 0.7
  // Draws stay in the support and follow the renormalised probabilities.
  auto f = frequencies(lp, {1.0f, 2, 1.0f});
  EXPECT_EQ(f.size(), 2u);
  EXPECT_NEAR(f[1], 0.5 / 0.8, 2e-4);
  EXPECT_NEAR(f[3], 0.3 / 0.8, 2e-4);
}

TEST(Sampling, SameSeedSameSamplesOtherSeedOthers) {
  auto m = small_rnn(21);
  auto src = random_sources(12, 24, 8, 1);
  search::SearchOptions o;
  o.beam_size = 1;
  o.sampling = true;
  o.n_best = 4;
  o.seed = 7;
  auto a = run(*m, src, o), b = run(*m, src, o);
  expect_identical(a, b);
  o.seed = 8;
  auto c = run(*m, src, o);
  EXPECT_NE(first_difference(a, c), "");
  // The samples of a sentence differ from each other, and come best first.
  bool some_differ = false;
  for (const auto& s : a) {
    ASSERT_EQ(s.hypotheses.size(), 4u);
    for (std::size_t k = 1; k < 4; ++k) {
      some_differ = some_differ || s.hypotheses[k].tokens != s.hypotheses[0].tokens;
      EXPECT_GE(s.hypotheses[k - 1].score, s.hypotheses[k].score);
    }
  }
  EXPECT_TRUE(some_differ);
}

TEST(Sampling, TopKOneIsGreedy) {
  auto m = small_rnn(22);
  auto src = random_sources(10, 24, 8, 2);
  search::SearchOptions g;
  g.beam_size = 1;
  search::SearchOptions s = g;
  s.sampling = true;
  s.top_k = 1;
  s.seed = 3;
  auto greedy = run(*m, src, g), sampled = run(*m, src, s);
  expect_identical(greedy, sampled);
}

TEST(Sampling, TopKLimitsEveryStepOnARandomModel) {
  // With top-k 2, each output token is one of the two most probable at its step:
  // replaying the output through encode + step checks every choice.
  auto m = small_rnn(23);
  auto src = random_sources(6, 24, 8, 4);
  search::SearchOptions o;
  o.sampling = true;
  o.top_k = 2;
  o.n_best = 3;
  o.seed = 11;
  o.max_length = 20;
  auto res = run(*m, src, o);
  for (std::size_t i = 0; i < src.size(); ++i)
    for (const auto& h : res[i].hypotheses) {
      autograd::Graph g(false);
      models::TokenBatch b = make_batch({src[i]});
      auto st = m->encode(g, b);
      std::int32_t prev = models::kBos;
      for (std::int32_t tok : h.tokens) {
        Tensor p = Tensor::from_ids({prev}, {1});
        Tensor l = m->step(g, *st, p).logits;
        int better = 0;
        for (std::int64_t v = 2; v < l.dim(1); ++v) better += l.f32()[v] > l.f32()[tok];  // <pad>, <s> are never outputs
        EXPECT_LT(better, 2) << "token " << tok << " is not among the top 2";
        prev = tok;
      }
    }
}

}  // namespace
}  // namespace s2s::testing
