#include "s2s/models/rnn_encoder_decoder.h"

#include <algorithm>

#include "s2s/autograd/ops.h"
#include "s2s/kernels/argmax.h"
#include "s2s/models/copy_ids.h"
#include "s2s/models/rnn_decoder_state.h"
#include "s2s/nn/coverage_loss.h"

namespace s2s::models {

using autograd::Var;

RnnEncoderDecoder::RnnEncoderDecoder(const ModelConfig& config, Rng& rng)
    : config_(config), encoder_(config, rng), bridge_(config, rng), decoder_(config, rng) {}

std::vector<autograd::Parameter*> RnnEncoderDecoder::parameters() {
  std::vector<autograd::Parameter*> out;
  encoder_.collect_parameters(out);
  bridge_.collect_parameters(out);
  decoder_.collect_parameters(out);
  return out;
}

Var RnnEncoderDecoder::forward(autograd::Graph& g, const TokenBatch& src, const TokenBatch& tgt_in,
                               const ForwardOptions& o) {
  S2S_CHECK(tgt_in.ids.defined() && tgt_in.ids.dtype() == DType::I32 && tgt_in.ids.ndim() == 2,
            "forward: expected I32 target ids [T, B]");
  S2S_CHECK(src.size() == tgt_in.size(), "forward: ", src.size(), " source rows but ", tgt_in.size(), " target rows");
  S2S_CHECK(o.teacher_forcing >= 0.0f && o.teacher_forcing <= 1.0f, "forward: teacher forcing ratio ",
            o.teacher_forcing, " outside [0, 1]");
  S2S_CHECK(o.teacher_forcing == 1.0f || o.rng != nullptr, "forward: scheduled sampling needs an rng");
  const bool training = o.training;
  const std::int64_t batch = src.size(), steps = tgt_in.steps();

  nn::Recurrent::Output enc = encoder_.forward(g, src, training, o.rng);
  RnnDecoder::Loop loop = decoder_.initial_loop(g, bridge_.initial_state(g, enc.final, batch), batch, src.steps());
  nn::AttentionMemory memory;
  const nn::Attention* attention = decoder_.attention();
  if (attention) memory = attention->prepare(g, enc.output, src.lengths);
  const nn::AttentionMemory* mem = attention ? &memory : nullptr;

  if (o.teacher_forcing == 1.0f && !attention) {
    // Nothing feeds back: the decoder runs as whole-sequence layers.
    Var emb = decoder_.embed(g, tgt_in.ids, training, o.rng);
    Var ro = decoder_.run_sequence(g, emb, loop, training, o.rng);
    return decoder_.logits(g, autograd::reshape(ro, Shape{steps * batch, ro.dim(2)}), training, o.rng);
  }
  RnnDecoder::Weights w = decoder_.bind(g, true);
  if (o.teacher_forcing < 1.0f) return forward_sampled(g, src, tgt_in, w, loop, mem, o);

  Var emb = decoder_.embed(g, tgt_in.ids, training, o.rng);  // [T, B, E]
  Var proj = decoder_.project_embedding(w, emb);              // [T, B, G*H]: one gemm for all positions
  // Each position writes its readout straight into its rows of the buffer the
  // vocabulary gemm reads (and backward hands each position a view of its
  // rows' gradient): no per-position copies.
  Tensor readouts = Tensor::empty(Shape{steps * batch, decoder_.readout_size()});
  const nn::CopyGenerator* copy = decoder_.copy_generator();
  const bool coverage = o.coverage_loss && decoder_.has_coverage();
  steps_.clear();
  gates_.clear();
  weights_.clear();
  coverages_.clear();
  for (std::int64_t t = 0; t < steps; ++t) {
    Var e_t = autograd::reshape(autograd::slice(emb, 0, t, 1), Shape{batch, emb.dim(2)});
    Var p_t = autograd::reshape(autograd::slice(proj, 0, t, 1), Shape{batch, proj.dim(2)});
    RnnDecoder::StepResult r = decoder_.advance(g, w, e_t, p_t, loop, mem, training, o.rng, readouts.narrow0(t * batch, batch));
    steps_.push_back(r.readout);
    if (copy) gates_.push_back(r.gate);
    if (copy || coverage) weights_.push_back(r.weights);
    if (coverage) coverages_.push_back(r.coverage);
  }
  Var ro = autograd::concat(std::span<const Var>(steps_), 0, std::move(readouts));  // [T*B, R], rows (t, b)
  steps_.clear();
  Var weights;  // [T*B, S], rows (t, b)
  if (!weights_.empty()) weights = autograd::concat(std::span<const Var>(weights_), 0);
  weights_.clear();
  if (coverage) {
    *o.coverage_loss = nn::coverage_loss(weights, autograd::concat(std::span<const Var>(coverages_), 0),
                                         nn::padded_target_rows(tgt_in.lengths, steps));
    coverages_.clear();
  }
  Var logits = decoder_.logits(g, ro, training, o.rng);  // one gemm for all positions
  if (!copy) return logits;
  // Rows (t, b) read sentence b's copy ids: r % B.
  CopyIds cs = sentence_copy_ids(src, config_.tgt_vocab_size);
  Var mixed = copy->mix(logits, autograd::concat(std::span<const Var>(gates_), 0), weights, cs.ids, cs.width);
  gates_.clear();
  return mixed;
}

Var RnnEncoderDecoder::forward_sampled(autograd::Graph& g, const TokenBatch& src, const TokenBatch& tgt_in,
                                       const RnnDecoder::Weights& w, RnnDecoder::Loop& loop,
                                       const nn::AttentionMemory* mem, const ForwardOptions& o) {
  const std::int64_t batch = tgt_in.size(), steps = tgt_in.steps();
  const nn::CopyGenerator* copy = decoder_.copy_generator();
  CopyIds cs;
  if (copy) cs = sentence_copy_ids(src, config_.tgt_vocab_size);
  Tensor prev_argmax = Tensor::empty(Shape{batch}, DType::I32);
  const bool coverage = o.coverage_loss && decoder_.has_coverage();
  steps_.clear();
  weights_.clear();
  coverages_.clear();
  for (std::int64_t t = 0; t < steps; ++t) {
    Tensor ids = Tensor::empty(Shape{batch}, DType::I32);  // fresh each step: the embedding op keeps it for backward
    const std::int32_t* gold = tgt_in.ids.i32() + t * batch;
    for (std::int64_t b = 0; b < batch; ++b)
      ids.i32()[b] = (t == 0 || o.rng->uniform() < o.teacher_forcing) ? gold[b] : prev_argmax.i32()[b];
    Var e_t = decoder_.embed(g, ids, o.training, o.rng);
    Var p_t = decoder_.project_embedding(w, e_t);
    RnnDecoder::StepResult r = decoder_.advance(g, w, e_t, p_t, loop, mem, o.training, o.rng);
    if (coverage) {
      weights_.push_back(r.weights);
      coverages_.push_back(r.coverage);
    }
    Var logits = decoder_.logits(g, r.readout, o.training, o.rng);
    if (copy) logits = copy->mix(logits, r.gate, r.weights, cs.ids, cs.width);  // argmax may pick a copy: read as <unk>
    kernels::argmax_rows(logits.value(), prev_argmax);
    steps_.push_back(logits);
  }
  Var all = autograd::concat(std::span<const Var>(steps_), 0);
  steps_.clear();
  if (coverage) {
    *o.coverage_loss = nn::coverage_loss(autograd::concat(std::span<const Var>(weights_), 0),
                                         autograd::concat(std::span<const Var>(coverages_), 0),
                                         nn::padded_target_rows(tgt_in.lengths, steps));
    weights_.clear();
    coverages_.clear();
  }
  return all;
}

std::unique_ptr<DecoderState> RnnEncoderDecoder::encode(autograd::Graph& g, const TokenBatch& src) {
  autograd::NoGradGuard no_grad(g);
  const std::int64_t batch = src.size();
  nn::Recurrent::Output enc = encoder_.forward(g, src, false, nullptr);
  RnnDecoder::Loop loop = decoder_.initial_loop(g, bridge_.initial_state(g, enc.final, batch), batch, src.steps());
  RnnDecoderState::Source source;
  const nn::Attention* attention = decoder_.attention();
  if (attention) {
    nn::AttentionMemory m = attention->prepare(g, enc.output, src.lengths.clone());
    source.values = m.values.value();
    if (m.keys.defined()) source.keys = m.keys.value();
    source.mask = m.mask;
    source.lengths = m.lengths;
  }
  std::vector<Tensor> h, c;
  for (const Var& v : loop.rnn.h) h.push_back(v.value());
  for (const Var& v : loop.rnn.c) c.push_back(v.value());
  auto state = std::make_unique<RnnDecoderState>(std::move(h), std::move(c),
                                                 loop.feed.defined() ? loop.feed.value() : Tensor(), std::move(source),
                                                 attention != nullptr, attention ? attention->keys_batch_axis() : 0,
                                                 attention && attention->reads_through_rows());
  if (loop.coverage.defined()) state->coverage = loop.coverage.value();
  if (decoder_.copy_generator()) {
    CopyIds cs = sentence_copy_ids(src, config_.tgt_vocab_size);
    state->copy_ids = std::move(cs.ids);
    state->copy_width = cs.width;
  }
  return state;
}

StepOutput RnnEncoderDecoder::step(autograd::Graph& g, DecoderState& state, const Tensor& prev_tokens) {
  auto* s = dynamic_cast<RnnDecoderState*>(&state);
  S2S_CHECK(s != nullptr, "step: the state was not made by this model's encode");
  S2S_CHECK(prev_tokens.dtype() == DType::I32 && prev_tokens.ndim() == 1 && prev_tokens.dim(0) == s->rows(),
            "step: expected I32 previous tokens [", s->rows(), "], got ", prev_tokens.shape().str());
  autograd::NoGradGuard no_grad(g);
  RnnDecoder::Loop& loop = step_loop_;
  loop.rnn.h.clear();
  loop.rnn.c.clear();
  loop.feed = Var();
  loop.coverage = Var();
  for (const Tensor& t : s->h) loop.rnn.h.push_back(g.input(t));
  for (const Tensor& t : s->c) loop.rnn.c.push_back(g.input(t));
  if (s->feed.defined()) loop.feed = g.input(s->feed);
  if (s->coverage.defined()) loop.coverage = g.input(s->coverage);
  nn::AttentionMemory memory;
  if (s->has_source()) {
    const RnnDecoderState::Source& src = s->source();
    memory.values = g.input(src.values);
    if (src.keys.defined()) memory.keys = g.input(src.keys);
    memory.mask = src.mask;
    memory.lengths = src.lengths;
    memory.rows = src.rows;
  }
  RnnDecoder::Weights& w = step_weights_;
  decoder_.bind(g, false, w);
  Var emb = decoder_.embed(g, prev_tokens, false, nullptr);
  RnnDecoder::StepResult r = decoder_.advance(g, w, emb, Var(), loop, s->has_source() ? &memory : nullptr, false, nullptr);
  Var logits = decoder_.logits(g, r.readout, false, nullptr);
  const nn::CopyGenerator* copy = decoder_.copy_generator();
  if (copy) logits = copy->mix(logits, r.gate, r.weights, s->copy_ids, s->copy_width, s->sentence_rows());
  for (std::size_t l = 0; l < s->h.size(); ++l) s->h[l] = loop.rnn.h[l].value();
  for (std::size_t l = 0; l < s->c.size(); ++l) s->c[l] = loop.rnn.c[l].value();
  if (s->feed.defined()) s->feed = loop.feed.value();
  if (s->coverage.defined()) s->coverage = loop.coverage.value();
  return {logits.value(), r.weights.defined() ? r.weights.value() : Tensor(), copy != nullptr};
}

}  // namespace s2s::models
