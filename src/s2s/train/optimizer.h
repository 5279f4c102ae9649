#pragma once
// Optimizer: updates trainable parameters from their gradients. Subclasses
// (SGD, Adam/AdamW, RMSprop, Adagrad) follow PyTorch's update rules and
// defaults; docs/optimizers.md lists them.
//
// Checkpoints: the state is a list of named tensors, one per (slot, trainable
// parameter), named "<optimizer>.<slot>.<parameter>" (e.g.
// "adam.exp_avg.decoder.out.weight"), plus named scalars ("<optimizer>.step",
// "<optimizer>.lr"). Saving these and loading them into a fresh optimizer over
// the same parameters continues training bit for bit.
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "s2s/autograd/parameter.h"
#include "s2s/core/tensor.h"

namespace s2s::train {

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;
using NamedScalars = std::vector<std::pair<std::string, double>>;

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // One update of every trainable parameter from its current gradient.
  void step();
  // Releases the gradient of every parameter given at construction (the next
  // backward pass allocates it again; PyTorch's zero_grad(set_to_none=True)).
  void zero_grad();

  void set_lr(double lr);
  double lr() const { return lr_; }
  // Updates applied so far (PyTorch's state["step"]).
  std::int64_t step_count() const { return step_; }
  // "sgd", "adam", "adamw", "rmsprop", "adagrad": the prefix of state names.
  const std::string& name() const { return name_; }
  const std::vector<autograd::Parameter*>& params() const { return trainable_; }

  // Views of the live state tensors (they alias the optimizer's buffers: clone
  // them to keep a snapshot), in parameter order, slots in declaration order.
  NamedTensors state_tensors() const;
  NamedScalars state_scalars() const;
  // Restores a state saved from the same kind of optimizer (same options that
  // add slots, e.g. momentum or amsgrad) over parameters with the same names
  // and shapes. Every name and shape is checked before anything is copied; a
  // missing, unexpected or misshapen entry is an error that names it.
  void load_state(const NamedTensors& tensors, const NamedScalars& scalars);

 protected:
  // Only parameters with trainable == true are updated and carry state; their
  // names must be unique (they key the checkpoint).
  Optimizer(std::string name, std::vector<autograd::Parameter*> params, double lr);

  // Declares one state tensor per trainable parameter, shaped like it and
  // filled with `init`. Call from the subclass constructor.
  void add_slot(std::string slot, float init = 0.0f);

  // Applies the update for one parameter; `slots` are its state tensors in
  // add_slot order. step_count() already counts this update (1 on the first).
  virtual void update(autograd::Parameter& p, std::span<Tensor> slots) = 0;

 private:
  std::string state_name(std::size_t slot, std::size_t param) const;

  std::string name_;
  std::vector<autograd::Parameter*> all_;
  std::vector<autograd::Parameter*> trainable_;
  std::vector<std::string> slot_names_;
  std::vector<std::vector<Tensor>> slots_;  // [trainable param][slot]
  double lr_;
  std::int64_t step_ = 0;
};

}  // namespace s2s::train
