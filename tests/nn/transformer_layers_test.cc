// GELU (erf form) against std::erf, value and gradient; multi-head attention
// (the fused op behind nn::MultiHeadAttention) against a per-head loop
// written out here; a decoder layer stepped one position at a time against
// the whole sequence under the causal mask.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
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
// masked keys skipped; aK, aV the relative-position rows for clip(j - i'),
// i' = i + S - T (the queries are the last T positions of the keys). self:
// the keys are the queries' own positions (self_attend, one fused qkv
// projection), else project_kv + attend over a memory. Time-major rows t B + b.
void check_against_loops(std::int64_t relative_k, bool self, bool causal) {
  const std::int64_t B = 2, T = 3, S = self ? T : 5, D = 6, H = 3, dh = D / H, offset = S - T;
  Rng rng(9);
  MultiHeadAttention mha("attn", D, H, 0.0f, relative_k, rng);
  autograd::Graph g(false);
  Tensor q_in = init_normal(Shape{T, B, D}, 1.0f, rng);
  Tensor m_in = self ? q_in : init_normal(Shape{S, B, D}, 1.0f, rng);
  const std::int64_t lengths[] = {S, 2};
  autograd::AttentionMasks masks;
  masks.key_lengths = Tensor::from_ids({static_cast<std::int32_t>(lengths[0]), static_cast<std::int32_t>(lengths[1])},
                                       Shape{B});
  masks.causal = causal;
  autograd::Var out = self ? mha.self_attend(g, g.input(q_in), masks, nullptr, false, nullptr)
                           : mha.attend(g, g.input(q_in), mha.project_kv(g, g.input(m_in)), masks, false, nullptr);

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
      const std::int64_t visible = causal ? std::min(lengths[b], t + offset + 1) : lengths[b];
      std::vector<double> q = proj(q_in, "q_proj", t * B + b), concat(static_cast<std::size_t>(D));
      for (std::int64_t h = 0; h < H; ++h) {
        std::vector<double> e;
        double mx = -1e300, total = 0;
        for (std::int64_t j = 0; j < visible; ++j) {
          std::vector<double> k = proj(m_in, "k_proj", j * B + b);
          double s = 0;
          for (std::int64_t c = 0; c < dh; ++c) s += at(q, h * dh + c) * (at(k, h * dh + c) + rel("relative_keys", t, j, c));
          e.push_back(s / std::sqrt(static_cast<double>(dh)));
          mx = std::max(mx, e.back());
        }
        for (double& v : e) total += (v = std::exp(v - mx));
        for (std::int64_t j = 0; j < visible; ++j) {
          std::vector<double> v = proj(m_in, "v_proj", j * B + b);
          for (std::int64_t c = 0; c < dh; ++c)
            concat[static_cast<std::size_t>(h * dh + c)] +=
                at(e, j) / total * (at(v, h * dh + c) + rel("relative_values", t, j, c));
        }
      }
      Tensor ct = Tensor::empty(Shape{1, D});
      for (std::int64_t c = 0; c < D; ++c) ct.f32()[c] = static_cast<float>(at(concat, c));
      std::vector<double> want = proj(ct, "out_proj", 0);
      for (std::int64_t c = 0; c < D; ++c)
        EXPECT_NEAR(out.value().f32()[(t * B + b) * D + c], at(want, c), 1e-5)
            << "relative " << relative_k << (self ? ", self" : ", memory") << (causal ? ", causal" : "") << ", b "
            << b << ", t " << t;
    }
}

TEST(MultiHeadAttention, MatchesPerHeadLoops) {
  check_against_loops(0, false, false);
  check_against_loops(0, true, false);
  check_against_loops(0, true, true);
  check_against_loops(0, false, true);  // queries at positions 2..4 of 5 keys
}

TEST(MultiHeadAttention, RelativePositionsMatchShawEtAl) {
  check_against_loops(1, true, false);
  check_against_loops(2, true, true);
  check_against_loops(2, false, false);  // queries at positions 2..4, as a decoder step sees them
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
    Tensor x = init_normal(Shape{T, B, o.d_model}, 1.0f, rng), mem = init_normal(Shape{S, B, o.d_model}, 1.0f, rng);
    autograd::Graph g(false);
    TransformerDecoderLayer::IO io;
    io.memory = layer.project_memory(g, g.input(mem));
    Tensor whole = layer.forward(g, g.input(x), io, false, nullptr).value();
    MultiHeadAttention::Cache cache;
    TransformerDecoderLayer::IO step_io;
    step_io.memory = io.memory;
    step_io.self_cache = &cache;
    MultiHeadAttention::QkvWeights qkv = layer.self_attention().qkv_weights();
    if (pre) step_io.self_qkv = &qkv;  // post: the weights joined per step
    for (std::int64_t t = 0; t < T; ++t) {
      Tensor xt = Tensor::empty(Shape{1, B, o.d_model});
      std::copy_n(x.f32() + t * B * o.d_model, B * o.d_model, xt.f32());
      Tensor yt = layer.forward(g, g.input(xt), step_io, false, nullptr).value();
      ASSERT_EQ(cache.kv.dim(0), t + 1);
      for (std::int64_t k = 0; k < B * o.d_model; ++k)
        EXPECT_NEAR(yt.f32()[k], whole.f32()[t * B * o.d_model + k], 1e-5) << (pre ? "pre" : "post") << " t " << t;
    }
  }
}

}  // namespace
}  // namespace s2s::nn
