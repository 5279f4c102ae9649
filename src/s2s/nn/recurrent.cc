#include "s2s/nn/recurrent.h"

#include <cmath>

#include "s2s/autograd/ops.h"

namespace s2s::nn {

using autograd::Var;

int gate_count(CellType cell) {
  switch (cell) {
    case CellType::RnnTanh:
    case CellType::RnnRelu: return 1;
    case CellType::Gru: return 3;
    case CellType::Lstm: return 4;
  }
  return 1;
}

Recurrent::Recurrent(std::string name, CellType cell, std::int64_t input_size, std::int64_t hidden_size,
                     std::int64_t layers, bool bidirectional, float dropout, Rng& rng)
    : Module(std::move(name)),
      cell_(cell),
      input_size_(input_size),
      hidden_(hidden_size),
      layers_(layers),
      bidirectional_(bidirectional),
      dropout_(dropout) {
  S2S_CHECK(input_size > 0 && hidden_size > 0 && layers > 0, this->name(), ": expected positive sizes, got input ",
            input_size, ", hidden ", hidden_size, ", layers ", layers);
  const std::int64_t gates = gate_count(cell) * hidden_size;
  const float bound = 1.0f / std::sqrt(static_cast<float>(hidden_size));
  for (std::int64_t l = 0; l < layers; ++l) {
    std::int64_t in = l == 0 ? input_size : output_size();
    for (int d = 0; d < directions(); ++d) {
      std::string suffix = "_l" + std::to_string(l) + (d == 1 ? "_reverse" : "");
      w_ih_.push_back(&add_parameter("weight_ih" + suffix, init_uniform(Shape{gates, in}, bound, rng)));
      w_hh_.push_back(&add_parameter("weight_hh" + suffix, init_uniform(Shape{gates, hidden_size}, bound, rng)));
      b_ih_.push_back(&add_parameter("bias_ih" + suffix, init_uniform(Shape{gates}, bound, rng)));
      b_hh_.push_back(&add_parameter("bias_hh" + suffix, init_uniform(Shape{gates}, bound, rng)));
    }
  }
}

Recurrent::Bound Recurrent::bind(autograd::Graph& g) const {
  Bound w;
  bind(g, w);
  return w;
}

void Recurrent::bind(autograd::Graph& g, Bound& w) const {
  w.w_ih.clear();
  w.w_hh.clear();
  w.b_ih.clear();
  w.b_hh.clear();
  for (std::size_t k = 0; k < w_ih_.size(); ++k) {
    w.w_ih.push_back(g.param(*w_ih_[k]));
    w.w_hh.push_back(g.param(*w_hh_[k]));
    w.b_ih.push_back(g.param(*b_ih_[k]));
    w.b_hh.push_back(g.param(*b_hh_[k]));
  }
}

Recurrent::Output Recurrent::forward(autograd::Graph& g, Var x, const Tensor& lengths, const State* initial,
                                     bool training, Rng* rng) const {
  S2S_CHECK(x.ndim() == 3 && x.dim(2) == input_size_, name(), ": expected input [T, B, ", input_size_, "], got ",
            x.shape().str());
  const std::int64_t batch = x.dim(1);
  const std::size_t n = w_ih_.size();
  S2S_CHECK(initial == nullptr || (initial->h.size() == n && (cell_ != CellType::Lstm || initial->c.size() == n)),
            name(), ": initial state needs ", n, " layer states");
  Bound w = bind(g);
  Output out;
  Var zeros;
  auto zero_state = [&]() {
    if (!zeros.defined()) zeros = g.input(Tensor::zeros(Shape{batch, hidden_}));
    return zeros;
  };
  Var layer_in = x;
  for (std::int64_t l = 0; l < layers_; ++l) {
    if (l > 0) layer_in = dropout_.forward(layer_in, training, rng);
    Var dir_out[2];
    for (int d = 0; d < directions(); ++d) {
      const std::size_t k = static_cast<std::size_t>(l * directions() + d);
      Var h0 = initial ? initial->h[k] : zero_state();
      const bool reverse = d == 1;
      autograd::SequenceOutput s;
      switch (cell_) {
        case CellType::RnnTanh:
        case CellType::RnnRelu:
          s = autograd::rnn_sequence(layer_in, h0, w.w_ih[k], w.w_hh[k], w.b_ih[k], w.b_hh[k], lengths, reverse,
                                     cell_ == CellType::RnnTanh ? autograd::RnnActivation::Tanh
                                                                : autograd::RnnActivation::Relu);
          break;
        case CellType::Gru:
          s = autograd::gru_sequence(layer_in, h0, w.w_ih[k], w.w_hh[k], w.b_ih[k], w.b_hh[k], lengths, reverse);
          break;
        case CellType::Lstm: {
          Var c0 = initial ? initial->c[k] : zero_state();
          s = autograd::lstm_sequence(layer_in, h0, c0, w.w_ih[k], w.w_hh[k], w.b_ih[k], w.b_hh[k], lengths, reverse);
          out.final.c.push_back(s.c);
          break;
        }
      }
      out.final.h.push_back(s.h);
      dir_out[d] = s.output;
    }
    layer_in = directions() == 2 ? autograd::concat({dir_out[0], dir_out[1]}, 2) : dir_out[0];
  }
  out.output = layer_in;
  return out;
}

Var Recurrent::project_input(const Bound& w, Var x) const { return autograd::linear(x, w.w_ih[0], w.b_ih[0]); }

Var Recurrent::cell_step(const Bound& w, std::size_t k, Var x_proj, Var& h, Var& c) const {
  switch (cell_) {
    case CellType::RnnTanh:
    case CellType::RnnRelu: {
      Var pre = autograd::add(autograd::linear(h, w.w_hh[k], x_proj), w.b_hh[k]);
      h = cell_ == CellType::RnnTanh ? autograd::tanh(pre) : autograd::relu(pre);
      break;
    }
    case CellType::Gru: h = autograd::gru_cell(x_proj, h, w.w_hh[k], w.b_hh[k]); break;
    case CellType::Lstm: {
      autograd::LstmState s = autograd::lstm_cell(x_proj, h, c, w.w_hh[k], w.b_hh[k]);
      h = s.h;
      c = s.c;
      break;
    }
  }
  return h;
}

void Recurrent::step(autograd::Graph& g, const Bound& w, Var x_proj0, State& state, bool training, Rng* rng) const {
  S2S_CHECK(!bidirectional_, name(), ": step needs a unidirectional stack");
  const std::size_t n = static_cast<std::size_t>(layers_);
  S2S_CHECK(state.h.size() == n && (cell_ != CellType::Lstm || state.c.size() == n), name(), ": state needs ", n,
            " layer states");
  Var dummy;
  Var x_proj = x_proj0;
  for (std::size_t l = 0; l < n; ++l) {
    if (l > 0) {
      Var below = dropout_.forward(state.h[l - 1], training, rng);
      x_proj = autograd::linear(below, w.w_ih[l], w.b_ih[l]);
    }
    cell_step(w, l, x_proj, state.h[l], cell_ == CellType::Lstm ? state.c[l] : dummy);
  }
}

}  // namespace s2s::nn
