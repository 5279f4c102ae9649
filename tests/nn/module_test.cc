// Modules: hierarchical parameter names, PyTorch's initialisations, and the
// forward maths of Linear, Embedding and LayerNorm on hand-checked values.
#include <gtest/gtest.h>

#include <cmath>

#include "s2s/autograd/graph.h"
#include "s2s/nn/embedding.h"
#include "s2s/nn/layer_norm.h"
#include "s2s/nn/linear.h"
#include "s2s/nn/recurrent.h"

namespace s2s::nn {
namespace {

float max_abs(const Tensor& t) {
  float m = 0.0f;
  for (float v : t.span()) m = std::max(m, std::abs(v));
  return m;
}

TEST(Linear, InitNamesAndForward) {
  Rng rng(3);
  Linear lin("decoder.output", 4, 3, true, rng);
  auto params = lin.parameters();
  ASSERT_EQ(params.size(), 2u);
  EXPECT_EQ(params[0]->name, "decoder.output.weight");
  EXPECT_EQ(params[1]->name, "decoder.output.bias");
  EXPECT_EQ(params[0]->value.shape(), (Shape{3, 4}));
  EXPECT_LE(max_abs(params[0]->value), 0.5f);  // 1/sqrt(4)
  EXPECT_LE(max_abs(params[1]->value), 0.5f);
  EXPECT_GT(max_abs(params[0]->value), 0.2f);  // actually drawn, not zeros

  // y = x W^T + b on known values.
  params[0]->value.copy_from(Tensor::from_vector({1, 0, 0, 0, 0, 1, 0, 0, 1, 1, 1, 1}, Shape{3, 4}));
  params[1]->value.copy_from(Tensor::from_vector({0.5f, -1, 0}, Shape{3}));
  autograd::Graph g;
  Tensor y = lin.forward(g, g.input(Tensor::from_vector({1, 2, 3, 4, -1, 0, 1, 0}, Shape{2, 4}))).value();
  EXPECT_EQ(y.to_vector(), (std::vector<float>{1.5f, 1, 10, -0.5f, -1, 0}));
}

TEST(Linear, SharedWeightOwnsOnlyItsBias) {
  Rng rng(3);
  Embedding emb("decoder.embedding", 10, 4, 0, rng);
  Linear out("decoder.output", emb.weight(), true, rng);
  auto params = out.parameters();
  ASSERT_EQ(params.size(), 1u);
  EXPECT_EQ(params[0]->name, "decoder.output.bias");
  EXPECT_EQ(params[0]->value.shape(), (Shape{10}));
  EXPECT_EQ(&out.weight(), &emb.weight());
  EXPECT_EQ(out.in_features(), 4);
  EXPECT_EQ(out.out_features(), 10);
}

TEST(Embedding, NormalInitWithZeroPaddingRowAndLookup) {
  Rng rng(5);
  Embedding emb("encoder.embedding", 200, 50, 0, rng);
  const Tensor& w = emb.weight().value;
  for (std::int64_t k = 0; k < 50; ++k) EXPECT_EQ(w.f32()[k], 0.0f);
  double sum = 0, sq = 0;
  for (std::int64_t k = 50; k < w.numel(); ++k) {
    sum += w.f32()[k];
    sq += w.f32()[k] * w.f32()[k];
  }
  double n = static_cast<double>(w.numel() - 50);
  EXPECT_NEAR(sum / n, 0.0, 0.05);
  EXPECT_NEAR(sq / n, 1.0, 0.05);  // N(0, 1) as torch.nn.Embedding

  autograd::Graph g;
  Tensor out = emb.forward(g, Tensor::from_ids({7, 0}, Shape{2})).value();
  ASSERT_EQ(out.shape(), (Shape{2, 50}));
  for (std::int64_t k = 0; k < 50; ++k) {
    EXPECT_EQ(out.f32()[k], w.f32()[7 * 50 + k]);
    EXPECT_EQ(out.f32()[50 + k], 0.0f);
  }
  emb.set_frozen(true);
  EXPECT_FALSE(emb.weight().trainable);
}

TEST(LayerNorm, NormalisesTheLastAxis) {
  LayerNorm ln("norm", 4);
  auto params = ln.parameters();
  ASSERT_EQ(params.size(), 2u);
  EXPECT_EQ(params[0]->name, "norm.weight");
  EXPECT_EQ(params[0]->value.to_vector(), (std::vector<float>{1, 1, 1, 1}));
  EXPECT_EQ(params[1]->value.to_vector(), (std::vector<float>{0, 0, 0, 0}));
  autograd::Graph g;
  Tensor y = ln.forward(g, g.input(Tensor::from_vector({1, 2, 3, 4}, Shape{1, 4}))).value();
  const float sd = std::sqrt(1.25f + 1e-5f);  // population variance of 1..4 is 1.25
  std::vector<float> want = {-1.5f / sd, -0.5f / sd, 0.5f / sd, 1.5f / sd};
  for (int k = 0; k < 4; ++k) EXPECT_NEAR(y.f32()[k], want[static_cast<std::size_t>(k)], 1e-5f);
}

TEST(Recurrent, TorchNamesShapesAndInit) {
  Rng rng(9);
  Recurrent lstm("encoder.rnn", CellType::Lstm, 5, 8, 2, true, 0.0f, rng);
  auto params = lstm.parameters();
  ASSERT_EQ(params.size(), 16u);
  const char* names[] = {"weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                         "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse",
                         "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1"};
  for (int k = 0; k < 12; ++k) EXPECT_EQ(params[static_cast<std::size_t>(k)]->name, std::string("encoder.rnn.") + names[k]);
  EXPECT_EQ(params[0]->value.shape(), (Shape{32, 5}));
  EXPECT_EQ(params[1]->value.shape(), (Shape{32, 8}));
  EXPECT_EQ(params[8]->value.shape(), (Shape{32, 16}));  // layer 1 reads both directions
  EXPECT_EQ(params[2]->value.shape(), (Shape{32}));
  for (auto* p : params) EXPECT_LE(max_abs(p->value), 1.0f / std::sqrt(8.0f));
  EXPECT_EQ(lstm.output_size(), 16);
  Recurrent gru("rnn", CellType::Gru, 5, 8, 1, false, 0.0f, rng);
  EXPECT_EQ(gru.parameters()[0]->value.shape(), (Shape{24, 5}));
  Recurrent elman("rnn", CellType::RnnRelu, 5, 8, 1, false, 0.0f, rng);
  EXPECT_EQ(elman.parameters()[0]->value.shape(), (Shape{8, 5}));
}

}  // namespace
}  // namespace s2s::nn
