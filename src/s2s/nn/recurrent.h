#pragma once
// Stacked recurrent layers (RNN tanh/ReLU, GRU, LSTM), optionally
// bidirectional (directions concatenated, [T, B, 2H]), with dropout between
// layers. Parameters are named and shaped exactly as torch.nn.GRU/LSTM/RNN:
// weight_ih_l{k}[_reverse] [G*H, in], weight_hh_l{k} [G*H, H], bias_ih_l{k},
// bias_hh_l{k} [G*H], gates in PyTorch order; all ~ U(-1/sqrt(H), 1/sqrt(H)).
//
// Two modes over the same weights: forward runs whole sequences through the
// fused sequence ops (the encoder; a decoder without feedback), step advances
// a unidirectional stack by one position (a decoder with attention feedback,
// and search).
#include <span>
#include <vector>

#include "s2s/autograd/graph.h"
#include "s2s/nn/dropout.h"
#include "s2s/nn/module.h"
#include "s2s/nn/var_list.h"

namespace s2s::nn {

enum class CellType : std::uint8_t { RnnTanh, RnnRelu, Gru, Lstm };
int gate_count(CellType cell);  // 1, 1, 3, 4

class Recurrent : public Module {
 public:
  Recurrent(std::string name, CellType cell, std::int64_t input_size, std::int64_t hidden_size, std::int64_t layers,
            bool bidirectional, float dropout, Rng& rng);

  CellType cell() const { return cell_; }
  std::int64_t input_size() const { return input_size_; }
  std::int64_t hidden_size() const { return hidden_; }
  std::int64_t layers() const { return layers_; }
  int directions() const { return bidirectional_ ? 2 : 1; }
  std::int64_t output_size() const { return hidden_ * directions(); }

  // Per layer (and direction: index layer * directions + direction, torch's
  // h_n order) hidden and cell (LSTM only) states, each [B, H].
  struct State {
    VarList h, c;  // inline storage: no heap allocation per step
  };

  struct Output {
    autograd::Var output;  // [T, B, directions * H]; zeros at t >= lengths[b]
    State final;           // the state after each sequence's last real position
  };

  // x [T, B, input_size], lengths I32 [B] (packed-sequence semantics).
  // initial: nullptr = zeros.
  Output forward(autograd::Graph& g, autograd::Var x, const Tensor& lengths, const State* initial, bool training,
                 Rng* rng) const;

  // The parameters bound to one graph, made once per forward (or step) and
  // reused across time steps.
  struct Bound {
    VarList w_ih, w_hh, b_ih, b_hh;  // index layer * directions + direction
  };
  Bound bind(autograd::Graph& g) const;
  void bind(autograd::Graph& g, Bound& out) const;  // refills out, reusing its storage (search steps)

  // One position for a unidirectional stack. x_proj0 = layer 0's input
  // projection x W_ih^T + b_ih ([B, G*H]; the caller may build it from parts).
  // Replaces state's vars with the new state; the top output is state.h.back().
  void step(autograd::Graph& g, const Bound& w, autograd::Var x_proj0, State& state, bool training, Rng* rng) const;

  // x W_ih_l0^T + b_ih_l0 for the plain case.
  autograd::Var project_input(const Bound& w, autograd::Var x) const;

 private:
  autograd::Var cell_step(const Bound& w, std::size_t k, autograd::Var x_proj, autograd::Var& h, autograd::Var& c) const;

  CellType cell_;
  std::int64_t input_size_, hidden_, layers_;
  bool bidirectional_;
  Dropout dropout_;
  std::vector<autograd::Parameter*> w_ih_, w_hh_, b_ih_, b_hh_;
};

}  // namespace s2s::nn
