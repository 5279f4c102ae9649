#pragma once
// RMSprop: torch.optim.RMSprop's update (eps added after the square root;
// optional momentum and the centered variant).
#include "s2s/train/optimizer.h"

namespace s2s::train {

struct RmspropOptions {
  double lr = 1e-2;
  double alpha = 0.99;  // smoothing constant of the squared-gradient average
  double eps = 1e-8;
  double weight_decay = 0.0;  // L2 added to the gradient
  double momentum = 0.0;
  bool centered = false;  // normalise by an estimate of the gradient's variance
};

// State slots: "square_avg"; "grad_avg" when centered; "momentum_buffer" when momentum > 0.
class Rmsprop : public Optimizer {
 public:
  Rmsprop(std::vector<autograd::Parameter*> params, const RmspropOptions& options = {});
  const RmspropOptions& options() const { return options_; }

 protected:
  void update(autograd::Parameter& p, std::span<Tensor> slots) override;

 private:
  RmspropOptions options_;
};

}  // namespace s2s::train
