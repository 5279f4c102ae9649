#pragma once
// Adagrad: torch.optim.Adagrad's update, with learning-rate decay
// clr = lr / (1 + (step - 1) * lr_decay).
#include "s2s/train/optimizer.h"

namespace s2s::train {

struct AdagradOptions {
  double lr = 1e-2;
  double lr_decay = 0.0;
  double weight_decay = 0.0;  // L2 added to the gradient
  double initial_accumulator_value = 0.0;
  double eps = 1e-10;
};

// State slot: "sum" (the running sum of squared gradients).
class Adagrad : public Optimizer {
 public:
  Adagrad(std::vector<autograd::Parameter*> params, const AdagradOptions& options = {});
  const AdagradOptions& options() const { return options_; }

 protected:
  void update(autograd::Parameter& p, std::span<Tensor> slots) override;

 private:
  AdagradOptions options_;
};

}  // namespace s2s::train
