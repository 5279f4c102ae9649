#include "s2s/models/rnn_decoder.h"

#include "s2s/autograd/ops.h"
#include "s2s/models/batch.h"
#include "s2s/models/rnn_encoder.h"
#include "s2s/nn/attention_bahdanau.h"
#include "s2s/nn/attention_local.h"
#include "s2s/nn/attention_luong.h"

namespace s2s::models {

using autograd::Var;

namespace {

std::int64_t feed_width(const ModelConfig& c) {
  if (c.rnn.attention == AttentionKind::None || !c.rnn.input_feed) return 0;
  if (c.rnn.attention == AttentionKind::Bahdanau) return c.rnn.memory_size();
  return c.rnn.readout == ReadoutKind::Tanh ? c.rnn.hidden_size : c.rnn.memory_size();
}

std::unique_ptr<nn::Attention> make_attention(const ModelConfig& c, const std::string& name, Rng& rng) {
  switch (c.rnn.attention) {
    case AttentionKind::None: return nullptr;
    case AttentionKind::Dot: return std::make_unique<nn::DotAttention>(name, c.rnn.hidden_size, c.rnn.memory_size());
    case AttentionKind::General:
      return std::make_unique<nn::GeneralAttention>(name, c.rnn.hidden_size, c.rnn.memory_size(), rng);
    case AttentionKind::Bahdanau:
      return std::make_unique<nn::BahdanauAttention>(name, c.rnn.hidden_size, c.rnn.memory_size(), c.rnn.attention_width(), rng);
    case AttentionKind::LocalP:
      return std::make_unique<nn::LocalPAttention>(name, c.rnn.hidden_size, c.rnn.memory_size(), c.rnn.local_window, rng);
  }
  return nullptr;
}

}  // namespace

RnnDecoder::RnnDecoder(const ModelConfig& c, Rng& rng)
    : nn::Module("decoder"),
      config_(c),
      attention_first_(c.rnn.attention == AttentionKind::Bahdanau),
      feed_size_(feed_width(c)),
      embedding_(child_name("embedding"), c.tgt_vocab_size, c.tgt_embedding_size, kPad, rng),
      attention_(make_attention(c, child_name("attention"), rng)),
      rnn_(child_name("rnn"), cell_type(c.rnn.cell), c.tgt_embedding_size + feed_size_, c.rnn.hidden_size, c.rnn.decoder_layers,
           false, c.dropout, rng),
      dropout_(c.dropout) {
  add_child(embedding_);
  if (attention_) add_child(*attention_);
  add_child(rnn_);
  std::int64_t deep = c.rnn.hidden_size + (attention_ ? c.rnn.memory_size() : 0) + c.tgt_embedding_size;
  if (c.rnn.readout == ReadoutKind::Tanh) {
    readout_ = std::make_unique<nn::Linear>(child_name("readout"), deep, c.rnn.hidden_size, true, rng);
    add_child(*readout_);
  }
  if (c.tie_target_embeddings) {
    S2S_CHECK(rnn_readout_size(c) == c.tgt_embedding_size, "model.tie_target_embeddings: readout width ",
              rnn_readout_size(c), " differs from tgt_embedding_size ", c.tgt_embedding_size);
    output_ = std::make_unique<nn::Linear>(child_name("output"), embedding_.weight(), true, rng);
  } else {
    output_ = std::make_unique<nn::Linear>(child_name("output"), rnn_readout_size(c), c.tgt_vocab_size, true, rng);
  }
  add_child(*output_);
  if (c.rnn.copy_attention) {  // last: the other parameters draw what they drew without it
    const std::int64_t features = c.rnn.hidden_size + c.rnn.memory_size() + c.tgt_embedding_size;
    copy_ = std::make_unique<nn::CopyGenerator>(child_name("copy_gate"), features, rng);
    add_child(*copy_);
  }
  if (c.rnn.coverage) {  // last, for the same reason
    auto* bahdanau = dynamic_cast<nn::BahdanauAttention*>(attention_.get());
    S2S_CHECK(bahdanau != nullptr, "model.rnn.coverage: needs bahdanau attention, got ", attention_name(c.rnn.attention));
    bahdanau->add_coverage(rng);
  }
}

RnnDecoder::Weights RnnDecoder::bind(autograd::Graph& g, bool split) const {
  Weights w;
  bind(g, split, w);
  return w;
}

void RnnDecoder::bind(autograd::Graph& g, bool split, Weights& w) const {
  rnn_.bind(g, w.rnn);
  w.w_feed = Var();
  if (split && feeds()) {
    const std::int64_t e = config_.tgt_embedding_size;
    w.w_emb = autograd::slice(w.rnn.w_ih[0], 1, 0, e);
    w.w_feed = autograd::slice(w.rnn.w_ih[0], 1, e, feed_size_);
  } else {
    w.w_emb = w.rnn.w_ih[0];
  }
}

Var RnnDecoder::embed(autograd::Graph& g, const Tensor& ids, bool training, Rng* rng) const {
  Tensor in_vocab = ids;
  if (copy_) {
    const std::int32_t vocab = static_cast<std::int32_t>(config_.tgt_vocab_size);
    for (std::int64_t k = 0; k < ids.numel(); ++k)
      if (ids.i32()[k] >= vocab) {
        if (in_vocab.same_storage(ids)) in_vocab = ids.clone();
        in_vocab.i32()[k] = kUnk;
      }
  }
  Var e = dropout_.forward(embedding_.forward(g, in_vocab), training, rng);
  return config_.rnn.decoder_embedding_relu ? autograd::relu(e) : e;
}

Var RnnDecoder::project_embedding(const Weights& w, Var emb) const {
  return autograd::linear(emb, w.w_emb, w.rnn.b_ih[0]);
}

RnnDecoder::Loop RnnDecoder::initial_loop(autograd::Graph& g, nn::Recurrent::State state, std::int64_t batch,
                                          std::int64_t source_steps) const {
  Loop loop;
  loop.rnn = std::move(state);
  if (feeds() && !attention_first_) loop.feed = g.input(Tensor::zeros(Shape{batch, feed_size_}));
  if (has_coverage()) loop.coverage = g.input(Tensor::zeros(Shape{batch, source_steps}));
  return loop;
}

Var RnnDecoder::readout(autograd::Graph& g, Var state, Var context, Var emb, Tensor out) const {
  if (config_.rnn.readout == ReadoutKind::State) return state;
  const int axis = state.ndim() - 1;
  if (config_.rnn.readout == ReadoutKind::Tanh) out = Tensor();  // the concatenation is an intermediate there
  Var feats = context.defined() ? autograd::concat({state, context, emb}, axis, std::move(out))
                                : autograd::concat({state, emb}, axis, std::move(out));
  if (config_.rnn.readout == ReadoutKind::Tanh) feats = autograd::tanh(readout_->forward(g, feats));
  return feats;
}

RnnDecoder::StepResult RnnDecoder::advance(autograd::Graph& g, const Weights& w, Var emb, Var emb_proj, Loop& loop,
                                           const nn::AttentionMemory* memory, bool training, Rng* rng,
                                           Tensor readout_out) const {
  S2S_CHECK(!attention_ || memory != nullptr, "decoder: attention needs the encoder memory");
  StepResult out;
  Var context, fed;
  if (attention_ && attention_first_) {
    nn::AttentionOutput a = loop.coverage.defined()
                                ? attention_->attend_with_coverage(g, loop.rnn.h.back(), *memory, loop.coverage)
                                : attention_->attend(g, loop.rnn.h.back(), *memory);
    context = a.context;
    out.weights = a.weights;
    if (loop.coverage.defined()) {
      out.coverage = loop.coverage;
      loop.coverage = autograd::add(loop.coverage, a.weights);
    }
    if (feeds()) fed = context;
  } else if (feeds()) {
    fed = loop.feed;
  }
  Var x_proj;
  if (emb_proj.defined()) {
    x_proj = fed.defined() ? autograd::linear(fed, w.w_feed, emb_proj) : emb_proj;
  } else {
    x_proj = rnn_.project_input(w.rnn, fed.defined() ? autograd::concat({emb, fed}, 1) : emb);
  }
  rnn_.step(g, w.rnn, x_proj, loop.rnn, training, rng);
  if (attention_ && !attention_first_) {
    nn::AttentionOutput a = attention_->attend(g, loop.rnn.h.back(), *memory);
    context = a.context;
    out.weights = a.weights;
  }
  out.readout = readout(g, loop.rnn.h.back(), context, emb, std::move(readout_out));
  if (copy_) {  // the deep readout is [s_t; c_t; e_t] already
    Var features = config_.rnn.readout == ReadoutKind::Deep ? out.readout
                                                            : autograd::concat({loop.rnn.h.back(), context, emb}, 1);
    out.gate = copy_->gate(g, features);
  }
  if (feeds() && !attention_first_) loop.feed = config_.rnn.readout == ReadoutKind::Tanh ? out.readout : context;
  return out;
}

Var RnnDecoder::run_sequence(autograd::Graph& g, Var emb, const Loop& initial, bool training, Rng* rng) const {
  S2S_CHECK(!attention_, "decoder: run_sequence is for decoders without attention");
  const std::int64_t steps = emb.dim(0), batch = emb.dim(1);
  // Every position is decoded, padding included, exactly as stepping would.
  Tensor lengths = Tensor::empty(Shape{batch}, DType::I32);
  for (std::int64_t b = 0; b < batch; ++b) lengths.i32()[b] = static_cast<std::int32_t>(steps);
  nn::Recurrent::Output r = rnn_.forward(g, emb, lengths, &initial.rnn, training, rng);
  return readout(g, r.output, Var(), emb);
}

Var RnnDecoder::logits(autograd::Graph& g, Var readout_vec, bool training, Rng* rng) const {
  return output_->forward(g, dropout_.forward(readout_vec, training, rng));
}

}  // namespace s2s::models
