#include "s2s/models/transformer.h"

#include "s2s/autograd/ops.h"
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
  const std::int64_t heads = config_.transformer.heads, batch = src.size(), steps = tgt_in.steps();
  Var memory = encoder_.forward(g, src, o.training, o.rng);
  TransformerDecoder::Step s;
  s.memory = decoder_.project_memory(g, memory);
  s.memory_mask = key_padding_mask(src.lengths, heads, steps, src.steps());
  s.self_mask = causal_mask(batch * heads, steps);
  return decoder_.forward(g, tgt_in.ids, s, o.training, o.rng);
}

std::unique_ptr<DecoderState> TransformerModel::encode(autograd::Graph& g, const TokenBatch& src) {
  autograd::NoGradGuard no_grad(g);
  Var memory = encoder_.forward(g, src, false, nullptr);
  TransformerDecoderState::Memory m;
  for (const auto& kv : decoder_.project_memory(g, memory)) {
    m.k.push_back(kv.k.value());
    m.v.push_back(kv.v.value());
  }
  m.lengths = src.lengths.clone();
  return std::make_unique<TransformerDecoderState>(std::move(m), config_.transformer.heads);
}

StepOutput TransformerModel::step(autograd::Graph& g, DecoderState& state, const Tensor& prev_tokens) {
  auto* s = dynamic_cast<TransformerDecoderState*>(&state);
  S2S_CHECK(s != nullptr, "step: the state was not made by this model's encode");
  S2S_CHECK(prev_tokens.dtype() == DType::I32 && prev_tokens.ndim() == 1 && prev_tokens.dim(0) == s->rows(),
            "step: expected I32 previous tokens [", s->rows(), "], got ", prev_tokens.shape().str());
  autograd::NoGradGuard no_grad(g);
  const std::int64_t heads = config_.transformer.heads, batch = s->rows();
  const TransformerDecoderState::Memory& mem = s->memory();
  TransformerDecoder::Step& st = step_;
  const std::size_t layers = decoder_.layers();
  st.self.assign(layers, {});
  st.memory.resize(layers);
  for (std::size_t l = 0; l < layers; ++l) {
    if (s->self_k[l].defined()) st.self[l] = {g.input(s->self_k[l]), g.input(s->self_v[l])};
    st.memory[l] = {g.input(mem.k[l]), g.input(mem.v[l])};
  }
  const std::int64_t src_len = mem.k[0].dim(1);
  st.memory_mask = key_padding_mask(mem.lengths, heads, 1, src_len);
  st.self_mask = Tensor();
  st.offset = s->position;
  st.alignment_layer = config_.transformer.alignment_layer_index();
  Var logits = decoder_.forward(g, prev_tokens.reshape(Shape{1, batch}), st, false, nullptr);
  for (std::size_t l = 0; l < layers; ++l) {
    s->self_k[l] = st.self[l].k.value();
    s->self_v[l] = st.self[l].v.value();
  }
  ++s->position;
  // Alignment: the chosen layer's cross-attention, heads averaged in a fixed order.
  const Tensor& w = st.alignment.value();  // [B*H, 1, S]
  Tensor attention = Tensor::zeros(Shape{batch, src_len});
  for (std::int64_t b = 0; b < batch; ++b) {
    float* out = attention.f32() + b * src_len;
    for (std::int64_t h = 0; h < heads; ++h) {
      const float* in = w.f32() + (b * heads + h) * src_len;
      for (std::int64_t j = 0; j < src_len; ++j) out[j] += in[j];
    }
    for (std::int64_t j = 0; j < src_len; ++j) out[j] /= static_cast<float>(heads);
  }
  st.alignment = Var();
  return {logits.value(), attention};
}

}  // namespace s2s::models
