// Row reductions on the decoding path must not change when a row is padded
// with masked positions or zeros (a sentence alone vs inside a padded batch).
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "s2s/kernels/attention.h"
#include "s2s/kernels/reduce.h"
#include "s2s/kernels/softmax.h"
#include "support/random.h"

namespace s2s {
namespace {

void expect_bits_equal(const float* x, const float* y, std::int64_t n, const std::string& what) {
  for (std::int64_t j = 0; j < n; ++j)
    ASSERT_EQ(std::bit_cast<std::uint32_t>(x[j]), std::bit_cast<std::uint32_t>(y[j])) << what << " element " << j;
}

// x [1, n] followed by `pad` copies of `fill`.
Tensor padded(const Tensor& x, std::int64_t pad, float fill) {
  const std::int64_t n = x.numel();
  Tensor p = Tensor::empty({1, n + pad});
  for (std::int64_t j = 0; j < n + pad; ++j) p.f32()[j] = j < n ? x.f32()[j] : fill;
  return p;
}

TEST(ReductionInvariance, SoftmaxOfARowIgnoresAppendedMaskedPositions) {
  Rng rng(21);
  const float neg_inf = -std::numeric_limits<float>::infinity();
  for (std::int64_t n = 1; n <= 80; ++n)
    for (std::int64_t pad : {1, 3, 8, 29, 64})
      for (float fill : {neg_inf, kernels::kAttentionMaskedScore}) {
        Tensor x = testing::random_tensor(rng, {1, n}, -4.0f, 4.0f), xp = padded(x, pad, fill);
        Tensor y = Tensor::empty({1, n}), yp = Tensor::empty({1, n + pad});
        kernels::softmax(x, y);
        kernels::softmax(xp, yp);
        expect_bits_equal(y.f32(), yp.f32(), n, "softmax n " + std::to_string(n) + " pad " + std::to_string(pad));
        for (std::int64_t j = n; j < n + pad; ++j) ASSERT_EQ(yp.f32()[j], 0.0f);
        kernels::log_softmax(x, y);
        kernels::log_softmax(xp, yp);
        expect_bits_equal(y.f32(), yp.f32(), n, "log_softmax n " + std::to_string(n) + " pad " + std::to_string(pad));
      }
}

TEST(ReductionInvariance, RowSumIgnoresAppendedZeros) {
  Rng rng(22);
  for (std::int64_t n = 1; n <= 80; ++n)
    for (std::int64_t pad : {1, 7, 8, 33}) {
      Tensor x = testing::random_tensor(rng, {1, n}), xp = padded(x, pad, 0.0f);
      Tensor s = Tensor::empty({1}), sp = Tensor::empty({1});
      kernels::sum_axis(x, 1, 1.0f, s);
      kernels::sum_axis(xp, 1, 1.0f, sp);
      expect_bits_equal(s.f32(), sp.f32(), 1, "sum n " + std::to_string(n) + " pad " + std::to_string(pad));
    }
}

TEST(ReductionInvariance, AdditiveAttentionIgnoresMaskedPaddedPositions) {
  Rng rng(23);
  const std::int64_t B = 1, A = 12, D = 10;
  for (std::int64_t S = 1; S <= 40; S += 3) {
    const std::int64_t pad = 13, Sp = S + pad;
    Tensor keys_p = testing::random_tensor(rng, {Sp, B, A}), values_p = testing::random_tensor(rng, {B, Sp, D});
    Tensor query = testing::random_tensor(rng, {B, A}), v = testing::random_tensor(rng, {A});
    Tensor keys = keys_p.narrow0(0, S).clone(), values = Tensor::empty({B, S, D});
    for (std::int64_t p = 0; p < S * D; ++p) values.f32()[p] = values_p.f32()[p];
    Tensor mask = Tensor::zeros({B, Sp});
    for (std::int64_t s = S; s < Sp; ++s) mask.f32()[s] = 1.0f;
    Tensor ctx = Tensor::empty({B, D}), w = Tensor::empty({B, S});
    Tensor ctx_p = Tensor::empty({B, D}), w_p = Tensor::empty({B, Sp});
    kernels::additive_attention_forward(keys, query, v, values, nullptr, ctx, w);
    kernels::additive_attention_forward(keys_p, query, v, values_p, &mask, ctx_p, w_p);
    expect_bits_equal(w.f32(), w_p.f32(), S, "weights S " + std::to_string(S));
    expect_bits_equal(ctx.f32(), ctx_p.f32(), D, "context S " + std::to_string(S));
  }
}

}  // namespace
}  // namespace s2s
