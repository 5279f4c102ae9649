#include "s2s/nn/feed_forward.h"

#include "s2s/autograd/ops.h"
#include "s2s/nn/multi_head_attention.h"

namespace s2s::nn {

FeedForward::FeedForward(std::string name, const TransformerLayerOptions& o, Rng& rng)
    : Module(std::move(name)),
      fc1_(child_name("fc1"), o.d_model, o.ffn_size, true, rng),
      fc2_(child_name("fc2"), o.ffn_size, o.d_model, true, rng),
      gelu_(o.gelu),
      dropout_(o.ffn_dropout) {
  init_xavier(fc1_, rng);
  init_xavier(fc2_, rng);
  add_child(fc1_);
  add_child(fc2_);
}

autograd::Var FeedForward::forward(autograd::Graph& g, autograd::Var x, bool training, Rng* rng) const {
  autograd::Var h = fc1_.forward(g, x);
  h = gelu_ ? autograd::gelu(h) : autograd::relu(h);
  return fc2_.forward(g, dropout_.forward(h, training, rng));
}

}  // namespace s2s::nn
