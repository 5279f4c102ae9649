// The shared rules by hand: length limits, constraints on a row, scores with
// length and coverage penalties.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "s2s/search/scoring.h"
#include "search/search_test_util.h"
#include "search/toy_model.h"

namespace s2s::testing {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

TEST(Scoring, LengthLimits) {
  search::SearchOptions o;  // max 256, ratio 2, extra 10
  auto l = search::length_limits(o, 3);
  EXPECT_EQ(l.max, 16);
  EXPECT_EQ(l.min, 0);
  o.max_length = 12;
  EXPECT_EQ(search::length_limits(o, 3).max, 12);
  o.max_length_ratio = 0.0f;  // absolute only
  EXPECT_EQ(search::length_limits(o, 100).max, 12);
  o.max_length_ratio = 1.5f;
  o.max_length_extra = 0;
  o.max_length = 256;
  EXPECT_EQ(search::length_limits(o, 3).max, 4);  // floor(4.5)
  o.min_length = 2;
  o.min_length_ratio = 1.2f;
  EXPECT_EQ(search::length_limits(o, 3).min, 4);  // ceil(3.6), capped at max 4
  EXPECT_EQ(search::length_limits(o, 1).min, 1);  // max(2, ceil(1.2)), capped at max floor(1.5)
}

TEST(Scoring, ConstrainRow) {
  auto row = [] { return std::vector<float>{-1, -1, -2, -3, -4, -5}; };
  search::LengthLimits lim{2, 4};
  auto r = row();
  search::constrain_row(r, 0, {}, lim, 0);
  EXPECT_EQ(r, (std::vector<float>{-kInf, -kInf, -kInf, -3, -4, -5}));  // <pad> <s> never; </s> before min
  r = row();
  search::constrain_row(r, 2, {}, lim, 0);
  EXPECT_EQ(r, (std::vector<float>{-kInf, -kInf, -2, -3, -4, -5}));
  r = row();
  search::constrain_row(r, 4, {}, lim, 0);
  EXPECT_EQ(r, (std::vector<float>{-kInf, -kInf, -2, -kInf, -kInf, -kInf}));  // only </s> at max
  // Repeats: history 4 5 4 -> 5 would repeat the bigram "4 5"; unigrams ban 4 and 5.
  std::vector<std::int32_t> h{4, 5, 4};
  r = row();
  search::constrain_row(r, 3, h, {0, 10}, 2);
  EXPECT_EQ(r, (std::vector<float>{-kInf, -kInf, -2, -3, -4, -kInf}));
  r = row();
  search::constrain_row(r, 3, h, {0, 10}, 1);
  EXPECT_EQ(r, (std::vector<float>{-kInf, -kInf, -2, -3, -kInf, -kInf}));
  r = row();
  search::constrain_row(r, 3, h, {0, 10}, 3);  // "5 4" never seen followed by anything
  EXPECT_EQ(r, (std::vector<float>{-kInf, -kInf, -2, -3, -4, -5}));
  // Nothing left (min length bans </s>, repeats ban the rest): </s> reopens.
  std::vector<float> small{-1, -1, -2, -3};
  std::vector<std::int32_t> h3{3};
  search::constrain_row(small, 1, h3, {5, 10}, 1);
  EXPECT_EQ(small, (std::vector<float>{-kInf, -kInf, -2, -kInf}));
}

TEST(Scoring, NormalisedScores) {
  search::SearchOptions o;
  o.length_norm = search::LengthNorm::None;
  EXPECT_DOUBLE_EQ(search::normalized_score(o, -6.0, 3), -6.0);
  o.length_norm = search::LengthNorm::Average;
  EXPECT_DOUBLE_EQ(search::normalized_score(o, -6.0, 3), -2.0);
  o.length_norm = search::LengthNorm::Gnmt;
  o.alpha = 1.0f;
  EXPECT_DOUBLE_EQ(search::normalized_score(o, -6.0, 3), -6.0 / (8.0 / 6.0));
  o.alpha = 0.0f;
  EXPECT_DOUBLE_EQ(search::normalized_score(o, -6.0, 3), -6.0);
  // Coverage: beta * sum log(min(c, 1)): only the under-covered 0.5 counts.
  o.coverage_beta = 0.5f;
  std::vector<float> cov{0.5f, 2.0f, 1.0f};
  EXPECT_NEAR(search::normalized_score(o, -6.0, 3, cov), -6.0 + 0.5 * std::log(0.5), 1e-12);
  // Bounds: no normalisation is exact; average divides by the longest length.
  o = {};
  o.length_norm = search::LengthNorm::None;
  EXPECT_DOUBLE_EQ(search::best_reachable_score(o, -3.0, 10), -3.0);
  o.length_norm = search::LengthNorm::Average;
  EXPECT_DOUBLE_EQ(search::best_reachable_score(o, -3.0, 10), -0.3);
}

TEST(Scoring, CoveragePenaltyPrefersCoveringTheSource) {
  // The toy attends to position (fed token mod 2) of a 2-token source.
  // "B </s>" (0.55) attends position 1 twice; "A </s>" (0.45) covers both.
  constexpr std::int32_t A = 4, B = 5;
  ToyModel m(6, bigram_table(6, {{models::kBos, A, 0.45}, {models::kBos, B, 0.55}, {A, models::kEos, 1.0},
                                 {B, models::kEos, 1.0}}));
  search::SearchOptions o;
  o.beam_size = 2;
  o.length_norm = search::LengthNorm::None;
  EXPECT_EQ(run(m, {{A, A}}, o)[0].hypotheses[0].tokens, (Ids{B}));
  o.coverage_beta = 0.1f;
  auto r = run(m, {{A, A}}, o);
  EXPECT_EQ(r[0].hypotheses[0].tokens, (Ids{A}));
  EXPECT_NEAR(r[0].hypotheses[0].score, std::log(0.45), 1e-5);  // full coverage: no penalty
}

}  // namespace
}  // namespace s2s::testing
