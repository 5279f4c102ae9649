#pragma once
// The optimizer that a run's optim: section names.
#include <memory>
#include <vector>

#include "s2s/train/optimizer.h"
#include "s2s/train/run_config.h"

namespace s2s::train {

std::unique_ptr<Optimizer> make_optimizer(const OptimOptions& options, std::vector<autograd::Parameter*> params);

}  // namespace s2s::train
