#include "s2s/models/transformer.h"

#include "s2s/autograd/ops.h"
#include "s2s/models/copy_ids.h"
#include "s2s/models/transformer_decoder_state.h"

namespace s2s::models {

using autograd::Var;

TransformerModel::TransformerModel(const ModelConfig& config, Rng& rng)
    : config_(config),
      encoder_(config, rng),
      decoder_(config, config.share_embeddings ? &encoder_.embedding() : nullptr, rng) {
  validate(config);
}

std::vector<autograd::Parameter*> TransformerModel::parameters() {
  std::vector<autograd::Parameter*> out;
  encoder_.collect_parameters(out);
  decoder_.collect_parameters(out);
  return out;
}

Var TransformerModel::forward(autograd::Graph& g, const TokenBatch& src, const TokenBatch& tgt_in,
                              const ForwardOptions& o) {
  S2S_CHECK(tgt_in.ids.defined() && tgt_in.ids.dtype() == DType::I32 && tgt_in.ids.ndim() == 2,
            "forward: expected I32 target ids [T, B]");
  S2S_CHECK(src.size() == tgt_in.size(), "forward: ", src.size(), " source rows but ", tgt_in.size(), " target rows");
  S2S_CHECK(o.teacher_forcing == 1.0f,
            "forward: scheduled sampling (teacher forcing < 1) is not available for the transformer family");
  Var memory = encoder_.forward(g, src, o.training, o.rng, o.recompute_layers);  // [S, B, D]
  TransformerDecoder::Step s;
  s.recompute = o.recompute_layers;
  decoder_.project_memory(g, memory, forward_memory_);
  s.memory.swap(forward_memory_);
  s.memory_lengths = src.lengths;
  if (decoder_.copies()) {
    CopyIds copy = sentence_copy_ids(src, config_.tgt_vocab_size);
    s.copy_source = autograd::transpose(memory, 0, 1);  // [B, S, D]
    s.copy_ids = std::move(copy.ids);
    s.copy_width = copy.width;
  }
  Var logits = decoder_.forward(g, tgt_in.ids, s, o.training, o.rng);
  s.memory.swap(forward_memory_);  // keep the capacity for the next call
  forward_memory_.clear();
  return logits;
}

std::unique_ptr<DecoderState> TransformerModel::encode(autograd::Graph& g, const TokenBatch& src) {
  autograd::NoGradGuard no_grad(g);
  Var memory = encoder_.forward(g, src, false, nullptr);
  TransformerDecoderState::Memory m;
  std::vector<Var> kv;
  decoder_.project_memory(g, memory, kv);
  for (const Var& layer_kv : kv) m.kv.push_back(layer_kv.value());
  m.lengths = src.lengths.clone();
  m.self_qkv = decoder_.self_qkv_weights();
  if (decoder_.copies()) {
    CopyIds copy = sentence_copy_ids(src, config_.tgt_vocab_size);
    m.source = autograd::transpose(memory, 0, 1).value();  // [M, S, D]
    m.copy_ids = std::move(copy.ids);
    m.copy_width = copy.width;
  }
  return std::make_unique<TransformerDecoderState>(std::move(m));
}

StepOutput TransformerModel::step(autograd::Graph& g, DecoderState& state, const Tensor& prev_tokens) {
  auto* s = dynamic_cast<TransformerDecoderState*>(&state);
  S2S_CHECK(s != nullptr, "step: the state was not made by this model's encode");
  S2S_CHECK(prev_tokens.dtype() == DType::I32 && prev_tokens.ndim() == 1 && prev_tokens.dim(0) == s->rows(),
            "step: expected I32 previous tokens [", s->rows(), "], got ", prev_tokens.shape().str());
  autograd::NoGradGuard no_grad(g);
  const std::int64_t batch = s->rows();
  const TransformerDecoderState::Memory& mem = s->memory();
  const std::size_t layers = decoder_.layers();
  TransformerDecoder::Step& st = step_;
  st.memory.resize(layers);
  self_cache_.resize(layers);
  for (std::size_t l = 0; l < layers; ++l) {
    st.memory[l] = g.input(mem.kv[l]);
    self_cache_[l].kv = s->self_kv[l].defined() ? g.input(s->self_kv[l]) : Var();
    self_cache_[l].out = s->self_kv_out(l);
  }
  st.memory_lengths = mem.lengths;
  st.memory_rows = s->memory_rows();  // beams read their sentence's memory in place
  st.self_cache = &self_cache_;
  st.self_qkv = &mem.self_qkv;
  st.offset = s->position;
  st.alignment_layer = config_.transformer.alignment_layer_index();
  if (decoder_.copies()) {
    st.copy_source = g.input(s->copy_source());
    st.copy_ids = mem.copy_ids;
    st.copy_width = mem.copy_width;
    st.copy_rows = s->memory_rows();
  }
  Var logits = decoder_.forward(g, prev_tokens.reshape(Shape{1, batch}), st, false, nullptr);
  for (std::size_t l = 0; l < layers; ++l) {
    s->self_kv[l] = self_cache_[l].kv.value();
    self_cache_[l] = {};
  }
  ++s->position;
  Tensor attention = st.alignment.reshape(Shape{batch, mem.kv[0].dim(0)});  // [B, 1, S], heads averaged
  st.alignment = Tensor();
  st.copy_source = Var();
  return {logits.value(), attention, decoder_.copies()};
}

}  // namespace s2s::models
