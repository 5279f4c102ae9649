#pragma once
// Helpers for model tests: batches from id lists, small configs, and the
// greedy/step drivers that compare stepping with forward.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "s2s/autograd/graph.h"
#include "s2s/models/encoder_decoder.h"

namespace s2s::testing {

// Time-major padded batch of the given sequences.
inline models::TokenBatch make_batch(const std::vector<std::vector<std::int32_t>>& seqs) {
  std::int64_t batch = static_cast<std::int64_t>(seqs.size()), steps = 0;
  for (const auto& s : seqs) steps = std::max<std::int64_t>(steps, static_cast<std::int64_t>(s.size()));
  std::vector<std::int32_t> ids(static_cast<std::size_t>(steps * batch), models::kPad), lengths;
  for (std::int64_t b = 0; b < batch; ++b) {
    const auto& s = seqs[static_cast<std::size_t>(b)];
    for (std::size_t t = 0; t < s.size(); ++t) ids[t * static_cast<std::size_t>(batch) + static_cast<std::size_t>(b)] = s[t];
    lengths.push_back(static_cast<std::int32_t>(s.size()));
  }
  return {Tensor::from_ids(ids, Shape{steps, batch}), Tensor::from_ids(lengths, Shape{batch}), Tensor()};
}

// Decoder input (BOS + y) for each target sequence y.
inline models::TokenBatch make_decoder_input(const std::vector<std::vector<std::int32_t>>& targets) {
  std::vector<std::vector<std::int32_t>> in;
  for (const auto& y : targets) {
    std::vector<std::int32_t> s{models::kBos};
    s.insert(s.end(), y.begin(), y.end());
    in.push_back(s);
  }
  return make_batch(in);
}

// Decoder output (y + EOS) ids, flattened over (t, b) like the logits, padded with kPad.
inline Tensor make_decoder_output(const std::vector<std::vector<std::int32_t>>& targets) {
  std::vector<std::vector<std::int32_t>> out;
  for (const auto& y : targets) {
    std::vector<std::int32_t> s(y);
    s.push_back(models::kEos);
    out.push_back(s);
  }
  models::TokenBatch b = make_batch(out);
  return b.ids.reshape(Shape{b.ids.numel()});
}

// Logits [T*B, V] obtained by encode + step over tgt_in's tokens.
inline Tensor step_logits(models::EncoderDecoder& model, const models::TokenBatch& src,
                          const models::TokenBatch& tgt_in) {
  autograd::Graph g(false);
  auto state = model.encode(g, src);
  const std::int64_t steps = tgt_in.steps(), batch = tgt_in.size();
  Tensor out;
  for (std::int64_t t = 0; t < steps; ++t) {
    Tensor prev = Tensor::empty(Shape{batch}, DType::I32);
    std::copy_n(tgt_in.ids.i32() + t * batch, batch, prev.i32());
    models::StepOutput o = model.step(g, *state, prev);
    if (!out.defined()) out = Tensor::empty(Shape{steps * batch, o.logits.dim(1)});
    std::copy_n(o.logits.f32(), o.logits.numel(), out.f32() + t * o.logits.numel());
    g.clear();
  }
  return out;
}

inline float max_abs_diff(const Tensor& a, const Tensor& b) {
  float m = 0.0f;
  for (std::int64_t k = 0; k < a.numel(); ++k) m = std::max(m, std::abs(a.f32()[k] - b.f32()[k]));
  return m;
}

// The largest difference between sentence b's outputs computed alone
// (alone [steps, own], own <= the batch's columns) and its rows of the batch's
// (batched [steps * batch, cols], time-major; its first `own` columns).
inline float sentence_rows_diff(const Tensor& alone, const Tensor& batched, std::int64_t b, std::int64_t batch) {
  const std::int64_t own = alone.dim(1), cols = batched.dim(1);
  float worst = 0.0f;
  for (std::int64_t t = 0; t < alone.dim(0); ++t)
    for (std::int64_t k = 0; k < own; ++k)
      worst = std::max(worst, std::abs(alone.f32()[t * own + k] - batched.f32()[(t * batch + b) * cols + k]));
  return worst;
}

// The smallest RNN model the step/forward tests build: vocabularies 13 -> 11,
// embeddings 5 / 6, hidden and attention sizes 6 / 4.
inline models::ModelConfig tiny_rnn_config(models::CellKind cell, models::AttentionKind attention) {
  models::ModelConfig c;
  c.src_vocab_size = 13;
  c.tgt_vocab_size = 11;
  c.src_embedding_size = 5;
  c.tgt_embedding_size = 6;
  c.rnn.hidden_size = 6;
  c.rnn.cell = cell;
  c.rnn.attention = attention;
  c.rnn.attention_size = 4;
  return c;
}

// The teacher-forced forward pass (no dropout) of `sources` -> `targets`
// equals stepping through the targets, and each sentence alone gets the
// logits of its rows in the batch (padding does not leak), both to 1e-5.
inline void expect_step_matches_forward(models::EncoderDecoder& model,
                                        const std::vector<std::vector<std::int32_t>>& sources,
                                        const std::vector<std::vector<std::int32_t>>& targets) {
  models::TokenBatch src = make_batch(sources), tgt_in = make_decoder_input(targets);
  autograd::Graph g;
  models::ForwardOptions eval;
  eval.training = false;
  Tensor forward_logits = model.forward(g, src, tgt_in, eval).value();
  const std::int64_t batch = tgt_in.size(), vocab = model.config().tgt_vocab_size;
  ASSERT_EQ(forward_logits.dim(0), tgt_in.steps() * batch);
  ASSERT_EQ(forward_logits.dim(1), vocab);
  EXPECT_LT(max_abs_diff(forward_logits, step_logits(model, src, tgt_in)), 1e-5f);

  for (std::size_t b = 0; b < sources.size(); ++b) {
    autograd::Graph g1;
    models::TokenBatch s1 = make_batch({sources[b]}), t1 = make_decoder_input({targets[b]});
    Tensor alone = model.forward(g1, s1, t1, eval).value();
    EXPECT_LT(sentence_rows_diff(alone, forward_logits, static_cast<std::int64_t>(b), batch), 1e-5f) << "sentence " << b;
  }
}

}  // namespace s2s::testing
