// Decoding with the int8 compute type: it is really used (the scores differ
// from fp32's, by little), every instruction-set path this CPU runs decodes
// to the same bits as the reference path (a CPU without AVX-512 VNNI runs
// the AVX2 one, as S2S_CPU_ISA=avx2 forces it elsewhere), and the C++
// greedy API takes the compute type. Batch and thread invariance:
// batch_invariance_test.cc's Int8 cases.
#include <gtest/gtest.h>

#include <cmath>

#include "s2s/kernels/compute_type.h"
#include "s2s/kernels/cpu_isa.h"
#include "s2s/search/greedy.h"
#include "search/search_test_util.h"

namespace s2s::testing {
namespace {

using kernels::ComputeType;
using kernels::CpuIsa;

std::vector<std::unique_ptr<models::EncoderDecoder>> models_of_both_families() {
  std::vector<std::unique_ptr<models::EncoderDecoder>> out;
  out.push_back(small_rnn(11));
  out.push_back(small_rnn(12, 24, models::AttentionKind::General));
  out.push_back(small_transformer(13, models::NormPosition::Pre, 2));
  return out;
}

// First-step log-probabilities of a batch under one compute type.
std::vector<float> first_step(models::EncoderDecoder& m, const std::vector<Ids>& src, ComputeType type) {
  search::Ensemble e({&m}, {type});
  autograd::Graph g(false);
  models::TokenBatch b = make_batch(src);
  e.encode(g, std::span<const models::TokenBatch>(&b, 1));
  Tensor prev = Tensor::empty(Shape{static_cast<std::int64_t>(src.size())}, DType::I32);
  for (std::int64_t i = 0; i < prev.numel(); ++i) prev.i32()[i] = models::kBos;
  Tensor logp, attention;
  e.step(g, prev, logp, attention);
  return logp.to_vector();
}

TEST(Int8Decoding, ScoresDifferFromFp32ByLittle) {
  const auto src = random_sources(6, 24, 9, 3);
  for (auto& m : models_of_both_families()) {
    SCOPED_TRACE(m->describe());
    const std::vector<float> fp32 = first_step(*m, src, ComputeType::Fp32), int8 = first_step(*m, src, ComputeType::Int8);
    ASSERT_EQ(fp32.size(), int8.size());
    double max_diff = 0.0;
    for (std::size_t i = 0; i < fp32.size(); ++i) max_diff = std::max(max_diff, double(std::fabs(fp32[i] - int8[i])));
    EXPECT_GT(max_diff, 0.0) << "int8 gave fp32's bits: the int8 weights were not used";
    EXPECT_LT(max_diff, 0.15) << "int8 log-probabilities far from fp32's";
    // auto stands for fp32 for a model not held in int8 (docs/precision.md).
    EXPECT_EQ(first_step(*m, src, ComputeType::Auto), fp32);
  }
}

TEST(Int8Decoding, EveryPathDecodesToTheReferenceBits) {
  const auto src = random_sources(12, 24, 10, 4);
  search::SearchOptions beam;
  beam.beam_size = 4;
  beam.n_best = 2;
  beam.keep_attention = true;
  const CpuIsa saved = kernels::active_cpu_isa();
  for (auto& m : models_of_both_families()) {
    SCOPED_TRACE(m->describe());
    search::Ensemble e({m.get()}, {ComputeType::Int8});
    kernels::set_active_cpu_isa(CpuIsa::Reference);
    const auto want = run(e, src, beam);
    for (CpuIsa isa : {CpuIsa::Avx2, CpuIsa::Avx512Vnni}) {
      if (!kernels::cpu_supports(isa)) {
        std::printf("[ SKIPPED  ] %s path: not supported by this CPU\n", kernels::cpu_isa_name(isa));
        continue;
      }
      kernels::set_active_cpu_isa(isa);
      SCOPED_TRACE(kernels::cpu_isa_name(isa));
      expect_identical(want, run(e, src, beam));
    }
  }
  kernels::set_active_cpu_isa(saved);
}

TEST(Int8Decoding, GreedyApiTakesTheComputeType) {
  auto m = small_transformer(14, models::NormPosition::Pre, 2);
  const auto src = random_sources(5, 24, 8, 5);
  search::GreedyOptions o;
  o.compute_type = ComputeType::Int8;
  const auto int8 = search::greedy_decode(*m, make_batch(src), o);
  search::Ensemble e({m.get()}, {ComputeType::Int8});
  search::SearchOptions greedy;
  greedy.beam_size = 1;
  greedy.length_norm = search::LengthNorm::None;
  greedy.max_length_ratio = 2.0f;
  greedy.max_length_extra = 10;
  greedy.max_length = std::int64_t{1} << 40;
  const auto results = run(e, src, greedy);
  ASSERT_EQ(int8.size(), results.size());
  for (std::size_t i = 0; i < int8.size(); ++i) EXPECT_EQ(int8[i], results[i].hypotheses.at(0).tokens) << i;
}

TEST(Int8Decoding, EnsembleRefusesAMismatchedListOfTypes) {
  auto m = small_rnn(15);
  EXPECT_THROW(search::Ensemble({m.get()}, {ComputeType::Int8, ComputeType::Fp32}), Error);
}

}  // namespace
}  // namespace s2s::testing
