#pragma once
// The decoder's initial state from the encoder's final states:
//   zeros    all zero;
//   copy     decoder layer k starts from encoder layer k (unidirectional, equal layer counts);
//   learned  s0_k = tanh(W_k [h_fwd_k; h_bwd_k] + b_k) (the PyTorch peer's bridge), and for
//            LSTM likewise for the cell state with its own weights.
// Parameters: bridge.h_l{k}.weight/bias, bridge.c_l{k}.weight/bias (LSTM).
#include <memory>
#include <vector>

#include "s2s/models/model_config.h"
#include "s2s/nn/linear.h"
#include "s2s/nn/recurrent.h"

namespace s2s::models {

class Bridge : public nn::Module {
 public:
  Bridge(const ModelConfig& config, Rng& rng);
  nn::Recurrent::State initial_state(autograd::Graph& g, const nn::Recurrent::State& encoder_final,
                                     std::int64_t batch) const;

 private:
  BridgeKind kind_;
  bool lstm_;
  int directions_;
  std::int64_t layers_, hidden_;
  std::vector<std::unique_ptr<nn::Linear>> h_, c_;
};

}  // namespace s2s::models
