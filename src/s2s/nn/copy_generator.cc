#include "s2s/nn/copy_generator.h"

#include "s2s/autograd/ops.h"

namespace s2s::nn {

// The linear layer is the module itself (its parameters are "<name>.weight"
// and "<name>.bias"), hence the empty local name.
CopyGenerator::CopyGenerator(std::string name, std::int64_t in, Rng& rng)
    : Module(name), linear_(std::move(name), in, 1, true, rng) {
  add_child(linear_);
}

autograd::Var CopyGenerator::gate(autograd::Graph& g, autograd::Var features) const {
  return linear_.forward(g, features);
}

autograd::Var CopyGenerator::mix(autograd::Var logits, autograd::Var gate_value, autograd::Var attention,
                                 const Tensor& ids, std::int64_t width, const Tensor& rows) const {
  return autograd::copy_mixture(logits, gate_value, attention, ids, width, rows);
}

}  // namespace s2s::nn
