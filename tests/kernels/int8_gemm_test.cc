// The int8 product: quantization rules, every path this CPU runs against the
// plain C++ reference bit for bit on awkward shapes (1 row, odd k, column
// counts off the 16-column block and the register tiles), row and thread
// invariance, closeness to the fp32 product, and the refusal of a path the
// CPU lacks. A CPU without AVX-512 VNNI runs the AVX2 path (what forcing
// S2S_CPU_ISA=avx2 does on one that has it); the VNNI case skips with a message.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "s2s/core/parallel.h"
#include "s2s/core/rng.h"
#include "s2s/kernels/cpu_isa.h"
#include "s2s/kernels/int8_gemm.h"
#include "s2s/kernels/quantize.h"
#include "support/random.h"

namespace s2s::testing {
namespace {

using kernels::CpuIsa;

std::vector<float> product(CpuIsa isa, const Tensor& a, const kernels::Int8Weight& w, const float* bias, float beta,
                           const std::vector<float>& c0) {
  std::vector<float> c = c0;
  kernels::gemm_int8_nt(isa, a.dim(0), a.f32(), a.dim(1), w, bias, beta, c.data(), w.rows());
  return c;
}

TEST(Int8Quantize, SymmetricPerRowWithZeroAndNonFiniteRows) {
  const float nan = std::nanf("");
  std::vector<float> x = {1.0f, -0.5f, 0.25f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 2.0f, nan, -3.0f, 1.0f};
  std::vector<std::int8_t> q(12);
  std::vector<float> s(3);
  kernels::quantize_rows(x.data(), 3, 4, 4, q.data(), s.data());
  EXPECT_FLOAT_EQ(s[0], 1.0f / 127.0f);
  EXPECT_EQ(q[0], 127);
  EXPECT_EQ(q[1], -64);  // -63.5 rounds to even
  EXPECT_EQ(q[2], 32);   // 31.75
  EXPECT_EQ(q[3], 0);
  EXPECT_EQ(s[1], 0.0f);
  for (int j = 4; j < 8; ++j) EXPECT_EQ(q[j], 0);
  EXPECT_TRUE(std::isnan(s[2]));
  for (int j = 8; j < 12; ++j) EXPECT_EQ(q[j], 0);
}

TEST(Int8Quantize, WeightJoinEqualsQuantizingTheConcatenation) {
  Rng rng(5);
  Tensor a = random_tensor(rng, {3, 9}), b = random_tensor(rng, {5, 9});
  Tensor both = Tensor::empty({8, 9});
  std::memcpy(both.f32(), a.f32(), 27 * sizeof(float));
  std::memcpy(both.f32() + 27, b.f32(), 45 * sizeof(float));
  const kernels::Int8Weight qa = kernels::Int8Weight::quantize(a), qb = kernels::Int8Weight::quantize(b);
  const kernels::Int8Weight* parts[] = {&qa, &qb};
  const kernels::Int8Weight joined = kernels::Int8Weight::join(parts), whole = kernels::Int8Weight::quantize(both);
  EXPECT_EQ(std::memcmp(joined.values().data<std::int8_t>(), whole.values().data<std::int8_t>(), 72), 0);
  EXPECT_EQ(joined.scales().to_vector(), whole.scales().to_vector());
  for (int r = 0; r < 8; ++r) EXPECT_EQ(joined.row_sums()[r], whole.row_sums()[r]);
}

TEST(Int8Quantize, DequantizedRowsAreScaleTimesValues) {
  Rng rng(6);
  const kernels::Int8Weight w = kernels::Int8Weight::quantize(random_tensor(rng, {7, 5}));
  Tensor ids = Tensor::from_ids({6, 0, 6}, {3});
  Tensor out = Tensor::empty({3, 5});
  kernels::dequantize_rows(w, ids, out);
  const Tensor full = w.dequantize();
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 5; ++j) EXPECT_EQ(out.f32()[i * 5 + j], full.f32()[ids.i32()[i] * 5 + j]);
  Tensor bad = Tensor::from_ids({7}, {1});
  Tensor one = Tensor::empty({1, 5});
  EXPECT_THROW(kernels::dequantize_rows(w, bad, one), Error);
}

TEST(Int8Gemm, EveryPathMatchesTheReferenceBitForBit) {
  Rng rng(7);
  int paths_run = 0;
  for (CpuIsa isa : {CpuIsa::Avx2, CpuIsa::Avx512Vnni}) {
    if (!kernels::cpu_supports(isa)) {
      std::printf("[ SKIPPED  ] %s path: not supported by this CPU\n", kernels::cpu_isa_name(isa));
      continue;
    }
    ++paths_run;
    for (int threads : {1, 2}) {
      set_num_threads(threads);
      for (std::int64_t m : {1, 2, 3, 5, 17, 33})
        for (std::int64_t k : {1, 7, 16, 31, 64, 65, 130})
          for (std::int64_t n : {1, 3, 15, 17, 33}) {
            Tensor a = random_tensor(rng, {m, k}, -2.0f, 2.0f);
            const kernels::Int8Weight w = kernels::Int8Weight::quantize(random_tensor(rng, {n, k}));
            std::vector<float> bias(static_cast<std::size_t>(n)), c0(static_cast<std::size_t>(m * n));
            rng.fill_uniform(bias.data(), n, -1, 1);
            rng.fill_uniform(c0.data(), m * n, -1, 1);
            for (float beta : {0.0f, 1.0f})
              for (const float* b : {static_cast<const float*>(nullptr), static_cast<const float*>(bias.data())}) {
                const std::vector<float> want = product(CpuIsa::Reference, a, w, b, beta, c0);
                const std::vector<float> got = product(isa, a, w, b, beta, c0);
                ASSERT_EQ(std::memcmp(want.data(), got.data(), want.size() * sizeof(float)), 0)
                    << kernels::cpu_isa_name(isa) << " m " << m << " k " << k << " n " << n << " beta " << beta
                    << " bias " << (b != nullptr) << " threads " << threads;
              }
          }
    }
  }
  set_num_threads(1);
  EXPECT_GT(paths_run, 0) << "no SIMD path checked";
}

TEST(Int8Gemm, ARowGivesTheSameBitsAloneOrInAnyBatchAndThreadCount) {
  Rng rng(8);
  const std::int64_t m = 37, k = 203, n = 301;
  Tensor a = random_tensor(rng, {m, k});
  const kernels::Int8Weight w = kernels::Int8Weight::quantize(random_tensor(rng, {n, k}, -0.1f, 0.1f));
  const CpuIsa isa = kernels::best_cpu_isa();
  std::vector<float> c0(static_cast<std::size_t>(m * n), 0.0f);
  set_num_threads(1);
  const std::vector<float> batch = product(isa, a, w, nullptr, 0.0f, c0);
  set_num_threads(2);
  const std::vector<float> batch2 = product(isa, a, w, nullptr, 0.0f, c0);
  ASSERT_EQ(std::memcmp(batch.data(), batch2.data(), batch.size() * sizeof(float)), 0);
  for (std::int64_t i : {0, 5, 36}) {
    std::vector<float> row(static_cast<std::size_t>(n));
    kernels::gemm_int8_nt(isa, 1, a.f32() + i * k, k, w, nullptr, 0.0f, row.data(), n);
    ASSERT_EQ(std::memcmp(row.data(), batch.data() + i * n, row.size() * sizeof(float)), 0) << "row " << i;
  }
  set_num_threads(1);
}

TEST(Int8Gemm, CloseToTheFloatProduct) {
  Rng rng(9);
  const std::int64_t m = 4, k = 512, n = 64;
  Tensor a = random_tensor(rng, {m, k}), wf = random_tensor(rng, {n, k}, -0.05f, 0.05f);
  const kernels::Int8Weight w = kernels::Int8Weight::quantize(wf);
  const std::vector<float> got = product(CpuIsa::Reference, a, w, nullptr, 0.0f, std::vector<float>(m * n));
  double err = 0.0, norm = 0.0;
  for (std::int64_t i = 0; i < m; ++i)
    for (std::int64_t j = 0; j < n; ++j) {
      double exact = 0.0;
      for (std::int64_t p = 0; p < k; ++p) exact += double(a.f32()[i * k + p]) * wf.f32()[j * k + p];
      err += (got[i * n + j] - exact) * (got[i * n + j] - exact);
      norm += exact * exact;
    }
  EXPECT_LT(std::sqrt(err / norm), 0.02) << "relative error of the int8 product";
}

TEST(Int8Gemm, NonFiniteActivationRowsGiveNaNRows) {
  Rng rng(10);
  Tensor a = random_tensor(rng, {2, 8});
  a.f32()[3] = INFINITY;
  const kernels::Int8Weight w = kernels::Int8Weight::quantize(random_tensor(rng, {3, 8}));
  const std::vector<float> c = product(CpuIsa::Reference, a, w, nullptr, 0.0f, std::vector<float>(6));
  for (int j = 0; j < 3; ++j) {
    EXPECT_TRUE(std::isnan(c[j]));
    EXPECT_TRUE(std::isfinite(c[3 + j]));
  }
}

TEST(CpuIsa, NamesParseAndUnsupportedPathsAreRefused) {
  EXPECT_EQ(kernels::parse_cpu_isa("avx2", "S2S_CPU_ISA"), CpuIsa::Avx2);
  EXPECT_EQ(kernels::parse_cpu_isa("reference", "S2S_CPU_ISA"), CpuIsa::Reference);
  EXPECT_EQ(kernels::parse_cpu_isa("avx512_vnni", "S2S_CPU_ISA"), CpuIsa::Avx512Vnni);
  EXPECT_THROW(kernels::parse_cpu_isa("sse2", "S2S_CPU_ISA"), Error);
  EXPECT_TRUE(kernels::cpu_supports(CpuIsa::Reference));
  EXPECT_EQ(kernels::cpu_isa_from_env(nullptr), kernels::best_cpu_isa());
  EXPECT_EQ(kernels::cpu_isa_from_env(""), kernels::best_cpu_isa());
  EXPECT_EQ(kernels::cpu_isa_from_env("reference"), CpuIsa::Reference);
  EXPECT_THROW(kernels::cpu_isa_from_env("avx3"), Error);
  if (!kernels::cpu_supports(CpuIsa::Avx512Vnni)) {
    try {
      kernels::cpu_isa_from_env("avx512_vnni");
      ADD_FAILURE() << "an unsupported path was accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("S2S_CPU_ISA=avx512_vnni: this CPU does not support"), std::string::npos)
          << e.what();
    }
  }
  const CpuIsa before = kernels::active_cpu_isa();
  kernels::set_active_cpu_isa(CpuIsa::Reference);
  EXPECT_EQ(kernels::active_cpu_isa(), CpuIsa::Reference);
  if (!kernels::cpu_supports(CpuIsa::Avx512Vnni)) {
    EXPECT_THROW(kernels::set_active_cpu_isa(CpuIsa::Avx512Vnni), Error);
    const kernels::Int8Weight w = kernels::Int8Weight::quantize(Tensor::full({2, 2}, 1.0f));
    float a[2] = {1, 2}, c[2];
    EXPECT_THROW(kernels::gemm_int8_nt(CpuIsa::Avx512Vnni, 1, a, 2, w, nullptr, 0.0f, c, 2), Error);
  }
  kernels::set_active_cpu_isa(before);
}

}  // namespace
}  // namespace s2s::testing
