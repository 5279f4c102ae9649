#pragma once
// Activation checkpointing (Chen et al. 2016; fairseq's --checkpoint-activations,
// torch.utils.checkpoint): y = fn(inputs) is computed in a scratch graph whose
// tape is dropped at once, so the tape keeps only the inputs and y; backward
// runs fn again from the same inputs and RNG state (the same dropout masks)
// with a tape, and back-propagates through that. Memory: one layer's
// activations instead of every layer's; time: fn's forward twice.
//
// fn builds on the graph it is given, from the Vars it is given (never from
// Vars of another graph), and may be called twice; parameters it binds
// receive their gradient in Parameter::grad as usual. The kernels are those
// of a tape with grad, so y and the gradients are bitwise those of fn applied
// directly, except where one input feeds several recomputed calls: its parts
// are then added once each call's rerun is done rather than accumulated by
// the consuming op, equal up to float rounding. With grad disabled fn simply
// runs on g.
#include <functional>
#include <span>

#include "s2s/autograd/graph.h"

namespace s2s::autograd {

using RecomputeFn = std::function<Var(Graph& g, std::span<const Var> inputs, Rng* rng)>;

Var recompute(Graph& g, std::span<const Var> inputs, RecomputeFn fn, Rng* rng);

}  // namespace s2s::autograd
