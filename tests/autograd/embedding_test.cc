// embedding: exact forward rows, scatter-add with repeats and padding, errors,
// and a backward that does not depend on the thread count.
#include <gtest/gtest.h>

#include "s2s/autograd/graph.h"
#include "s2s/autograd/ops.h"
#include "s2s/core/parallel.h"
#include "support/random.h"

namespace s2s::autograd {
namespace {

Tensor table() {  // row r = [10r, 10r + 1, 10r + 2]
  std::vector<float> v;
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 3; ++c) v.push_back(static_cast<float>(10 * r + c));
  return Tensor::from_vector(v, {4, 3});
}

TEST(Embedding, GathersRowsInIdsShape) {
  Graph g;
  Var w = g.input(table());
  Var e = embedding(w, Tensor::from_ids({2, 0, 3, 2}, {2, 2}));
  ASSERT_EQ(e.shape(), (Shape{2, 2, 3}));
  EXPECT_EQ(e.value().to_vector(), (std::vector<float>{20, 21, 22, 0, 1, 2, 30, 31, 32, 20, 21, 22}));
}

TEST(Embedding, RepeatedIdsAccumulateAndPaddingRowGetsNothing) {
  Graph g;
  Var w = g.input(table(), true);
  // ids 1 (three times), 0 = padding (twice), 3 once; id 2 absent.
  Var e = embedding(w, Tensor::from_ids({1, 0, 1, 3, 0, 1}, {6}), /*padding_idx=*/0);
  // Upstream gradient of row i is [i+1, 2(i+1), 3(i+1)].
  std::vector<float> seed;
  for (int i = 0; i < 6; ++i)
    for (int c = 1; c <= 3; ++c) seed.push_back(static_cast<float>((i + 1) * c));
  g.backward(e, Tensor::from_vector(seed, {6, 3}));
  // Row 1 collects positions 0, 2, 5: (1 + 3 + 6) * [1, 2, 3]; row 3 position 3: 4 * [1, 2, 3].
  EXPECT_EQ(w.grad().to_vector(), (std::vector<float>{0, 0, 0, 10, 20, 30, 0, 0, 0, 4, 8, 12}));
  // The forward still reads the padding row.
  EXPECT_EQ(e.value().to_vector()[3], 0.0f);
  EXPECT_EQ(e.value().to_vector()[4], 1.0f);
}

TEST(Embedding, OutOfRangeIdNamesIdAndVocabulary) {
  Graph g;
  Var w = g.input(table(), true);
  try {
    embedding(w, Tensor::from_ids({1, 4}, {2}));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("id 4"), std::string::npos) << msg;
    EXPECT_NE(msg.find("position 1"), std::string::npos) << msg;
    EXPECT_NE(msg.find("vocabulary size 4"), std::string::npos) << msg;
  }
  EXPECT_THROW(embedding(w, Tensor::from_ids({-1}, {1})), Error);
  EXPECT_THROW(embedding(w, Tensor::from_vector({1.0f}, {1})), Error);       // ids must be I32
  EXPECT_THROW(embedding(w, Tensor::from_ids({1}, {1}), /*padding_idx=*/4), Error);
}

TEST(Embedding, BackwardIsIndependentOfThreadCount) {
  Rng rng(3);
  Tensor weight = testing::random_tensor(rng, {50, 37});
  Tensor ids = testing::random_ids(rng, {400}, 50);  // many repeats
  Tensor seed = testing::random_tensor(rng, {400, 37});
  auto grad_with = [&](int threads) {
    int before = num_threads();
    set_num_threads(threads);
    Graph g;
    Var w = g.input(weight, true);
    g.backward(embedding(w, ids, 7), seed);
    set_num_threads(before);
    return w.grad().to_vector();
  };
  EXPECT_EQ(grad_with(1), grad_with(4));
}

}  // namespace
}  // namespace s2s::autograd
