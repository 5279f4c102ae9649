#include "s2s/models/convs2s_decoder.h"

#include <cmath>

#include "s2s/autograd/ops.h"

namespace s2s::models {

using autograd::Var;

namespace {
constexpr float kHalf = 0.70710678118654752f;  // sqrt(1/2)
float projection_stddev(std::int64_t in, float dropout) { return std::sqrt((1.0f - dropout) / static_cast<float>(in)); }
}  // namespace

ConvS2SDecoder::ConvS2SDecoder(const ModelConfig& c, nn::Embedding* shared, Rng& rng)
    : Module("decoder"),
      embedding_("decoder", c.tgt_vocab_size, c.tgt_embedding_size, c, shared, rng),
      fc1_(child_name("fc1"), c.tgt_embedding_size, c.convs2s.channels,
           projection_stddev(c.tgt_embedding_size, c.dropout), rng),
      fc2_(child_name("fc2"), c.convs2s.channels, c.tgt_embedding_size, projection_stddev(c.convs2s.channels, 0.0f),
           rng),
      kernel_(c.convs2s.kernel_size),
      channels_(c.convs2s.channels),
      dropout_(c.dropout) {
  const std::int64_t ch = channels_, emb = c.tgt_embedding_size;
  const float conv_stddev = std::sqrt(4.0f * (1.0f - c.dropout) / static_cast<float>(kernel_ * ch));
  add_child(embedding_);
  add_child(fc1_);
  normed_.push_back(&fc1_);
  for (std::int64_t l = 0; l < c.convs2s.decoder_layers; ++l) {
    const std::string n = std::to_string(l);
    Layer layer;
    layer.conv = std::make_unique<nn::WeightNormLinear>(child_name("convs." + n), kernel_ * ch, 2 * ch, conv_stddev, rng);
    layer.in_projection = std::make_unique<nn::WeightNormLinear>(child_name("attention." + n + ".in_projection"), ch,
                                                                 emb, projection_stddev(ch, 0.0f), rng);
    layer.out_projection = std::make_unique<nn::WeightNormLinear>(child_name("attention." + n + ".out_projection"), emb,
                                                                  ch, projection_stddev(emb, 0.0f), rng);
    for (nn::WeightNormLinear* m : {layer.conv.get(), layer.in_projection.get(), layer.out_projection.get()}) {
      add_child(*m);
      normed_.push_back(m);
    }
    layers_.push_back(std::move(layer));
  }
  add_child(fc2_);
  normed_.push_back(&fc2_);
  if (c.tie_target_embeddings || c.share_embeddings) {
    tied_output_ = std::make_unique<nn::Linear>(child_name("output"), embedding_.table().weight(), true, rng);
    add_child(*tied_output_);
  } else {
    output_ = std::make_unique<nn::WeightNormLinear>(child_name("output"), emb, c.tgt_vocab_size,
                                                     projection_stddev(emb, c.dropout), rng);
    add_child(*output_);
    normed_.push_back(output_.get());
  }
}

std::vector<Tensor> ConvS2SDecoder::weights(autograd::Graph& g) const {
  autograd::NoGradGuard no_grad(g);
  std::vector<Tensor> out;
  for (const nn::WeightNormLinear* m : normed_) out.push_back(m->weight(g).value());
  return out;
}

Var ConvS2SDecoder::forward(autograd::Graph& g, const Tensor& ids, const Memory& memory, Step* step, bool training,
                            Rng* rng) const {
  const std::int64_t steps = ids.dim(0), batch = ids.dim(1);
  // Slot k of Step::weights, in normed_'s order; nullptr: computed on the tape.
  auto w = [&](std::size_t k) { return step ? &(*step->weights)[k] : nullptr; };
  if (step)
    S2S_CHECK(steps == 1 && step->weights && step->weights->size() == normed_.size() && step->windows &&
                  step->windows->size() == layers_.size(),
              "convs2s decoder: a decoding step takes one position and the state's windows and weights");

  // The context's scale sqrt(m), m the source length of each row's sentence.
  Tensor context_scale = Tensor::empty(Shape{1, batch, 1});
  for (std::int64_t b = 0; b < batch; ++b) {
    const std::int32_t row = memory.rows.defined() ? memory.rows.i32()[b] : static_cast<std::int32_t>(b);
    context_scale.f32()[b] = std::sqrt(static_cast<float>(memory.lengths.i32()[row]));
  }
  autograd::AttentionMasks masks;
  masks.key_lengths = memory.lengths;
  autograd::AttentionOptions attention;
  attention.scale = 1.0f;  // plain dot products d . z
  attention.kv_rows = memory.rows;
  Tensor layer_weights;
  if (step) attention.weights_out = &layer_weights;

  Var e = embedding_.forward(g, ids, step ? step->offset : 0, training, rng);  // g [T, B, E]
  Var x = fc1_.forward(g, e, w(0));                                           // [T, B, C]
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const Layer& layer = layers_[l];
    Var h = dropout_.forward(x, training, rng);
    if (kernel_ > 1) {
      if (step) {  // the window: the last kernel - 1 inputs, then this one
        Var joined = autograd::concat({g.input((*step->windows)[l]), h}, 0);  // [kernel, B, C]
        (*step->windows)[l] = joined.value().narrow0(1, kernel_ - 1);
        h = autograd::unfold_time(joined, kernel_, 0, 1);
      } else {
        h = autograd::unfold_time(h, kernel_, kernel_ - 1, steps);  // causal windows
      }
    }
    h = autograd::glu(layer.conv->forward(g, h, w(1 + 3 * l)));  // [T, B, C]
    Var d = autograd::scale(autograd::add(layer.in_projection->forward(g, h, w(2 + 3 * l)), e), kHalf);
    Var context = autograd::multi_head_attention(d, memory.keys, memory.values, 1, masks, attention);
    context = autograd::mul(context, g.input(context_scale));
    h = autograd::scale(autograd::add(layer.out_projection->forward(g, context, w(3 + 3 * l)), h), kHalf);
    x = autograd::scale(autograd::add(h, x), kHalf);
    if (step) {
      if (l == 0) {
        step->alignment = layer_weights;
      } else {
        float* a = step->alignment.f32();
        for (std::int64_t k = 0; k < layer_weights.numel(); ++k) a[k] += layer_weights.f32()[k];
      }
    }
  }
  if (step) {
    const float inv = 1.0f / static_cast<float>(layers_.size());
    for (float& a : step->alignment.span()) a *= inv;
  }
  x = dropout_.forward(fc2_.forward(g, x, w(1 + 3 * layers_.size())), training, rng);
  Var flat = autograd::reshape(x, Shape{steps * batch, x.dim(2)});  // rows (t, b), no transpose
  return output_ ? output_->forward(g, flat, w(2 + 3 * layers_.size())) : tied_output_->forward(g, flat);
}

}  // namespace s2s::models
