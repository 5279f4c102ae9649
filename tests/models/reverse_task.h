#pragma once
// The reverse-the-sequence task for learning tests: random sequences of real
// tokens (ids 4..vocab-1), target = the source reversed. A tiny training loop
// (Adam, gradient clipping, token cross-entropy) and greedy decoding through
// encode + step measure what a model learns.
#include <algorithm>
#include <chrono>
#include <memory>
#include <vector>

#include "models/model_test_util.h"
#include "s2s/autograd/ops.h"
#include "s2s/kernels/argmax.h"
#include "s2s/train/adam.h"
#include "s2s/train/clip_grad.h"

namespace s2s::testing {

using Seqs = std::vector<std::vector<std::int32_t>>;

inline Seqs random_sequences(Rng& rng, std::int64_t n, std::int32_t vocab, std::int32_t min_len, std::int32_t max_len) {
  Seqs out;
  for (std::int64_t i = 0; i < n; ++i) {
    std::int32_t len = min_len + static_cast<std::int32_t>(rng.below(static_cast<std::uint64_t>(max_len - min_len + 1)));
    std::vector<std::int32_t> s;
    for (std::int32_t k = 0; k < len; ++k)
      s.push_back(models::kUnk + 1 + static_cast<std::int32_t>(rng.below(static_cast<std::uint64_t>(vocab - models::kUnk - 1))));
    out.push_back(s);
  }
  return out;
}

inline Seqs reversed(const Seqs& seqs) {
  Seqs out = seqs;
  for (auto& s : out) std::reverse(s.begin(), s.end());
  return out;
}

// Greedy decoding of a batch through encode + step; each output stops at EOS (not included).
inline Seqs greedy_decode(models::EncoderDecoder& model, const Seqs& sources, std::int64_t max_len) {
  autograd::Graph g(false);
  auto state = model.encode(g, make_batch(sources));
  const std::int64_t batch = static_cast<std::int64_t>(sources.size());
  Tensor prev = Tensor::empty(Shape{batch}, DType::I32);
  std::fill_n(prev.i32(), batch, models::kBos);
  Seqs out(sources.size());
  std::vector<bool> done(sources.size(), false);
  for (std::int64_t t = 0; t < max_len; ++t) {
    models::StepOutput o = model.step(g, *state, prev);
    Tensor next = Tensor::empty(Shape{batch}, DType::I32);
    kernels::argmax_rows(o.logits, next);
    g.clear();
    for (std::int64_t b = 0; b < batch; ++b) {
      auto i = static_cast<std::size_t>(b);
      if (next.i32()[b] == models::kEos) done[i] = true;
      if (!done[i]) out[i].push_back(next.i32()[b]);
    }
    prev = next;
    if (std::all_of(done.begin(), done.end(), [](bool d) { return d; })) break;
  }
  return out;
}

inline double exact_match(models::EncoderDecoder& model, const Seqs& sources) {
  Seqs want = reversed(sources), got = greedy_decode(model, sources, 14);
  std::int64_t ok = 0;
  for (std::size_t i = 0; i < want.size(); ++i) ok += got[i] == want[i];
  return static_cast<double>(ok) / static_cast<double>(want.size());
}

struct ReverseRun {
  std::vector<float> losses;  // every step's mean token loss
  double exact_match = 0.0;   // greedy, on held-out sequences
  double seconds = 0.0;
  std::shared_ptr<models::EncoderDecoder> model;  // the trained model
};

struct ReverseSetup {
  std::int32_t vocab = 20;
  std::int32_t min_len = 3, max_len = 10;
  std::int64_t batch = 32;
  std::int64_t steps = 600;
  double lr = 1e-2;
  double decay_from = 0.5;  // the learning rate falls linearly to 0 over the last half of the steps
  double clip = 1.0;
  float teacher_forcing = 1.0f;
  std::uint64_t seed = 1;
};

inline ReverseRun train_reverse(const models::ModelConfig& config, const ReverseSetup& s) {
  auto t0 = std::chrono::steady_clock::now();
  Rng init(s.seed), data(s.seed + 1), eval_rng(s.seed + 2), dropout_rng(s.seed + 3);
  auto model = models::build_model(config, init);
  train::AdamOptions ao;
  ao.lr = s.lr;
  train::Adam adam(model->parameters(), ao);
  autograd::CrossEntropyOptions ce;
  ce.ignore_index = models::kPad;
  models::ForwardOptions fo;
  fo.rng = &dropout_rng;
  fo.teacher_forcing = s.teacher_forcing;
  ReverseRun run;
  autograd::Graph g;
  for (std::int64_t step = 0; step < s.steps; ++step) {
    Seqs src = random_sequences(data, s.batch, s.vocab, s.min_len, s.max_len), tgt = reversed(src);
    double frac = static_cast<double>(step) / static_cast<double>(s.steps);
    adam.set_lr(frac < s.decay_from ? s.lr : s.lr * (1.0 - frac) / (1.0 - s.decay_from));
    adam.zero_grad();
    autograd::Var logits = model->forward(g, make_batch(src), make_decoder_input(tgt), fo);
    autograd::Var loss = autograd::cross_entropy(logits, make_decoder_output(tgt), ce);
    g.backward(loss);
    run.losses.push_back(loss.value().f32()[0]);
    g.clear();
    train::clip_grad_norm(adam.params(), s.clip);
    adam.step();
  }
  run.exact_match = exact_match(*model, random_sequences(eval_rng, 300, s.vocab, s.min_len, s.max_len));
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  run.model = std::move(model);
  return run;
}

}  // namespace s2s::testing
