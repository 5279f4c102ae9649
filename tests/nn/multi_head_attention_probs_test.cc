// MultiHeadAttention::attend's probs_out (copy attention): the heads'
// average of the cross-attention weights as a Var [T, B, S]. Without grad it
// is the fused op's own average (weights_out, transposed); with grad it has
// the same values, zero at padded keys, and its gradient with respect to
// the query and key projections matches central differences.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>

#include "s2s/autograd/ops.h"
#include "s2s/nn/multi_head_attention.h"

namespace s2s::nn {
namespace {

struct AttentionCase {
  static constexpr std::int64_t B = 2, T = 3, S = 5, D = 6, H = 3;
  Rng rng{13};
  MultiHeadAttention mha{"attn", D, H, 0.3f, 0, rng};  // dropout: probs_out reads the weights before it
  Tensor query = init_normal(Shape{T, B, D}, 1.0f, rng);
  Tensor memory = init_normal(Shape{S, B, D}, 1.0f, rng);
  Tensor weights_of_loss = init_normal(Shape{T, B, S}, 1.0f, rng);
  autograd::AttentionMasks masks;
  AttentionCase() { masks.key_lengths = Tensor::from_ids({5, 2}, Shape{B}); }

  autograd::Var probs(autograd::Graph& g, bool training, Tensor* weights_out = nullptr) {
    autograd::Var p;
    Rng drop(4);
    mha.attend(g, g.input(query), mha.project_kv(g, g.input(memory)), masks, training, &drop, Tensor(), weights_out,
               &p);
    return p;
  }
};

TEST(MultiHeadAttentionProbs, AreTheHeadAverageWithAndWithoutGrad) {
  AttentionCase s;
  autograd::Graph inference(false);
  Tensor averaged;
  Tensor fixed = s.probs(inference, false, &averaged).value();
  ASSERT_EQ(fixed.shape(), Shape({AttentionCase::T, AttentionCase::B, AttentionCase::S}));
  autograd::Graph training;
  Tensor learned = s.probs(training, true).value();  // dropout on: the weights before it
  for (std::int64_t t = 0; t < AttentionCase::T; ++t)
    for (std::int64_t b = 0; b < AttentionCase::B; ++b) {
      double total = 0;
      for (std::int64_t j = 0; j < AttentionCase::S; ++j) {
        const std::int64_t k = (t * AttentionCase::B + b) * AttentionCase::S + j;
        EXPECT_EQ(fixed.f32()[k], averaged.f32()[(b * AttentionCase::T + t) * AttentionCase::S + j]);
        EXPECT_NEAR(learned.f32()[k], fixed.f32()[k], 1e-6f);
        if (b == 1 && j >= 2) {
          EXPECT_EQ(learned.f32()[k], 0.0f) << "padded key " << j;
        }
        total += learned.f32()[k];
      }
      EXPECT_NEAR(total, 1.0, 1e-6);
    }
}

TEST(MultiHeadAttentionProbs, GradientsMatchCentralDifferences) {
  AttentionCase s;
  auto loss = [&](autograd::Graph& g) {
    return autograd::sum_all(autograd::mul(s.probs(g, false), g.input(s.weights_of_loss)));
  };
  autograd::Graph g;
  for (auto* p : s.mha.parameters()) p->grad.reset();
  g.backward(loss(g));
  int checked = 0;
  for (auto* p : s.mha.parameters()) {
    const bool reaches = p->name.find("q_proj") != std::string::npos || p->name.find("k_proj") != std::string::npos;
    if (!reaches) {
      EXPECT_FALSE(p->grad.defined() && std::abs(p->grad.f32()[0]) > 0.0f) << p->name << " gets a gradient";
      continue;
    }
    ASSERT_TRUE(p->grad.defined()) << p->name;
    for (std::int64_t k = 0; k < p->value.numel(); ++k) {
      const float saved = p->value.f32()[k];
      const float eps = 1e-2f;
      p->value.f32()[k] = saved + eps;
      autograd::Graph up(false);
      const double plus = loss(up).value().f32()[0];
      p->value.f32()[k] = saved - eps;
      autograd::Graph down(false);
      const double minus = loss(down).value().f32()[0];
      p->value.f32()[k] = saved;
      const double numeric = (plus - minus) / (2 * eps);
      EXPECT_NEAR(p->grad.f32()[k], numeric, 1e-3 + 1e-2 * std::abs(numeric)) << p->name << "[" << k << "]";
      ++checked;
    }
  }
  EXPECT_EQ(checked, 2 * (36 + 6));
}

}  // namespace
}  // namespace s2s::nn
