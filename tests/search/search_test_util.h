#pragma once
// Helpers for search tests: padded batches, a small random RNN model, and
// exact comparison of results.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "models/model_test_util.h"
#include "s2s/core/rng.h"
#include "s2s/models/encoder_decoder.h"
#include "s2s/search/search.h"

namespace s2s::testing {

using Ids = std::vector<std::int32_t>;

inline std::vector<search::SentenceResult> run(search::Ensemble& e, const std::vector<Ids>& src,
                                               const search::SearchOptions& o, std::vector<std::int64_t> ids = {}) {
  models::TokenBatch b = make_batch(src);
  return search::decode(e, std::span<const models::TokenBatch>(&b, 1), o, ids);
}

inline std::vector<search::SentenceResult> run(models::EncoderDecoder& m, const std::vector<Ids>& src,
                                               const search::SearchOptions& o, std::vector<std::int64_t> ids = {}) {
  search::Ensemble e({&m});
  return run(e, src, o, std::move(ids));
}

// Random source sentences over ids 4..vocab-1 with lengths 1..max_len.
inline std::vector<Ids> random_sources(std::int64_t n, std::int64_t vocab, std::int64_t max_len, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<Ids> out;
  for (std::int64_t i = 0; i < n; ++i) {
    Ids s(static_cast<std::size_t>(1 + rng.below(static_cast<std::uint64_t>(max_len))));
    for (auto& x : s) x = static_cast<std::int32_t>(4 + rng.below(static_cast<std::uint64_t>(vocab - 4)));
    out.push_back(s);
  }
  return out;
}

// A small randomly initialised attention model (Bahdanau, bidirectional GRU).
inline std::unique_ptr<models::EncoderDecoder> small_rnn(std::uint64_t seed, std::int64_t vocab = 24,
                                                         models::AttentionKind att = models::AttentionKind::Bahdanau) {
  models::ModelConfig c;
  c.src_vocab_size = vocab;
  c.tgt_vocab_size = vocab;
  c.src_embedding_size = 12;
  c.tgt_embedding_size = 12;
  c.rnn.hidden_size = 16;
  c.rnn.attention = att;
  Rng rng(seed);
  auto m = models::build_model(c, rng);
  // Sharpen the output layer so outputs are varied rather than near-uniform.
  for (autograd::Parameter* p : m->parameters()) {
    float* x = p->value.f32();
    for (std::int64_t i = 0; i < p->value.numel(); ++i) x[i] *= 3.0f;
  }
  return m;
}

// A 2+2-layer Transformer at the vocabulary small_rnn uses; relative > 0 adds
// relative positions and GELU. The output layer is sharpened as small_rnn's
// so that the outputs are varied.
inline std::unique_ptr<models::EncoderDecoder> small_transformer(std::uint64_t seed,
                                                                 models::NormPosition norm = models::NormPosition::Pre,
                                                                 std::int64_t relative = 0) {
  models::ModelConfig c;
  c.type = "transformer";
  c.src_vocab_size = c.tgt_vocab_size = 24;
  c.src_embedding_size = c.tgt_embedding_size = 16;
  c.transformer.encoder_layers = c.transformer.decoder_layers = 2;
  c.transformer.d_model = 16;
  c.transformer.heads = 4;
  c.transformer.ffn_size = 24;
  c.transformer.norm = norm;
  c.transformer.activation = relative > 0 ? models::Activation::Gelu : models::Activation::Relu;
  c.transformer.relative_positions = relative;
  Rng rng(seed);
  auto m = models::build_model(c, rng);
  for (autograd::Parameter* p : m->parameters())
    if (p->name == "decoder.output.weight")
      for (std::int64_t i = 0; i < p->value.numel(); ++i) p->value.f32()[i] *= 4.0f;
  return m;
}

// The first difference between two result lists, bit for bit (tokens,
// scores, attention), or "" when they are identical.
inline std::string first_difference(const std::vector<search::SentenceResult>& a,
                                    const std::vector<search::SentenceResult>& b) {
  if (a.size() != b.size()) return "different numbers of sentences";
  for (std::size_t i = 0; i < a.size(); ++i) {
    std::string at = "sentence " + std::to_string(i);
    if (a[i].hypotheses.size() != b[i].hypotheses.size()) return at + ": different numbers of hypotheses";
    if (a[i].src_len != b[i].src_len) return at + ": different source lengths";
    for (std::size_t k = 0; k < a[i].hypotheses.size(); ++k) {
      const auto &x = a[i].hypotheses[k], &y = b[i].hypotheses[k];
      std::string h = at + " hypothesis " + std::to_string(k);
      if (x.tokens != y.tokens) return h + ": tokens differ";
      if (std::memcmp(&x.score, &y.score, sizeof(double)) != 0)
        return h + ": scores differ in bits (" + std::to_string(x.score) + ")";
      if (std::memcmp(&x.log_prob, &y.log_prob, sizeof(double)) != 0) return h + ": log-probabilities differ in bits";
      if (x.attention.size() != y.attention.size()) return h + ": attention shapes differ";
      if (!x.attention.empty() && std::memcmp(x.attention.data(), y.attention.data(), x.attention.size() * 4) != 0)
        return h + ": attention differs in bits";
    }
  }
  return "";
}

inline void expect_identical(const std::vector<search::SentenceResult>& a, const std::vector<search::SentenceResult>& b) {
  EXPECT_EQ(first_difference(a, b), "");
}

}  // namespace s2s::testing
