#include "s2s/models/convs2s_encoder.h"

#include <cmath>

#include "s2s/autograd/ops.h"

namespace s2s::models {

using autograd::Var;

namespace {
constexpr float kHalf = 0.70710678118654752f;  // sqrt(1/2): keeps the variance of a sum of two terms (Gehring et al. 2017, 3.4)

// fairseq's initialisation (Gehring et al. 2017, 3.5): a projection feeding
// dropout-masked inputs N(0, (1 - p) / in); a convolution followed by a GLU
// N(0, 4 (1 - p) / (k C)).
float projection_stddev(std::int64_t in, float dropout) { return std::sqrt((1.0f - dropout) / static_cast<float>(in)); }
}  // namespace

Tensor padding_positions(const Tensor& lengths, std::int64_t steps) {
  const std::int64_t batch = lengths.dim(0);
  Tensor mask = Tensor::empty(Shape{steps, batch, 1});
  for (std::int64_t t = 0; t < steps; ++t)
    for (std::int64_t b = 0; b < batch; ++b) mask.f32()[t * batch + b] = t >= lengths.i32()[b] ? 1.0f : 0.0f;
  return mask;
}

ConvS2SEncoder::ConvS2SEncoder(const ModelConfig& c, Rng& rng)
    : Module("encoder"),
      embedding_("encoder", c.src_vocab_size, c.src_embedding_size, c, nullptr, rng),
      fc1_(child_name("fc1"), c.src_embedding_size, c.convs2s.channels,
           projection_stddev(c.src_embedding_size, c.dropout), rng),
      fc2_(child_name("fc2"), c.convs2s.channels, c.src_embedding_size, projection_stddev(c.convs2s.channels, 0.0f),
           rng),
      kernel_(c.convs2s.kernel_size),
      dropout_(c.dropout) {
  const std::int64_t ch = c.convs2s.channels;
  const float conv_stddev = std::sqrt(4.0f * (1.0f - c.dropout) / static_cast<float>(kernel_ * ch));
  add_child(embedding_);
  add_child(fc1_);
  for (std::int64_t l = 0; l < c.convs2s.encoder_layers; ++l) {
    convs_.push_back(std::make_unique<nn::WeightNormLinear>(child_name("convs." + std::to_string(l)), kernel_ * ch,
                                                            2 * ch, conv_stddev, rng));
    add_child(*convs_.back());
  }
  add_child(fc2_);
}

ConvS2SEncoder::Output ConvS2SEncoder::forward(autograd::Graph& g, const TokenBatch& src, bool training,
                                               Rng* rng) const {
  const std::int64_t steps = src.steps();
  bool padded = false;
  for (std::int64_t b = 0; b < src.size(); ++b) padded = padded || src.lengths.i32()[b] < steps;
  const Tensor pad = padded ? padding_positions(src.lengths, steps) : Tensor();
  Var e = embedding_.forward(g, src.ids, 0, training, rng);  // [S, B, E]
  Var x = fc1_.forward(g, e);                                // [S, B, C]
  for (const auto& conv : convs_) {
    Var h = padded ? autograd::masked_fill(x, pad, 0.0f) : x;
    h = dropout_.forward(h, training, rng);
    if (kernel_ > 1) h = autograd::unfold_time(h, kernel_, (kernel_ - 1) / 2, steps);  // centred windows
    h = autograd::glu(conv->forward(g, h));
    x = autograd::scale(autograd::add(h, x), kHalf);
  }
  Var z = fc2_.forward(g, x);
  return {z, autograd::scale(autograd::add(z, e), kHalf)};
}

}  // namespace s2s::models
