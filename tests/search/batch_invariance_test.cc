// A sentence's outputs do not depend on the batch it is decoded in (its
// neighbours, their padding, the number of rows) or on the thread count:
// results must be bit-identical. The toy model computes every row on its
// own, so it checks the search alone; the RNN checks search and model.
#include <gtest/gtest.h>

#include "s2s/core/parallel.h"
#include "s2s/io/quantized_model.h"
#include "s2s/kernels/compute_type.h"
#include "search/search_test_util.h"
#include "search/toy_model.h"
#include "support/model_dir_writer.h"
#include "support/temp_dir.h"

namespace s2s::testing {
namespace {

std::vector<search::SentenceResult> in_batches(search::Ensemble& e, const std::vector<Ids>& src,
                                               const search::SearchOptions& o, std::size_t batch) {
  std::vector<search::SentenceResult> out;
  for (std::size_t i = 0; i < src.size(); i += batch) {
    std::vector<Ids> part(src.begin() + static_cast<std::ptrdiff_t>(i),
                          src.begin() + static_cast<std::ptrdiff_t>(std::min(src.size(), i + batch)));
    std::vector<std::int64_t> ids;
    for (std::size_t k = 0; k < part.size(); ++k) ids.push_back(static_cast<std::int64_t>(i + k));
    for (auto& r : run(e, part, o, ids)) out.push_back(std::move(r));
  }
  return out;
}

class ThreadCount {
 public:
  explicit ThreadCount(int n) : saved_(num_threads()) { set_num_threads(n); }
  ~ThreadCount() { set_num_threads(saved_); }

 private:
  int saved_;
};

std::vector<search::SearchOptions> strategies() {
  std::vector<search::SearchOptions> out;
  search::SearchOptions greedy;
  greedy.beam_size = 1;
  out.push_back(greedy);
  search::SearchOptions beam;
  beam.beam_size = 4;
  beam.n_best = 3;
  beam.length_norm = search::LengthNorm::Gnmt;
  beam.coverage_beta = 0.2f;
  beam.no_repeat_ngram = 3;
  out.push_back(beam);
  search::SearchOptions sampling;
  sampling.sampling = true;
  sampling.beam_size = 1;
  sampling.n_best = 3;
  sampling.top_k = 10;
  sampling.top_p = 0.9f;
  sampling.seed = 99;
  out.push_back(sampling);
  for (auto& o : out) o.keep_attention = true;
  return out;
}

// Batches of 1, 64 and 7 sentences, with 1 and 2 threads, all identical.
void check_invariance(models::EncoderDecoder& model, std::int64_t vocab,
                      kernels::ComputeType type = kernels::ComputeType::Fp32) {
  search::Ensemble e({&model}, {type});
  auto src = random_sources(64, vocab, 14, 42);
  for (const search::SearchOptions& o : strategies()) {
    SCOPED_TRACE(o.sampling ? "sampling" : o.beam_size == 1 ? "greedy" : "beam");
    std::vector<search::SentenceResult> ref;
    {
      ThreadCount one(1);
      ref = in_batches(e, src, o, 1);
    }
    for (const auto& s : ref) ASSERT_FALSE(s.hypotheses.empty());
    for (int threads : {1, 2}) {
      ThreadCount tc(threads);
      for (std::size_t batch : {std::size_t{1}, std::size_t{64}, std::size_t{7}}) {
        if (threads == 1 && batch == 1) continue;
        SCOPED_TRACE("threads " + std::to_string(threads) + ", batch " + std::to_string(batch));
        expect_identical(ref, in_batches(e, src, o, batch));
      }
    }
  }
}

TEST(BatchInvariance, SearchAloneOnARowwiseModel) {
  const std::int64_t V = 40;
  Rng rng(5);
  std::vector<float> table(static_cast<std::size_t>(V * V)), shift(table.size());
  rng.fill_normal(table.data(), V * V, 0.0f, 2.0f);
  rng.fill_normal(shift.data(), V * V, 0.0f, 2.0f);
  ToyModel m(V, table, shift);
  check_invariance(m, V);
}

TEST(BatchInvariance, RnnModelBahdanau) {
  auto m = small_rnn(2);
  check_invariance(*m, 24);
}

// Coverage vectors live in the decoder state, one per beam, reordered with it.
std::unique_ptr<models::EncoderDecoder> small_rnn_with_coverage(std::uint64_t seed) {
  models::ModelConfig c = small_rnn(seed)->config();
  c.rnn.coverage = true;
  Rng rng(seed);
  auto m = models::build_model(c, rng);
  for (autograd::Parameter* p : m->parameters()) {  // sharpened as small_rnn's
    float* x = p->value.f32();
    for (std::int64_t i = 0; i < p->value.numel(); ++i) x[i] *= 3.0f;
  }
  return m;
}

TEST(BatchInvariance, RnnModelBahdanauCoverage) {
  auto m = small_rnn_with_coverage(3);
  check_invariance(*m, 24);
}

TEST(BatchInvariance, Int8RnnModelBahdanauCoverage) {
  auto m = small_rnn_with_coverage(3);
  check_invariance(*m, 24, kernels::ComputeType::Int8);
}

TEST(BatchInvariance, RnnModelLuongGeneral) {
  auto m = small_rnn(4, 24, models::AttentionKind::General);
  check_invariance(*m, 24);
}

// Self-attention caches, cross-attention over padded memories, relative
// positions and GELU (small_transformer): all row-invariant.
TEST(BatchInvariance, TransformerPreNorm) {
  auto m = small_transformer(6, models::NormPosition::Pre, 0);
  check_invariance(*m, 24);
}

TEST(BatchInvariance, TransformerPostNormRelativeGelu) {
  auto m = small_transformer(7, models::NormPosition::Post, 3);
  check_invariance(*m, 24);
}

// ConvS2S: the decoder state's convolution windows (gathered by beam
// search), the encoder's keys and values shared by a sentence's beams, and
// sources of different lengths (padding zeroed before each convolution). The
// output layer's gains are sharpened so that the outputs are varied.
std::unique_ptr<models::EncoderDecoder> small_convs2s(std::uint64_t seed, std::int64_t kernel) {
  models::ModelConfig c;
  c.type = "convs2s";
  c.src_vocab_size = c.tgt_vocab_size = 24;
  c.src_embedding_size = c.tgt_embedding_size = 16;
  c.convs2s.encoder_layers = c.convs2s.decoder_layers = 2;
  c.convs2s.channels = 16;
  c.convs2s.kernel_size = kernel;
  Rng rng(seed);
  auto m = models::build_model(c, rng);
  for (autograd::Parameter* p : m->parameters())
    if (p->name == "decoder.output.weight_g")
      for (std::int64_t i = 0; i < p->value.numel(); ++i) p->value.f32()[i] *= 4.0f;
  return m;
}

TEST(BatchInvariance, ConvS2SKernel3) {
  auto m = small_convs2s(8, 3);
  check_invariance(*m, 24);
}

TEST(BatchInvariance, ConvS2SKernel5) {
  auto m = small_convs2s(9, 5);
  check_invariance(*m, 24);
}

TEST(BatchInvariance, Int8ConvS2S) {
  auto m = small_convs2s(8, 3);
  check_invariance(*m, 24, kernels::ComputeType::Int8);
}

// The int8 compute type: weights quantized once, activations per row, exact
// integer sums (kernels/int8_gemm.h), so the same invariance holds.
TEST(BatchInvariance, Int8RnnModelBahdanau) {
  auto m = small_rnn(2);
  check_invariance(*m, 24, kernels::ComputeType::Int8);
}

TEST(BatchInvariance, Int8RnnModelLuongGeneral) {
  auto m = small_rnn(4, 24, models::AttentionKind::General);
  check_invariance(*m, 24, kernels::ComputeType::Int8);
}

TEST(BatchInvariance, Int8TransformerPreNorm) {
  auto m = small_transformer(6, models::NormPosition::Pre, 0);
  check_invariance(*m, 24, kernels::ComputeType::Int8);
}

TEST(BatchInvariance, Int8TransformerPostNormRelativeGelu) {
  auto m = small_transformer(7, models::NormPosition::Post, 3);
  check_invariance(*m, 24, kernels::ComputeType::Int8);
}

// A model directory stored in int8 (s2s quantize), loaded as translate loads
// it: the weights held in int8 only, decoded in int8 (auto).
TEST(BatchInvariance, Int8StoredModelDirectory) {
  for (const models::ModelConfig& c : {rnn_config(24), transformer_config(24, 2)}) {
    SCOPED_TRACE(c.type);
    TempDir tmp;
    write_random_model_dir(tmp.file("fp32"), c, 8);
    io::write_quantized_model(io::load_model_dir(tmp.file("fp32"), kernels::ComputeType::Fp32), tmp.file("int8"),
                              kernels::ComputeType::Int8);
    io::ModelDir d = io::load_model_dir(tmp.file("int8"));
    ASSERT_EQ(d.compute_type, kernels::ComputeType::Int8);
    check_invariance(*d.model, 24, kernels::ComputeType::Auto);
  }
}

}  // namespace
}  // namespace s2s::testing
