#include "s2s/autograd/packed_weights.h"

#include "s2s/core/error.h"

namespace s2s::autograd {

const kernels::Int8Weight* PackedWeights::int8_joined(std::span<const Parameter* const> parts) {
  S2S_CHECK(!parts.empty() && parts.size() <= 3, "int8 joined weight: 1 to 3 parts, got ", parts.size());
  std::array<const kernels::Int8Weight*, 3> weights{};
  std::array<const Parameter*, 3> key{};
  std::array<const float*, 3> sources{};
  for (std::size_t i = 0; i < parts.size(); ++i) {
    weights[i] = int8(*parts[i]);
    if (!weights[i]) return nullptr;
    key[i] = parts[i];
    sources[i] = parts[i]->value.f32();
  }
  for (Joined& j : joined_)
    if (j.parts == key) {
      if (j.sources != sources) {
        j.weight = kernels::Int8Weight::join(std::span(weights.data(), parts.size()));
        j.sources = sources;
      }
      return &j.weight;
    }
  return &joined_.emplace_back(Joined{key, sources, kernels::Int8Weight::join(std::span(weights.data(), parts.size()))})
              .weight;
}

}  // namespace s2s::autograd
