#pragma once
// Adam and AdamW: torch.optim.Adam / torch.optim.AdamW's update, bias
// correction included, eps added after the bias-corrected square root.
#include "s2s/train/optimizer.h"

namespace s2s::train {

struct AdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.0;  // Adam: L2 added to the gradient; AdamW: decoupled decay
  bool amsgrad = false;       // divide by the running maximum of the second moment
};

// The same fields; AdamW's only different default is weight_decay 1e-2.
struct AdamWOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 1e-2;  // decoupled: p *= 1 - lr*weight_decay each step
  bool amsgrad = false;
};

// State slots: "exp_avg", "exp_avg_sq", and "max_exp_avg_sq" with amsgrad.
class Adam : public Optimizer {
 public:
  Adam(std::vector<autograd::Parameter*> params, const AdamOptions& options = {});
  const AdamOptions& options() const { return options_; }

 protected:
  Adam(std::string name, std::vector<autograd::Parameter*> params, const AdamOptions& options, bool decoupled);
  void update(autograd::Parameter& p, std::span<Tensor> slots) override;

 private:
  AdamOptions options_;
  bool decoupled_;  // AdamW: p *= 1 - lr*weight_decay before the Adam step
};

class AdamW : public Adam {
 public:
  AdamW(std::vector<autograd::Parameter*> params, const AdamWOptions& options = {});
};

}  // namespace s2s::train
