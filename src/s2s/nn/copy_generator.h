#pragma once
// The pointer-generator's switch (See et al. 2017): a generation probability
//   p_gen = sigmoid(w . [s_t; c_t; x_t] + b)
// from the decoder state, the attention context and the decoder input, which
// mixes the vocabulary distribution with the attention over source positions
// scattered onto an extended vocabulary (autograd::copy_mixture). The module
// owns w and b ("<name>.weight" [1, in], "<name>.bias" [1]); which source
// position stands for which extended id is the caller's (models/).
#include "s2s/autograd/graph.h"
#include "s2s/nn/linear.h"

namespace s2s::nn {

class CopyGenerator : public Module {
 public:
  // in: width of the features [s_t; c_t; x_t].
  CopyGenerator(std::string name, std::int64_t in, Rng& rng);

  // features [B, in] -> the switch before its sigmoid, [B, 1].
  autograd::Var gate(autograd::Graph& g, autograd::Var features) const;
  // logits [N, V], gate [N, 1], attention [N, S] -> log-probabilities [N, width]
  // (autograd::copy_mixture: ids, rows and width as there).
  autograd::Var mix(autograd::Var logits, autograd::Var gate, autograd::Var attention, const Tensor& ids,
                    std::int64_t width, const Tensor& rows = Tensor()) const;

 private:
  Linear linear_;
};

}  // namespace s2s::nn
