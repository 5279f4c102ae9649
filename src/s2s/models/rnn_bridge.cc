#include "s2s/models/rnn_bridge.h"

#include "s2s/autograd/ops.h"

namespace s2s::models {

using autograd::Var;

Bridge::Bridge(const ModelConfig& c, Rng& rng)
    : nn::Module("bridge"),
      kind_(c.rnn.bridge),
      lstm_(c.rnn.cell == CellKind::Lstm),
      directions_(c.rnn.bidirectional ? 2 : 1),
      layers_(c.rnn.decoder_layers),
      hidden_(c.rnn.hidden_size) {
  if (kind_ != BridgeKind::Learned) return;
  for (std::int64_t l = 0; l < layers_; ++l) {
    h_.push_back(std::make_unique<nn::Linear>(child_name("h_l" + std::to_string(l)), c.rnn.memory_size(), hidden_, true, rng));
    add_child(*h_.back());
    if (lstm_) {
      c_.push_back(
          std::make_unique<nn::Linear>(child_name("c_l" + std::to_string(l)), c.rnn.memory_size(), hidden_, true, rng));
      add_child(*c_.back());
    }
  }
}

nn::Recurrent::State Bridge::initial_state(autograd::Graph& g, const nn::Recurrent::State& enc,
                                           std::int64_t batch) const {
  nn::Recurrent::State s;
  const std::size_t layers = static_cast<std::size_t>(layers_);
  switch (kind_) {
    case BridgeKind::Zeros: {
      Var zeros = g.input(Tensor::zeros(Shape{batch, hidden_}));
      s.h.assign(layers, zeros);
      if (lstm_) s.c.assign(layers, zeros);
      break;
    }
    case BridgeKind::Copy:
      s.h.assign(enc.h.begin(), enc.h.begin() + static_cast<std::ptrdiff_t>(layers));
      if (lstm_) s.c.assign(enc.c.begin(), enc.c.begin() + static_cast<std::ptrdiff_t>(layers));
      break;
    case BridgeKind::Learned: {
      auto both = [&](const nn::VarList& v, std::size_t l) {
        return directions_ == 2 ? autograd::concat({v[2 * l], v[2 * l + 1]}, 1) : v[l];
      };
      for (std::size_t l = 0; l < layers; ++l) {
        s.h.push_back(autograd::tanh(h_[l]->forward(g, both(enc.h, l))));
        if (lstm_) s.c.push_back(autograd::tanh(c_[l]->forward(g, both(enc.c, l))));
      }
      break;
    }
  }
  return s;
}

}  // namespace s2s::models
