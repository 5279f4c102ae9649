#include "s2s/models/convs2s.h"

#include "s2s/autograd/ops.h"
#include "s2s/models/convs2s_decoder_state.h"

namespace s2s::models {

using autograd::Var;

ConvS2SModel::ConvS2SModel(const ModelConfig& config, Rng& rng)
    : config_(config),
      encoder_(config, rng),
      decoder_(config, config.share_embeddings ? &encoder_.embedding() : nullptr, rng) {
  validate(config);
}

std::vector<autograd::Parameter*> ConvS2SModel::parameters() {
  std::vector<autograd::Parameter*> out;
  encoder_.collect_parameters(out);
  decoder_.collect_parameters(out);
  return out;
}

Var ConvS2SModel::forward(autograd::Graph& g, const TokenBatch& src, const TokenBatch& tgt_in,
                          const ForwardOptions& o) {
  S2S_CHECK(tgt_in.ids.defined() && tgt_in.ids.dtype() == DType::I32 && tgt_in.ids.ndim() == 2,
            "forward: expected I32 target ids [T, B]");
  S2S_CHECK(src.size() == tgt_in.size(), "forward: ", src.size(), " source rows but ", tgt_in.size(), " target rows");
  S2S_CHECK(o.teacher_forcing == 1.0f,
            "forward: scheduled sampling (teacher forcing < 1) is not available for the convs2s family");
  ConvS2SEncoder::Output enc = encoder_.forward(g, src, o.training, o.rng);
  ConvS2SDecoder::Memory memory{enc.keys, enc.values, src.lengths, Tensor()};
  return decoder_.forward(g, tgt_in.ids, memory, nullptr, o.training, o.rng);
}

std::unique_ptr<DecoderState> ConvS2SModel::encode(autograd::Graph& g, const TokenBatch& src) {
  autograd::NoGradGuard no_grad(g);
  ConvS2SEncoder::Output enc = encoder_.forward(g, src, false, nullptr);
  ConvS2SDecoderState::Memory m;
  m.keys = enc.keys.value();
  m.values = enc.values.value();
  m.lengths = src.lengths.clone();
  m.weights = decoder_.weights(g);
  std::vector<Tensor> windows(static_cast<std::size_t>(decoder_.layers()));
  if (decoder_.kernel() > 1)
    for (Tensor& w : windows) w = Tensor::zeros(Shape{decoder_.kernel() - 1, src.size(), decoder_.channels()});
  return std::make_unique<ConvS2SDecoderState>(std::move(m), std::move(windows));
}

StepOutput ConvS2SModel::step(autograd::Graph& g, DecoderState& state, const Tensor& prev_tokens) {
  auto* s = dynamic_cast<ConvS2SDecoderState*>(&state);
  S2S_CHECK(s != nullptr, "step: the state was not made by this model's encode");
  S2S_CHECK(prev_tokens.dtype() == DType::I32 && prev_tokens.ndim() == 1 && prev_tokens.dim(0) == s->rows(),
            "step: expected I32 previous tokens [", s->rows(), "], got ", prev_tokens.shape().str());
  autograd::NoGradGuard no_grad(g);
  const std::int64_t batch = s->rows();
  const ConvS2SDecoderState::Memory& mem = s->memory();
  ConvS2SDecoder::Memory memory{g.input(mem.keys), g.input(mem.values), mem.lengths, s->memory_rows()};
  ConvS2SDecoder::Step st;
  st.windows = &s->windows;
  st.weights = &mem.weights;
  st.offset = s->position;
  Var logits = decoder_.forward(g, prev_tokens.reshape(Shape{1, batch}), memory, &st, false, nullptr);
  ++s->position;
  return {logits.value(), st.alignment.reshape(Shape{batch, mem.keys.dim(0)})};
}

}  // namespace s2s::models
