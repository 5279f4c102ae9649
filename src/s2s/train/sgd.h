#pragma once
// Stochastic gradient descent with optional momentum, dampening, Nesterov
// momentum and L2 weight decay: torch.optim.SGD's update.
#include "s2s/train/optimizer.h"

namespace s2s::train {

struct SgdOptions {
  double lr = 1e-3;
  double momentum = 0.0;
  double dampening = 0.0;
  double weight_decay = 0.0;  // L2 penalty added to the gradient
  bool nesterov = false;      // needs momentum > 0 and dampening == 0
};

// State slot (only when momentum != 0): "momentum_buffer".
class Sgd : public Optimizer {
 public:
  Sgd(std::vector<autograd::Parameter*> params, const SgdOptions& options = {});
  const SgdOptions& options() const { return options_; }

 protected:
  void update(autograd::Parameter& p, std::span<Tensor> slots) override;

 private:
  SgdOptions options_;
};

}  // namespace s2s::train
