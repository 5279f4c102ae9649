// GELU (erf form) against std::erf, value and gradient; multi-head attention
// against a per-head loop written out here; a decoder layer stepped one
// position at a time against the whole sequence under a causal mask.
#include <gtest/gtest.h>

#include <cmath>
#include <algorithm>
#include <limits>
#include <map>
#include <string>

#include "s2s/autograd/ops.h"
#include "s2s/nn/multi_head_attention.h"
#include "s2s/nn/transformer_decoder_layer.h"

namespace s2s::nn {
namespace {

TEST(Gelu, MatchesTheErfFormAndItsDerivative) {
  std::vector<float> xs;
  for (float x = -6.0f; x <= 6.0f; x += 0.0625f) xs.push_back(x);
  xs.push_back(0.0f);
  autograd::Graph g;
  autograd::Var x = g.input(Tensor::from_vector(xs, Shape{static_cast<std::int64_t>(xs.size())}), true);
  autograd::Var y = autograd::gelu(x);  // the fused op, as the feed-forward block uses it
  g.backward(autograd::sum_all(y));
  for (std::size_t k = 0; k < xs.size(); ++k) {
    double v = xs[k], cdf = 0.5 * (1.0 + std::erf(v / std::sqrt(2.0)));
    double pdf = std::exp(-0.5 * v * v) / std::sqrt(2.0 * M_PI);
    EXPECT_NEAR(y.value().f32()[k], v * cdf, 1e-6 + 1e-6 * std::abs(v)) << "x = " << v;
    EXPECT_NEAR(x.grad().f32()[k], cdf + v * pdf, 2e-5) << "x = " << v;
  }
}

// Plain loops: per batch row, per head, softmax(q (k + aK)^T / sqrt(dh)) (v + aV),
// masked keys skipped; aK, aV the relative-position rows for clip(j - i - offset).
void check_against_loops(std::int64_t relative_k, std::int64_t offset) {
  const std::int64_t B = 2, T = 3, S = 5, D = 6, H = 3, dh = D / H;
  Rng rng(9);
  MultiHeadAttention mha("attn", D, H, 0.0f, relative_k, rng);
  autograd::Graph g(false);
  Tensor q_in = init_normal(Shape{B, T, D}, 1.0f, rng), m_in = init_normal(Shape{B, S, D}, 1.0f, rng);
  const std::int64_t lengths[] = {5, 2};
  Tensor mask = Tensor::zeros(Shape{B * H, T, S});
  for (std::int64_t b = 0; b < B; ++b)
    for (std::int64_t r = 0; r < H * T; ++r)
      for (std::int64_t j = lengths[b]; j < S; ++j) mask.f32()[(b * H * T + r) * S + j] = 1.0f;
  auto kv = mha.project_kv(g, g.input(m_in));
  auto out = mha.attend(g, g.input(q_in), kv, mask, offset, false, nullptr);

  std::map<std::string, const Tensor*> p;
  for (auto* param : mha.parameters()) p[param->name] = &param->value;
  auto proj = [&](const Tensor& x, const std::string& which, std::int64_t row) {
    const Tensor& w = *p.at("attn." + which + ".weight");
    const Tensor& bias = *p.at("attn." + which + ".bias");
    std::vector<double> y(static_cast<std::size_t>(D));
    for (std::int64_t o = 0; o < D; ++o) {
      double s = bias.f32()[o];
      for (std::int64_t i = 0; i < D; ++i) s += static_cast<double>(w.f32()[o * D + i]) * x.f32()[row * D + i];
      y[static_cast<std::size_t>(o)] = s;
    }
    return y;
  };
  auto rel = [&](const char* table, std::int64_t i, std::int64_t j, std::int64_t c) {
    if (relative_k == 0) return 0.0;
    std::int64_t r = std::clamp(j - (i + offset), -relative_k, relative_k) + relative_k;
    return static_cast<double>(p.at(std::string("attn.") + table)->f32()[r * dh + c]);
  };
  auto at = [](const std::vector<double>& v, std::int64_t k) { return v[static_cast<std::size_t>(k)]; };
  for (std::int64_t b = 0; b < B; ++b)
    for (std::int64_t t = 0; t < T; ++t) {
      std::vector<double> q = proj(q_in, "q_proj", b * T + t), concat(static_cast<std::size_t>(D));
      for (std::int64_t h = 0; h < H; ++h) {
        std::vector<double> e;
        double mx = -1e300, total = 0;
        for (std::int64_t j = 0; j < lengths[b]; ++j) {
          std::vector<double> k = proj(m_in, "k_proj", b * S + j);
          double s = 0;
          for (std::int64_t c = 0; c < dh; ++c) s += at(q, h * dh + c) * (at(k, h * dh + c) + rel("relative_keys", t, j, c));
          e.push_back(s / std::sqrt(static_cast<double>(dh)));
          mx = std::max(mx, e.back());
        }
        for (double& v : e) total += (v = std::exp(v - mx));
        for (std::int64_t j = 0; j < lengths[b]; ++j) {
          std::vector<double> v = proj(m_in, "v_proj", b * S + j);
          for (std::int64_t c = 0; c < dh; ++c)
            concat[static_cast<std::size_t>(h * dh + c)] +=
                at(e, j) / total * (at(v, h * dh + c) + rel("relative_values", t, j, c));
        }
      }
      Tensor ct = Tensor::empty(Shape{1, D});
      for (std::int64_t c = 0; c < D; ++c) ct.f32()[c] = static_cast<float>(at(concat, c));
      std::vector<double> want = proj(ct, "out_proj", 0);
      for (std::int64_t c = 0; c < D; ++c)
        EXPECT_NEAR(out.out.value().f32()[(b * T + t) * D + c], at(want, c), 1e-5)
            << "relative " << relative_k << ", offset " << offset << ", b " << b << ", t " << t;
    }
}

TEST(MultiHeadAttention, MatchesPerHeadLoops) { check_against_loops(0, 0); }

TEST(MultiHeadAttention, RelativePositionsMatchShawEtAl) {
  check_against_loops(1, 0);
  check_against_loops(2, 0);
  check_against_loops(2, 2);  // queries at positions 2..4, as a decoder step sees them
}

TEST(TransformerDecoderLayer, StepsEqualTheCausalSequence) {
  for (bool pre : {true, false}) {
    TransformerLayerOptions o;
    o.d_model = 8;
    o.heads = 2;
    o.ffn_size = 10;
    o.pre_norm = pre;
    o.gelu = !pre;
    o.relative_k = 2;
    Rng rng(4);
    TransformerDecoderLayer layer("layer", o, rng);
    const std::int64_t B = 2, T = 5, S = 3;
    Tensor x = init_normal(Shape{B, T, o.d_model}, 1.0f, rng), mem = init_normal(Shape{B, S, o.d_model}, 1.0f, rng);
    Tensor causal = Tensor::zeros(Shape{B * o.heads, T, T});
    for (std::int64_t r = 0; r < B * o.heads; ++r)
      for (std::int64_t i = 0; i < T; ++i)
        for (std::int64_t j = i + 1; j < T; ++j) causal.f32()[(r * T + i) * T + j] = 1.0f;
    autograd::Graph g(false);
    TransformerDecoderLayer::IO io;
    io.memory = layer.project_memory(g, g.input(mem));
    Tensor whole = layer.forward(g, g.input(x), io, causal, Tensor(), 0, false, nullptr).value();
    TransformerDecoderLayer::IO step_io;
    step_io.memory = io.memory;
    for (std::int64_t t = 0; t < T; ++t) {
      Tensor xt = Tensor::empty(Shape{B, 1, o.d_model});
      for (std::int64_t b = 0; b < B; ++b)
        std::copy_n(x.f32() + (b * T + t) * o.d_model, o.d_model, xt.f32() + b * o.d_model);
      Tensor yt = layer.forward(g, g.input(xt), step_io, Tensor(), Tensor(), t, false, nullptr).value();
      ASSERT_EQ(step_io.self.k.dim(1), t + 1);
      for (std::int64_t b = 0; b < B; ++b)
        for (std::int64_t c = 0; c < o.d_model; ++c)
          EXPECT_NEAR(yt.f32()[b * o.d_model + c], whole.f32()[(b * T + t) * o.d_model + c], 1e-5)
              << (pre ? "pre" : "post") << " t " << t;
    }
  }
}

}  // namespace
}  // namespace s2s::nn
