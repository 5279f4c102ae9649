#pragma once
// Parameters' weights packed for row-invariant inference products
// (kernels::PackedNT), made on first use. Whoever owns a PackedWeights
// promises that the parameters do not change in place while it is in use: a
// Graph with grad disabled keeps its own (one decoding batch), and
// search::Ensemble shares one across all its batches (a model is not trained
// while an Ensemble decodes with it). A parameter whose value tensor was
// replaced (a loaded checkpoint) is packed again.
#include <deque>
#include <utility>

#include "s2s/autograd/parameter.h"
#include "s2s/kernels/gemm.h"

namespace s2s::autograd {

class PackedWeights {
 public:
  const kernels::PackedNT& get(const Parameter& p) {
    for (auto& [param, packed] : packed_)
      if (param == &p) {
        if (packed.weight().f32() != p.value.f32()) packed = kernels::PackedNT(p.value);
        return packed;
      }
    return packed_.emplace_back(&p, kernels::PackedNT(p.value)).second;  // a deque: earlier references stay valid
  }
  void clear() { packed_.clear(); }

 private:
  std::deque<std::pair<const Parameter*, kernels::PackedNT>> packed_;
};

}  // namespace s2s::autograd
