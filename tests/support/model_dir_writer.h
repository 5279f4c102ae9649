#pragma once
// A model directory written without training: a randomly initialised model of
// the given configuration with a shared word vocabulary "w4".."w<V-1>" of
// model.src_vocab_size tokens (the size a real vocabulary has, so the matrix
// sizes are realistic), as `s2s train` would leave it.
#include <memory>
#include <string>

#include "s2s/core/rng.h"
#include "s2s/data/tokenizer.h"
#include "s2s/data/vocab.h"
#include "s2s/io/model_dir.h"
#include "s2s/models/model_family.h"
#include "s2s/train/run_config.h"

namespace s2s::testing {

// Writes `dir` and returns the model it holds (weights as in the file).
inline std::unique_ptr<models::EncoderDecoder> write_random_model_dir(const std::string& dir, models::ModelConfig c,
                                                                      std::uint64_t seed) {
  c.tgt_vocab_size = c.src_vocab_size;
  train::FlatOptions o;
  for (const auto& [k, v] : models::to_pairs(c)) o["model." + k] = v;
  o["data.shared_vocab"] = "true";
  o["data.src_tokenizer"] = o["data.tgt_tokenizer"] = "word";
  const train::FlatOptions config = train::run_config_to_map(train::run_config_from_map(o));
  auto vocab = std::make_shared<data::Vocab>();
  for (std::int64_t i = data::kNumReserved; i < c.src_vocab_size; ++i)
    vocab->add("w" + std::to_string(i), static_cast<std::uint64_t>(c.src_vocab_size - i));
  io::Vocabularies v;
  v.shared = true;
  v.src_tokenizer = v.tgt_tokenizer = data::make_simple_tokenizer(data::TokenizerType::Word);
  v.src_vocab = v.tgt_vocab = vocab;
  Rng rng(seed);
  auto model = models::build_model(c, rng);
  // Sharpen the output layer so outputs are varied rather than near-uniform.
  for (autograd::Parameter* p : model->parameters())
    if (p->name.find("output") != std::string::npos)
      for (std::int64_t i = 0; i < p->value.numel(); ++i) p->value.f32()[i] *= 4.0f;
  io::write_model_files(dir, config, v);
  io::write_model_weights(dir, *model, v);
  return model;
}

// An RNN (bidirectional GRU encoder, Bahdanau attention) and a 2+2-layer
// Transformer over a vocabulary of `vocab` tokens.
inline models::ModelConfig rnn_config(std::int64_t vocab) {
  models::ModelConfig c;
  c.src_vocab_size = c.tgt_vocab_size = vocab;
  c.src_embedding_size = c.tgt_embedding_size = 64;
  c.rnn.hidden_size = 64;
  c.rnn.attention = models::AttentionKind::Bahdanau;
  return c;
}

inline models::ModelConfig transformer_config(std::int64_t vocab, std::int64_t relative = 0) {
  models::ModelConfig c;
  c.type = "transformer";
  c.src_vocab_size = c.tgt_vocab_size = vocab;
  c.src_embedding_size = c.tgt_embedding_size = 64;
  c.transformer.encoder_layers = c.transformer.decoder_layers = 2;
  c.transformer.d_model = 64;
  c.transformer.heads = 4;
  c.transformer.ffn_size = 128;
  c.transformer.relative_positions = relative;
  return c;
}

}  // namespace s2s::testing
