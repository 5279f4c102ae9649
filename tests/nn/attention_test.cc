// Attention modules against scalar loop implementations of their equations,
// with padding (row 1 is shorter) that must get exactly zero weight.
#include <gtest/gtest.h>

#include <cmath>

#include "s2s/nn/attention_bahdanau.h"
#include "s2s/nn/attention_local.h"
#include "s2s/nn/attention_luong.h"
#include "support/random.h"

namespace s2s::nn {
namespace {

constexpr std::int64_t kB = 2, kS = 5, kDm = 4, kH = 4;
const std::vector<std::int32_t> kLengths = {5, 3};

struct Inputs {
  Tensor memory_tm = Tensor::empty(Shape{kS, kB, kDm});  // [S, B, Dm]
  Tensor query = Tensor::empty(Shape{kB, kH});
  explicit Inputs(Rng& rng) {
    memory_tm = testing::random_tensor(rng, memory_tm.shape());
    query = testing::random_tensor(rng, query.shape(), -2.0f, 2.0f);
  }
  float mem(std::int64_t b, std::int64_t s, std::int64_t k) const { return memory_tm.f32()[(s * kB + b) * kDm + k]; }
};

// x W^T for one vector with W [out, in].
std::vector<float> mat_vec(const Tensor& w, const std::vector<float>& x) {
  std::int64_t out = w.dim(0), in = w.dim(1);
  std::vector<float> y(static_cast<std::size_t>(out), 0.0f);
  for (std::int64_t o = 0; o < out; ++o)
    for (std::int64_t i = 0; i < in; ++i) y[static_cast<std::size_t>(o)] += w.f32()[o * in + i] * x[static_cast<std::size_t>(i)];
  return y;
}

std::vector<float> row(const Tensor& t, std::int64_t b) {
  std::int64_t n = t.dim(1);
  return std::vector<float>(t.f32() + b * n, t.f32() + (b + 1) * n);
}

// Softmax of scores over positions where allowed[s], zero elsewhere.
std::vector<float> softmax_where(const std::vector<float>& scores, const std::vector<bool>& allowed) {
  float mx = -1e30f;
  for (std::size_t s = 0; s < scores.size(); ++s)
    if (allowed[s]) mx = std::max(mx, scores[s]);
  std::vector<float> w(scores.size(), 0.0f);
  float z = 0.0f;
  for (std::size_t s = 0; s < scores.size(); ++s)
    if (allowed[s]) z += (w[s] = std::exp(scores[s] - mx));
  for (float& v : w) v /= z;
  return w;
}

void expect_output(const Inputs& in, const AttentionOutput& out, std::int64_t b, const std::vector<float>& weights) {
  for (std::int64_t s = 0; s < kS; ++s) {
    float got = out.weights.value().f32()[b * kS + s];
    if (weights[static_cast<std::size_t>(s)] == 0.0f) EXPECT_EQ(got, 0.0f) << "b " << b << " s " << s;
    else EXPECT_NEAR(got, weights[static_cast<std::size_t>(s)], 1e-5f) << "b " << b << " s " << s;
  }
  for (std::int64_t k = 0; k < kDm; ++k) {
    float want = 0.0f;
    for (std::int64_t s = 0; s < kS; ++s) want += weights[static_cast<std::size_t>(s)] * in.mem(b, s, k);
    EXPECT_NEAR(out.context.value().f32()[b * kDm + k], want, 1e-5f);
  }
}

std::vector<bool> within_length(std::int64_t b) {
  std::vector<bool> ok(kS);
  for (std::int64_t s = 0; s < kS; ++s) ok[static_cast<std::size_t>(s)] = s < kLengths[static_cast<std::size_t>(b)];
  return ok;
}

AttentionOutput run(const Attention& att, const Inputs& in, autograd::Graph& g) {
  AttentionMemory m = att.prepare(g, g.input(in.memory_tm), Tensor::from_ids(kLengths, Shape{kB}));
  return att.attend(g, g.input(in.query), m);
}

TEST(Attention, Dot) {
  Rng rng(1);
  Inputs in(rng);
  DotAttention att("attention", kH, kDm);
  EXPECT_TRUE(att.parameters().empty());
  autograd::Graph g(false);
  AttentionOutput out = run(att, in, g);
  for (std::int64_t b = 0; b < kB; ++b) {
    std::vector<float> scores;
    for (std::int64_t s = 0; s < kS; ++s) {
      float e = 0;
      for (std::int64_t k = 0; k < kDm; ++k) e += in.mem(b, s, k) * in.query.f32()[b * kH + k];
      scores.push_back(e);
    }
    expect_output(in, out, b, softmax_where(scores, within_length(b)));
  }
  EXPECT_THROW(DotAttention("a", 3, 4), Error);
}

TEST(Attention, General) {
  Rng rng(2);
  Inputs in(rng);
  GeneralAttention att("attention", kH, kDm, rng);
  ASSERT_EQ(att.parameters().size(), 1u);
  const Tensor& wa = att.parameters()[0]->value;
  EXPECT_EQ(att.parameters()[0]->name, "attention.W_a.weight");
  autograd::Graph g(false);
  AttentionOutput out = run(att, in, g);
  for (std::int64_t b = 0; b < kB; ++b) {
    std::vector<float> scores;
    for (std::int64_t s = 0; s < kS; ++s) {
      std::vector<float> h(static_cast<std::size_t>(kDm));
      for (std::int64_t k = 0; k < kDm; ++k) h[static_cast<std::size_t>(k)] = in.mem(b, s, k);
      std::vector<float> key = mat_vec(wa, h), q = row(in.query, b);
      float e = 0;
      for (std::int64_t k = 0; k < kH; ++k) e += key[static_cast<std::size_t>(k)] * q[static_cast<std::size_t>(k)];
      scores.push_back(e);
    }
    expect_output(in, out, b, softmax_where(scores, within_length(b)));
  }
}

TEST(Attention, Bahdanau) {
  Rng rng(3);
  Inputs in(rng);
  const std::int64_t a = 3;
  BahdanauAttention att("attention", kH, kDm, a, rng);
  auto p = att.parameters();
  ASSERT_EQ(p.size(), 4u);
  EXPECT_EQ(p[0]->name, "attention.W.weight");
  EXPECT_EQ(p[1]->name, "attention.U.weight");
  EXPECT_EQ(p[2]->name, "attention.U.bias");
  EXPECT_EQ(p[3]->name, "attention.v.weight");
  EXPECT_EQ(p[3]->value.shape(), (Shape{1, a}));
  autograd::Graph g(false);
  AttentionOutput out = run(att, in, g);
  for (std::int64_t b = 0; b < kB; ++b) {
    std::vector<float> wq = mat_vec(p[0]->value, row(in.query, b)), scores;
    for (std::int64_t s = 0; s < kS; ++s) {
      std::vector<float> h(static_cast<std::size_t>(kDm));
      for (std::int64_t k = 0; k < kDm; ++k) h[static_cast<std::size_t>(k)] = in.mem(b, s, k);
      std::vector<float> uh = mat_vec(p[1]->value, h);
      float e = 0;
      for (std::int64_t j = 0; j < a; ++j) {
        auto jj = static_cast<std::size_t>(j);
        e += p[3]->value.f32()[j] * std::tanh(wq[jj] + uh[jj] + p[2]->value.f32()[j]);
      }
      scores.push_back(e);
    }
    expect_output(in, out, b, softmax_where(scores, within_length(b)));
  }
}

TEST(Attention, LocalP) {
  Rng rng(4);
  Inputs in(rng);
  const std::int64_t window = 1;
  LocalPAttention att("attention", kH, kDm, window, rng);
  auto p = att.parameters();
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[1]->name, "attention.W_p.weight");
  EXPECT_EQ(p[2]->name, "attention.v_p.weight");
  autograd::Graph g(false);
  AttentionOutput out = run(att, in, g);
  for (std::int64_t b = 0; b < kB; ++b) {
    std::vector<float> q = row(in.query, b), hp = mat_vec(p[1]->value, q);
    for (float& v : hp) v = std::tanh(v);
    float len = static_cast<float>(kLengths[static_cast<std::size_t>(b)]);
    float pt = len / (1.0f + std::exp(-mat_vec(p[2]->value, hp)[0]));
    std::vector<float> scores;
    std::vector<bool> allowed = within_length(b);
    for (std::int64_t s = 0; s < kS; ++s) {
      std::vector<float> h(static_cast<std::size_t>(kDm));
      for (std::int64_t k = 0; k < kDm; ++k) h[static_cast<std::size_t>(k)] = in.mem(b, s, k);
      std::vector<float> key = mat_vec(p[0]->value, h);
      float e = 0;
      for (std::int64_t k = 0; k < kH; ++k) e += key[static_cast<std::size_t>(k)] * q[static_cast<std::size_t>(k)];
      scores.push_back(e);
      if (std::abs(static_cast<float>(s) - pt) > static_cast<float>(window)) allowed[static_cast<std::size_t>(s)] = false;
    }
    std::vector<float> w = softmax_where(scores, allowed);
    const float sigma = static_cast<float>(window) / 2.0f;
    for (std::int64_t s = 0; s < kS; ++s)
      w[static_cast<std::size_t>(s)] *= std::exp(-(static_cast<float>(s) - pt) * (static_cast<float>(s) - pt) / (2 * sigma * sigma));
    expect_output(in, out, b, w);
    int inside = 0;
    for (bool ok : allowed) inside += ok;
    EXPECT_LE(inside, 3);  // a window of +-1 around p_t
  }
}

TEST(Attention, PaddingMask) {
  Tensor m = padding_mask(Tensor::from_ids({3, 1}, Shape{2}), 4);
  EXPECT_EQ(m.to_vector(), (std::vector<float>{0, 0, 0, 1, 0, 1, 1, 1}));
  EXPECT_THROW(padding_mask(Tensor::from_ids({5}, Shape{1}), 4), Error);
  EXPECT_THROW(padding_mask(Tensor::from_ids({0}, Shape{1}), 4), Error);
}

}  // namespace
}  // namespace s2s::nn
