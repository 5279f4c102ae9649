// copy_mixture (copy attention's output) against a plain double-precision
// computation of the pointer-generator's distribution, the training loss
// (smoothed over the target vocabulary only) against the same reference, the
// inference row map, and batch invariance: a sentence's row has the same bits
// alone as next to a longer sentence with more source-only tokens.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "s2s/autograd/graph.h"
#include "s2s/autograd/ops.h"
#include "s2s/core/error.h"
#include "support/random.h"

namespace s2s::autograd {
namespace {

struct Inputs {
  Tensor logits, gate, attn, ids;
  std::int64_t width;
};

// N rows over vocabulary V, S source positions, M sentences.
Inputs random_inputs(std::int64_t n, std::int64_t v, std::int64_t s, const std::vector<std::int32_t>& ids,
                     std::int64_t width, std::uint64_t seed) {
  Rng rng(seed);
  Inputs in{testing::random_tensor(rng, {n, v}, -3.0f, 3.0f), testing::random_tensor(rng, {n, 1}, -2.0f, 2.0f),
            Tensor::empty(Shape{n, s}), Tensor::from_ids(ids, {static_cast<std::int64_t>(ids.size()) / s, s}), width};
  Tensor scores = testing::random_tensor(rng, {n, s}, -2.0f, 2.0f);
  for (std::int64_t r = 0; r < n; ++r) {  // a distribution over the sentence's real (non-padding) positions
    const std::int32_t* id = in.ids.i32() + (r % in.ids.dim(0)) * s;
    double total = 0;
    for (std::int64_t i = 0; i < s; ++i) total += id[i] ? std::exp(scores.f32()[r * s + i]) : 0.0;
    for (std::int64_t i = 0; i < s; ++i)
      in.attn.f32()[r * s + i] = id[i] ? static_cast<float>(std::exp(scores.f32()[r * s + i]) / total) : 0.0f;
  }
  return in;
}

// p[r][w] in double, straight from the definition; m(r) = rows[r] or r % M.
std::vector<std::vector<double>> reference(const Inputs& in, const std::vector<std::int32_t>& rows = {}) {
  const std::int64_t n = in.logits.dim(0), v = in.logits.dim(1), s = in.attn.dim(1);
  std::vector<std::vector<double>> p(static_cast<std::size_t>(n), std::vector<double>(static_cast<std::size_t>(in.width), 0.0));
  for (std::int64_t r = 0; r < n; ++r) {
    auto& pr = p[static_cast<std::size_t>(r)];
    const double g = 1.0 / (1.0 + std::exp(-static_cast<double>(in.gate.f32()[r])));
    double total = 0;
    for (std::int64_t k = 0; k < v; ++k) total += std::exp(static_cast<double>(in.logits.f32()[r * v + k]));
    for (std::int64_t k = 0; k < v; ++k) pr[static_cast<std::size_t>(k)] = g * std::exp(static_cast<double>(in.logits.f32()[r * v + k])) / total;
    const std::int64_t m = rows.empty() ? r % in.ids.dim(0) : rows[static_cast<std::size_t>(r)];
    for (std::int64_t i = 0; i < s; ++i)
      if (const std::int32_t w = in.ids.i32()[m * s + i]; w != 0)
        pr[static_cast<std::size_t>(w)] += (1.0 - g) * in.attn.f32()[r * s + i];
  }
  return p;
}

// V = 6; sentence 0 has source-only tokens 6, 7 (6 twice) and padding,
// sentence 1 has 6 only and ends with </s>.
const std::vector<std::int32_t> kIds = {6, 4, 7, 6, 0, 5, 6, 3, 4, 2};

TEST(CopyMixture, MatchesTheDefinition) {
  Inputs in = random_inputs(6, 6, 5, kIds, 8, 7);
  Graph g(false);
  Tensor y = copy_mixture(g.input(in.logits), g.input(in.gate), g.input(in.attn), in.ids, in.width).value();
  auto p = reference(in);
  ASSERT_EQ(y.dim(1), 8);
  for (std::int64_t r = 0; r < 6; ++r)
    for (std::int64_t w = 0; w < 8; ++w) {
      const double want = p[static_cast<std::size_t>(r)][static_cast<std::size_t>(w)];
      if (want == 0.0)  // column 7 on sentence 1's rows: not in its extended vocabulary
        EXPECT_EQ(y.f32()[r * 8 + w], -std::numeric_limits<float>::infinity()) << r << ", " << w;
      else
        EXPECT_NEAR(y.f32()[r * 8 + w], std::log(want), 2e-6) << r << ", " << w;
    }
}

TEST(CopyMixture, RowMapReadsEachRowsSentence) {
  Inputs in = random_inputs(4, 6, 5, kIds, 8, 8);
  const std::vector<std::int32_t> rows = {1, 1, 0, 1};
  Graph g(false);
  Tensor y = copy_mixture(g.input(in.logits), g.input(in.gate), g.input(in.attn), in.ids, in.width,
                          Tensor::from_ids(rows, {4}))
                 .value();
  auto p = reference(in, rows);
  for (std::int64_t r = 0; r < 4; ++r)
    for (std::int64_t w = 0; w < 8; ++w) {
      const double want = p[static_cast<std::size_t>(r)][static_cast<std::size_t>(w)];
      if (want > 0) {
        EXPECT_NEAR(y.f32()[r * 8 + w], std::log(want), 2e-6) << r << ", " << w;
      }
    }
}

// The training loss: cross-entropy of the log-probabilities, smoothing over
// the target vocabulary: (1 - eps) (-log p[gold]) + eps mean_{v < V} (-log p[v]).
TEST(CopyMixture, LossEqualsTheReference) {
  Inputs in = random_inputs(6, 6, 5, kIds, 8, 9);
  const std::vector<std::int32_t> gold = {6, 6, 7, 0, 2, 1};  // copy ids, padding, </s>, vocabulary ids
  const float eps = 0.1f;
  Graph g;
  Var y = copy_mixture(g.input(in.logits, true), g.input(in.gate, true), g.input(in.attn, true), in.ids, in.width);
  CrossEntropyOptions ce;
  ce.ignore_index = 0;
  ce.label_smoothing = eps;
  ce.smoothing_classes = 6;
  ce.reduction = Reduction::Sum;
  const double loss = cross_entropy(y, Tensor::from_ids(gold, {6}), ce).value().f32()[0];
  auto p = reference(in);
  double want = 0;
  for (std::size_t r = 0; r < 6; ++r) {
    if (gold[r] == 0) continue;
    double smooth = 0;
    for (std::size_t v = 0; v < 6; ++v) smooth -= std::log(p[r][v]) / 6.0;
    want += (1.0 - eps) * -std::log(p[r][static_cast<std::size_t>(gold[r])]) + eps * smooth;
  }
  EXPECT_NEAR(loss, want, 1e-5 * want);
}

// Sentence A (3 positions, one source-only token: width 7) alone and as row 0
// of a batch with a longer sentence B that has three (width 9): A's
// columns are bit for bit the same.
TEST(CopyMixture, SentenceRowDoesNotDependOnTheBatch) {
  const std::int64_t v = 6;
  Inputs batch = random_inputs(2, v, 5, {6, 4, 6, 0, 0, 7, 8, 6, 5, 2}, 9, 10);
  Inputs alone{batch.logits.narrow0(0, 1).clone(), batch.gate.narrow0(0, 1).clone(), Tensor::empty(Shape{1, 3}),
               Tensor::from_ids({6, 4, 6}, {1, 3}), 7};
  for (std::int64_t i = 0; i < 3; ++i) alone.attn.f32()[i] = batch.attn.f32()[i];
  Graph g(false);
  Tensor yb = copy_mixture(g.input(batch.logits), g.input(batch.gate), g.input(batch.attn), batch.ids, 9).value();
  Tensor ya = copy_mixture(g.input(alone.logits), g.input(alone.gate), g.input(alone.attn), alone.ids, 7).value();
  for (std::int64_t w = 0; w < 7; ++w) EXPECT_EQ(ya.f32()[w], yb.f32()[w]) << w;
}

TEST(CopyMixture, RefusesIdsOutsideTheWidth) {
  Inputs in = random_inputs(2, 6, 5, kIds, 8, 11);
  Graph g(false);
  try {
    copy_mixture(g.input(in.logits), g.input(in.gate), g.input(in.attn), in.ids, 7);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("copy_mixture: source id 7 outside the extended vocabulary of 7"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace s2s::autograd
