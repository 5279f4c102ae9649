#include "s2s/train/make_optimizer.h"

#include "s2s/core/error.h"
#include "s2s/train/adagrad.h"
#include "s2s/train/adam.h"
#include "s2s/train/rmsprop.h"
#include "s2s/train/sgd.h"

namespace s2s::train {

std::unique_ptr<Optimizer> make_optimizer(const OptimOptions& o, std::vector<autograd::Parameter*> params) {
  if (o.optimizer == "sgd") {
    SgdOptions s;
    s.lr = o.lr, s.momentum = o.momentum, s.dampening = o.dampening, s.weight_decay = o.weight_decay, s.nesterov = o.nesterov;
    return std::make_unique<Sgd>(std::move(params), s);
  }
  if (o.optimizer == "adam" || o.optimizer == "adamw") {
    AdamOptions a;
    a.lr = o.lr, a.beta1 = o.beta1, a.beta2 = o.beta2, a.weight_decay = o.weight_decay, a.amsgrad = o.amsgrad;
    if (o.eps > 0) a.eps = o.eps;
    if (o.optimizer == "adam") return std::make_unique<Adam>(std::move(params), a);
    AdamWOptions w;
    w.lr = a.lr, w.beta1 = a.beta1, w.beta2 = a.beta2, w.eps = a.eps, w.weight_decay = a.weight_decay, w.amsgrad = a.amsgrad;
    return std::make_unique<AdamW>(std::move(params), w);
  }
  if (o.optimizer == "rmsprop") {
    RmspropOptions r;
    r.lr = o.lr, r.alpha = o.alpha, r.weight_decay = o.weight_decay, r.momentum = o.momentum, r.centered = o.centered;
    if (o.eps > 0) r.eps = o.eps;
    return std::make_unique<Rmsprop>(std::move(params), r);
  }
  if (o.optimizer == "adagrad") {
    AdagradOptions a;
    a.lr = o.lr, a.lr_decay = o.lr_decay, a.weight_decay = o.weight_decay, a.initial_accumulator_value = o.initial_accumulator_value;
    if (o.eps > 0) a.eps = o.eps;
    return std::make_unique<Adagrad>(std::move(params), a);
  }
  fail("optim.optimizer: expected one of sgd|adam|adamw|rmsprop|adagrad, got '", o.optimizer, "'");
}

}  // namespace s2s::train
