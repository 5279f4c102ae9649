// SearchOptions::cancelled: every strategy polls it once per output step and
// stops with search::Cancelled when it says so; a hook that never fires
// changes nothing.
#include <gtest/gtest.h>

#include "search/search_test_util.h"
#include "search/toy_model.h"

namespace s2s::testing {
namespace {

constexpr std::int32_t A = 4;
constexpr std::int64_t V = 6;

// A follows A with 0.9 and </s> has 0.05, so every output runs to its length limit.
ToyModel looping() {
  return ToyModel(V, bigram_table(V, {{models::kBos, A, 0.9}, {A, A, 0.9}, {A, models::kEos, 0.05}}));
}

std::vector<search::SearchOptions> strategies() {
  search::SearchOptions greedy, beam, sampling;
  greedy.beam_size = 1;
  beam.beam_size = 3;
  beam.n_best = 2;
  sampling.sampling = true;
  sampling.n_best = 3;
  sampling.seed = 9;
  std::vector<search::SearchOptions> all = {greedy, beam, sampling};
  for (auto& o : all) {
    o.max_length = 12;
    o.max_length_ratio = 0.0f;
  }
  return all;
}

TEST(SearchCancel, EveryStrategyPollsOncePerStepAndAQuietHookChangesNothing) {
  const std::vector<Ids> src = {{A}, {A, A, A}, {A, A}};
  for (const search::SearchOptions& o : strategies()) {
    SCOPED_TRACE("beam " + std::to_string(o.beam_size) + (o.sampling ? " sampling" : ""));
    ToyModel plain = looping(), hooked = looping();
    search::SearchOptions h = o;
    std::int64_t polls = 0;
    h.cancelled = [&] {
      ++polls;
      return false;
    };
    auto expected = run(plain, src, o);
    EXPECT_EQ(first_difference(run(hooked, src, h), expected), "");
    EXPECT_GE(hooked.steps(), 4);  // long enough for the test below to stop it at its fourth poll
    EXPECT_EQ(polls, hooked.steps());
  }
}

TEST(SearchCancel, EveryStrategyStopsAtThePollThatSaysSo) {
  const std::vector<Ids> src = {{A}, {A, A, A}};
  for (const search::SearchOptions& o : strategies()) {
    SCOPED_TRACE("beam " + std::to_string(o.beam_size) + (o.sampling ? " sampling" : ""));
    ToyModel m = looping();
    search::SearchOptions h = o;
    int polls = 0;
    h.cancelled = [&] { return ++polls == 4; };
    EXPECT_THROW(run(m, src, h), search::Cancelled);
    EXPECT_EQ(polls, 4);
    EXPECT_EQ(m.steps(), 3);  // no step after the poll that cancelled
  }
  // And on a real (random) model.
  auto model = small_rnn(5);
  search::SearchOptions o;
  o.beam_size = 2;
  o.cancelled = [] { return true; };
  EXPECT_THROW(run(*model, random_sources(3, 24, 5, 1), o), search::Cancelled);
}

}  // namespace
}  // namespace s2s::testing
