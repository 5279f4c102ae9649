// Ensembles: identical members change nothing; different members decode by
// their averaged log-probabilities; mismatched vocabularies are refused.
#include <gtest/gtest.h>

#include <cmath>

#include "search/search_test_util.h"
#include "search/toy_model.h"

namespace s2s::testing {
namespace {

constexpr std::int32_t A = 4, B = 5;
constexpr std::int64_t V = 6;

TEST(Ensemble, TwoIdenticalModelsEqualOne) {
  auto m = small_rnn(31);
  auto src = random_sources(10, 24, 9, 6);
  for (std::int64_t beam : {1, 4}) {
    search::SearchOptions o;
    o.beam_size = beam;
    o.n_best = beam;
    o.keep_attention = true;
    search::Ensemble one({m.get()}), two({m.get(), m.get()});
    expect_identical(run(one, src, o), run(two, src, o));
  }
}

TEST(Ensemble, AveragesLogProbabilities) {
  // Model 1: A 0.6, B 0.4. Model 2: A 0.1, B 0.9. The average of the logs
  // favours B: (log .6 + log .1) / 2 = -1.407 < (log .4 + log .9) / 2 = -0.511.
  ToyModel m1(V, bigram_table(V, {{models::kBos, A, 0.6}, {models::kBos, B, 0.4}, {A, models::kEos, 1.0}, {B, models::kEos, 1.0}}));
  ToyModel m2(V, bigram_table(V, {{models::kBos, A, 0.1}, {models::kBos, B, 0.9}, {A, models::kEos, 1.0}, {B, models::kEos, 1.0}}));
  search::SearchOptions o;
  o.beam_size = 1;
  o.length_norm = search::LengthNorm::None;
  EXPECT_EQ(run(m1, {{A}}, o)[0].hypotheses[0].tokens, (Ids{A}));
  search::Ensemble e({&m1, &m2});
  auto r = run(e, {{A}}, o);
  EXPECT_EQ(r[0].hypotheses[0].tokens, (Ids{B}));
  // log P = average of log(0.4) and log(0.9), then log(1) for </s> (the
  // models' other entries are -30 and add about 1e-13).
  EXPECT_NEAR(r[0].hypotheses[0].log_prob, (std::log(0.4) + std::log(0.9)) / 2, 1e-5);
}

TEST(Ensemble, RefusesDifferentTargetVocabularies) {
  ToyModel m1(V, bigram_table(V, {})), m2(V + 1, bigram_table(V + 1, {}));
  try {
    search::Ensemble e({&m1, &m2});
    FAIL() << "expected an error";
  } catch (const Error& err) {
    EXPECT_NE(std::string(err.what()).find("share the target vocabulary"), std::string::npos) << err.what();
  }
}

TEST(Ensemble, AttentionIsAveragedOverModelsThatHaveIt) {
  ToyModel with(V, bigram_table(V, {{models::kBos, A, 1.0}, {A, models::kEos, 1.0}}));
  ToyModel without(V, bigram_table(V, {{models::kBos, A, 1.0}, {A, models::kEos, 1.0}}), {}, false);
  search::SearchOptions o;
  o.beam_size = 2;
  o.keep_attention = true;
  search::Ensemble e({&with, &without});
  auto r = run(e, {{A, B, A}}, o);
  // Steps fed <s> (1) then A (4): all weight on positions 1 % 3 and 4 % 3.
  ASSERT_EQ(r[0].hypotheses[0].attention, (std::vector<float>{0, 1, 0, 0, 1, 0}));
}

}  // namespace
}  // namespace s2s::testing
