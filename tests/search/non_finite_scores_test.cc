// Models whose scores become NaN or infinite: every search strategy fails
// exactly the sentences concerned with SentenceResult::error, never reads or
// writes past its trace (the greedy search once ran past the forced </s> at
// the length limit and corrupted the heap), and leaves the other sentences
// of the batch as they would be decoded alone.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "s2s/search/forced_score.h"
#include "s2s/search/scoring.h"
#include "s2s/search/trace.h"
#include "search/search_test_util.h"
#include "search/toy_model.h"
#include "support/error_of.h"

namespace s2s::testing {
namespace {

constexpr std::int32_t A = 4, B = 5, C = 6;
constexpr std::int64_t V = 8;
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

std::vector<float> table() {
  return bigram_table(V, {{models::kBos, A, 0.6}, {models::kBos, B, 0.3}, {A, C, 0.5}, {A, models::kEos, 0.4},
                          {B, models::kEos, 0.9}, {C, models::kEos, 0.8}});
}

// Sentences whose first source token is odd get `bad` added to the logits of
// every row whose previous token is one of `rows` (all rows when empty).
ToyModel poisoned(float bad, std::vector<std::int32_t> rows = {}) {
  std::vector<float> shift(static_cast<std::size_t>(V * V), 0.0f);
  for (std::int64_t p = 0; p < V; ++p)
    if (rows.empty() || std::find(rows.begin(), rows.end(), p) != rows.end())
      for (std::int64_t v = 0; v < V; ++v) shift[static_cast<std::size_t>(p * V + v)] = bad;
  return ToyModel(V, table(), shift);
}

struct Strategy {
  const char* name;
  search::SearchOptions options;
};

std::vector<Strategy> strategies() {
  std::vector<Strategy> out;
  search::SearchOptions o;
  o.max_length = 6;
  o.max_length_ratio = 0.0f;
  o.beam_size = 1;
  out.push_back({"greedy", o});
  o.beam_size = 2;
  out.push_back({"beam 2", o});
  o.beam_size = 4;
  o.n_best = 3;
  o.length_norm = search::LengthNorm::Gnmt;
  out.push_back({"beam 4, 3-best, gnmt", o});
  o.coverage_beta = 0.2f;
  o.keep_attention = true;
  o.no_repeat_ngram = 2;
  out.push_back({"beam 4 with coverage and no-repeat", o});
  search::SearchOptions s;
  s.max_length = 6;
  s.max_length_ratio = 0.0f;
  s.sampling = true;
  s.n_best = 3;
  s.seed = 7;
  out.push_back({"sampling", s});
  return out;
}

// Sentence 1 (first token B, odd) is poisoned; 0 and 2 (A, C: even) are not.
const std::vector<Ids> kBatch = {{A, C}, {B, A, C}, {C}};

void expect_only_middle_fails(ToyModel& bad, const std::string& error) {
  ToyModel good(V, table());
  for (const Strategy& s : strategies()) {
    SCOPED_TRACE(s.name);
    auto r = run(bad, kBatch, s.options, {0, 1, 2});
    ASSERT_EQ(r.size(), 3u);
    EXPECT_EQ(r[1].error, error);
    EXPECT_TRUE(r[1].hypotheses.empty());
    // The batch mates decode as they do alone with a sound model.
    auto alone0 = run(good, {kBatch[0]}, s.options, {0}), alone2 = run(good, {kBatch[2]}, s.options, {2});
    EXPECT_EQ(r[0].error, "");
    EXPECT_EQ(r[2].error, "");
    EXPECT_EQ(first_difference({r[0]}, alone0), "");
    EXPECT_EQ(first_difference({r[2]}, alone2), "");
    EXPECT_FALSE(r[0].hypotheses.empty());
  }
}

TEST(NonFiniteScores, NaNLogitsFailTheirSentenceInEveryStrategy) {
  ToyModel m = poisoned(kNaN);
  expect_only_middle_fails(m, search::non_finite_scores_error(0));
}

TEST(NonFiniteScores, InfiniteLogitsFailTheirSentenceInEveryStrategy) {
  // +inf logits make log-softmax inf - inf = NaN.
  ToyModel m = poisoned(kInf);
  expect_only_middle_fails(m, search::non_finite_scores_error(0));
}

TEST(NonFiniteScores, NaNAtTheLengthLimitFailsInsteadOfRunningPastIt) {
  // Every row but the first (after <s>) is NaN: with max_length 1 the
  // second row is the forced </s> at the limit, the step at which greedy
  // search used to pick <pad> over a NaN </s> and write past its trace.
  ToyModel m = poisoned(kNaN, {0, 2, 3, 4, 5, 6, 7});
  for (Strategy s : strategies()) {
    SCOPED_TRACE(s.name);
    s.options.max_length = 1;
    auto r = run(m, {{B}}, s.options, {0});
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].error, search::non_finite_scores_error(1));
    EXPECT_TRUE(r[0].hypotheses.empty());
  }
}

TEST(NonFiniteScores, ARealModelWithOverflowingWeights) {
  // Finite weights, each +-3e38: every dot product overflows.
  auto m = small_rnn(5);
  for (autograd::Parameter* p : m->parameters()) {
    float* x = p->value.f32();
    for (std::int64_t i = 0; i < p->value.numel(); ++i) x[i] = x[i] >= 0.0f ? 3e38f : -3e38f;
  }
  auto src = random_sources(5, 24, 6, 3);
  for (const Strategy& s : strategies()) {
    SCOPED_TRACE(s.name);
    auto r = run(*m, src, s.options, {0, 1, 2, 3, 4});
    ASSERT_EQ(r.size(), 5u);
    for (const auto& sentence : r) {
      EXPECT_EQ(sentence.error, search::non_finite_scores_error(0));
      EXPECT_TRUE(sentence.hypotheses.empty());
    }
  }
  // Teacher-forced scoring reports a non-finite log-probability.
  search::Ensemble e({m.get()});
  models::TokenBatch b = make_batch({{4, 5}});
  std::vector<std::vector<std::int32_t>> targets = {{6, 7}};
  auto scores = search::score_targets(e, std::span<const models::TokenBatch>(&b, 1), targets);
  EXPECT_FALSE(std::isfinite(scores[0].log_prob));
}

TEST(NonFiniteScores, UsableScoresRule) {
  std::vector<float> row = {-kInf, -kInf, -1.0f, -2.0f, -0.5f, -kInf, -3.0f, -4.0f, -5.0f};
  EXPECT_TRUE(search::usable_scores(row));
  for (float bad : {kNaN, kInf}) {
    for (std::size_t at : {std::size_t{0}, std::size_t{4}, row.size() - 1}) {  // vector body and tail
      std::vector<float> r = row;
      r[at] = bad;
      EXPECT_FALSE(search::usable_scores(r)) << bad << " at " << at;
    }
  }
  std::vector<float> banned(9, -kInf);
  EXPECT_FALSE(search::usable_scores(banned));  // nothing can be chosen
}

TEST(NonFiniteScores, TraceRefusesAStepPastItsEnd) {
  search::Trace t;
  t.reset(/*steps=*/3, /*rows=*/2, /*src_width=*/4, /*keep_attention=*/true);
  EXPECT_NO_THROW(t.tokens(2)[1] = 7);
  EXPECT_EQ(error_of([&] { t.tokens(3); }),
            "search: step 3 is outside the trace's 3 steps (a search ran past its length limit)");
  EXPECT_NE(error_of([&] { t.parents(3); }), "");
  EXPECT_NE(error_of([&] { t.attention(3, 0); }), "");
}

}  // namespace
}  // namespace s2s::testing
