#pragma once
// Parameters' weights prepared for inference products, made once: packed for
// row-invariant fp32 products (kernels::PackedNT, on first use), or quantized
// to int8 (kernels::Int8Weight) for the parameters registered with
// quantize() (an int8 model's matrices, when its Ensemble is built). Whoever
// owns a PackedWeights promises that the parameters do not change in place
// while it is in use: a Graph with grad disabled keeps its own (one decoding
// batch), and search::Ensemble shares one across all its batches (a model is
// not trained while an Ensemble decodes with it). A parameter whose value
// tensor was replaced (a loaded checkpoint) is packed or quantized again.
#include <array>
#include <deque>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

#include "s2s/autograd/parameter.h"
#include "s2s/kernels/gemm.h"
#include "s2s/kernels/quantize.h"

namespace s2s::autograd {

class PackedWeights {
 public:
  // Fails naming p when it is held in int8 (Parameter::int8): it has no fp32 value to pack.
  const kernels::PackedNT& get(const Parameter& p);

  // Int8: p (a matrix) is quantized now, or its held int8 weight taken
  // (Parameter::int8), and its products and lookups go through int8() from
  // here on.
  void quantize(const Parameter& p);
  // p's int8 weight when p was registered with quantize(), else nullptr.
  const kernels::Int8Weight* int8(const Parameter& p);
  // The rows of up to 3 registered parameters joined (a fused q, k, v
  // projection), made once; nullptr unless every part is registered.
  const kernels::Int8Weight* int8_joined(std::span<const Parameter* const> parts);

  void clear() {
    packed_.clear();
    int8_.clear();
    joined_.clear();
  }

 private:
  struct Quantized {
    const void* source = nullptr;  // the value it was made from (replaced: made again)
    kernels::Int8Weight weight;
  };
  struct Joined {
    std::array<const Parameter*, 3> parts{};
    std::array<const void*, 3> sources{};
    kernels::Int8Weight weight;
  };
  std::deque<std::pair<const Parameter*, kernels::PackedNT>> packed_;
  std::unordered_map<const Parameter*, Quantized> int8_;  // node-based: pointers stay valid
  std::deque<Joined> joined_;
};

}  // namespace s2s::autograd
