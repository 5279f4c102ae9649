// Beam search on hand-set bigram models whose best outputs are known, and
// beam 1 against greedy search.
#include <gtest/gtest.h>

#include <cmath>

#include "search/search_test_util.h"
#include "search/toy_model.h"

namespace s2s::testing {
namespace {

constexpr std::int32_t A = 4, B = 5, C = 6, D = 7;
constexpr std::int64_t V = 8;

// Greedy takes A (0.5) and ends with A C </s> (0.175); the best output is
// B </s> (0.4 * 0.9 = 0.36).
ToyModel garden_path() {
  return ToyModel(V, bigram_table(V, {{models::kBos, A, 0.5}, {models::kBos, B, 0.4}, {models::kBos, C, 0.1},
                                      {A, models::kEos, 0.3}, {A, C, 0.35}, {A, D, 0.35},
                                      {B, models::kEos, 0.9}, {B, C, 0.1},
                                      {C, models::kEos, 1.0}, {D, models::kEos, 1.0}}));
}

search::SearchOptions opts(std::int64_t beam, search::LengthNorm norm = search::LengthNorm::None) {
  search::SearchOptions o;
  o.beam_size = beam;
  o.length_norm = norm;
  return o;
}

TEST(BeamSearch, FindsTheKnownBestWhereGreedyDoesNot) {
  ToyModel m = garden_path();
  auto greedy = run(m, {{A, B}}, opts(1));
  ASSERT_EQ(greedy[0].hypotheses.size(), 1u);
  EXPECT_EQ(greedy[0].hypotheses[0].tokens, (Ids{A, C}));
  EXPECT_NEAR(greedy[0].hypotheses[0].log_prob, std::log(0.5 * 0.35 * 1.0), 1e-5);

  auto beam = run(m, {{A, B}}, opts(2));
  EXPECT_EQ(beam[0].hypotheses[0].tokens, (Ids{B}));
  EXPECT_NEAR(beam[0].hypotheses[0].log_prob, std::log(0.36), 1e-5);
  EXPECT_NEAR(beam[0].hypotheses[0].score, std::log(0.36), 1e-5);
}

TEST(BeamSearch, NBestListIsRankedWithItsScores) {
  ToyModel m = garden_path();
  search::SearchOptions o = opts(3);
  o.n_best = 3;
  auto r = run(m, {{A}}, o);
  const auto& h = r[0].hypotheses;
  ASSERT_EQ(h.size(), 3u);
  // A </s> (0.15) is pruned at step 1: it ranks 4th among the candidates.
  EXPECT_EQ(h[0].tokens, (Ids{B}));
  EXPECT_EQ(h[1].tokens, (Ids{A, C}));  // ties with A D; finished first (C < D)
  EXPECT_EQ(h[2].tokens, (Ids{A, D}));
  EXPECT_NEAR(h[0].score, std::log(0.36), 1e-5);
  EXPECT_NEAR(h[1].score, std::log(0.175), 1e-5);
  EXPECT_NEAR(h[2].score, std::log(0.175), 1e-5);
  EXPECT_GE(h[0].score, h[1].score);
  EXPECT_GE(h[1].score, h[2].score);
}

// "A </s>" (0.5 * 0.9 = 0.45) against "B C D </s>" (0.45 * 0.9^3 = 0.328):
// the short one wins on probability, the long one per token. Every row
// leaves some mass to other tokens, so no unlikely hypothesis ends early.
ToyModel short_or_long() {
  return ToyModel(V, bigram_table(V, {{models::kBos, A, 0.5}, {models::kBos, B, 0.45}, {A, models::kEos, 0.9},
                                      {B, C, 0.9}, {C, D, 0.9}, {D, models::kEos, 0.9}}));
}

TEST(BeamSearch, LengthNormalisationByHand) {
  // Both outputs in a 2-best list, with their scores under each normalisation.
  ToyModel m = short_or_long();
  const double short_lp = std::log(0.45), long_lp = std::log(0.45 * 0.9 * 0.9 * 0.9);
  auto two_best = [&](search::LengthNorm norm, float alpha = 0.6f) {
    search::SearchOptions o = opts(2, norm);
    o.n_best = 2;
    o.alpha = alpha;
    auto r = run(m, {{A, B, C}}, o);
    EXPECT_EQ(r[0].hypotheses.size(), 2u);
    return r[0].hypotheses;
  };
  auto none = two_best(search::LengthNorm::None);
  ASSERT_EQ(none[0].tokens, (Ids{A}));
  ASSERT_EQ(none[1].tokens, (Ids{B, C, D}));
  EXPECT_NEAR(none[0].score, short_lp, 1e-5);
  EXPECT_NEAR(none[1].score, long_lp, 1e-5);
  EXPECT_NEAR(none[1].log_prob, long_lp, 1e-5);

  auto avg = two_best(search::LengthNorm::Average);  // per token, </s> included
  ASSERT_EQ(avg[0].tokens, (Ids{B, C, D}));
  EXPECT_NEAR(avg[0].score, long_lp / 4.0, 1e-5);
  EXPECT_NEAR(avg[1].score, short_lp / 2.0, 1e-5);
  EXPECT_NEAR(avg[0].log_prob, long_lp, 1e-5);

  // GNMT lp(n) = ((5 + n) / 6)^alpha: alpha 0.6 still prefers the short output, alpha 2 the long one.
  auto gnmt = two_best(search::LengthNorm::Gnmt, 0.6f);
  ASSERT_EQ(gnmt[0].tokens, (Ids{A}));
  EXPECT_NEAR(gnmt[0].score, short_lp / std::pow(7.0 / 6.0, 0.6), 1e-5);
  EXPECT_NEAR(gnmt[1].score, long_lp / std::pow(9.0 / 6.0, 0.6), 1e-5);
  gnmt = two_best(search::LengthNorm::Gnmt, 2.0f);
  ASSERT_EQ(gnmt[0].tokens, (Ids{B, C, D}));
  EXPECT_NEAR(gnmt[0].score, long_lp / std::pow(9.0 / 6.0, 2.0), 1e-5);
  EXPECT_NEAR(gnmt[1].score, short_lp / std::pow(7.0 / 6.0, 2.0), 1e-5);
}

TEST(BeamSearch, BeamOneEqualsGreedyOnToyAndRandomModels) {
  ToyModel toy = garden_path();
  search::SearchOptions o = opts(1, search::LengthNorm::Average);
  models::TokenBatch b = make_batch({{A}, {B, C}});
  search::Ensemble e({&toy});
  expect_identical(search::beam_search(e, {&b, 1}, o), search::greedy_search(e, {&b, 1}, o));

  auto rnn = small_rnn(7);
  auto src = random_sources(20, 24, 9, 3);
  models::TokenBatch rb = make_batch(src);
  search::Ensemble re({rnn.get()});
  o.keep_attention = true;
  for (auto norm : {search::LengthNorm::None, search::LengthNorm::Average, search::LengthNorm::Gnmt}) {
    o.length_norm = norm;
    auto beam1 = search::beam_search(re, {&rb, 1}, o);
    auto greedy = search::greedy_search(re, {&rb, 1}, o);
    expect_identical(beam1, greedy);
    for (const auto& s : greedy) ASSERT_EQ(s.hypotheses.size(), 1u);
  }
}

TEST(BeamSearch, OneStepCallPerPositionForTheWholeBatch) {
  ToyModel m = garden_path();
  auto r = run(m, {{A}, {B, C}, {A, A, A}}, opts(2));
  // Every sentence is done after 2 positions (B </s> cannot be beaten), and
  // each position was one step call for all sentences and beams.
  for (const auto& s : r) EXPECT_EQ(s.hypotheses[0].tokens, (Ids{B}));
  EXPECT_EQ(m.steps(), 2);
  EXPECT_EQ(m.max_rows(), 3 * 2);
}

TEST(BeamSearch, LengthLimitsForceAndBanEndOfSentence) {
  // A loops on itself with 0.9 and </s> has 0.05, so greedy choices (and a
  // beam of 1) go on until the length limit forces </s>.
  ToyModel m(V, bigram_table(V, {{models::kBos, A, 0.9}, {A, A, 0.9}, {A, models::kEos, 0.05}}));
  search::Ensemble e({&m});
  for (auto* strategy : {&search::greedy_search, &search::beam_search}) {
    search::SearchOptions o = opts(1);
    o.max_length = 5;
    models::TokenBatch one = make_batch({{A}}), three = make_batch({{A, A, A}});
    auto r = strategy(e, {&one, 1}, o);
    EXPECT_EQ(r[0].hypotheses[0].tokens, Ids(5, A));
    EXPECT_NEAR(r[0].hypotheses[0].log_prob, std::log(std::pow(0.9, 5) * 0.05), 1e-5);  // forced </s> keeps its probability
    o.max_length = 50;
    o.max_length_ratio = 2.0f;
    o.max_length_extra = 1;
    r = strategy(e, {&three, 1}, o);  // 2 * 3 + 1
    EXPECT_EQ(r[0].hypotheses[0].tokens.size(), 7u);
  }

  // "A </s>" would win at once; min length 3 forbids </s> before 3 tokens.
  ToyModel stop(V, bigram_table(V, {{models::kBos, A, 0.9}, {A, models::kEos, 0.9}, {A, B, 0.05}, {B, models::kEos, 0.5}}));
  search::SearchOptions o = opts(2);
  o.min_length = 3;
  auto r = run(stop, {{A}}, o);
  EXPECT_GE(r[0].hypotheses[0].tokens.size(), 3u);
  o.min_length = 0;
  o.min_length_ratio = 1.5f;
  r = run(stop, {{A, A}}, o);
  EXPECT_GE(r[0].hypotheses[0].tokens.size(), 3u);
}

TEST(BeamSearch, RepeatedNgramsAreBlocked) {
  // Greedily A B A B ...; when the next token is blocked, </s> (0.05) beats
  // every other token (0.0125 each). Both greedy search and a beam of 1.
  ToyModel m(V, bigram_table(V, {{models::kBos, A, 0.9}, {A, B, 0.9}, {A, models::kEos, 0.05},
                                 {B, A, 0.9}, {B, models::kEos, 0.05}}));
  search::Ensemble e({&m});
  models::TokenBatch b = make_batch({{A}});
  search::SearchOptions o = opts(1);
  o.max_length = 12;
  for (auto* strategy : {&search::greedy_search, &search::beam_search}) {
    auto first = [&] { return strategy(e, {&b, 1}, o)[0].hypotheses[0].tokens; };
    o.no_repeat_ngram = 0;
    EXPECT_EQ(first().size(), 12u);
    o.no_repeat_ngram = 1;
    EXPECT_EQ(first(), (Ids{A, B}));
    o.no_repeat_ngram = 2;
    EXPECT_EQ(first(), (Ids{A, B, A}));
    o.no_repeat_ngram = 3;
    EXPECT_EQ(first(), (Ids{A, B, A, B}));
  }
}

TEST(BeamSearch, NoRepeatedBigramOnARandomModel) {
  auto rnn = small_rnn(11, 10);  // a small vocabulary repeats often
  search::SearchOptions o = opts(4);
  o.no_repeat_ngram = 2;
  o.max_length = 30;
  o.max_length_ratio = 0.0f;
  for (const auto& s : run(*rnn, random_sources(16, 10, 8, 5), o)) {
    const Ids& y = s.hypotheses[0].tokens;
    for (std::size_t i = 0; i + 1 < y.size(); ++i)
      for (std::size_t j = i + 1; j + 1 < y.size(); ++j)
        EXPECT_FALSE(y[i] == y[j] && y[i + 1] == y[j + 1]) << "bigram repeated at " << i << " and " << j;
  }
}

}  // namespace
}  // namespace s2s::testing
