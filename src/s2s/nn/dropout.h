#pragma once
// Dropout as a module-level helper: a no-op outside training or at p == 0, so
// callers need not branch (and no rng is needed then).
#include "s2s/autograd/ops.h"

namespace s2s::nn {

class Dropout {
 public:
  explicit Dropout(float p = 0.0f) : p_(p) {
    S2S_CHECK(p >= 0.0f && p < 1.0f, "dropout: expected a probability in [0, 1), got ", p);
  }
  float p() const { return p_; }

  autograd::Var forward(autograd::Var x, bool training, Rng* rng) const {
    if (!training || p_ == 0.0f) return x;
    S2S_CHECK(rng != nullptr, "dropout: training with p = ", p_, " needs an rng");
    return autograd::dropout(x, p_, *rng);
  }

 private:
  float p_;
};

}  // namespace s2s::nn
