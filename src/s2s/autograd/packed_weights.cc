#include "s2s/autograd/packed_weights.h"

#include "s2s/core/error.h"

namespace s2s::autograd {

namespace {

const void* storage_of(const Parameter& p) { return p.value.data<char>(); }

// p's int8 weight: the one it holds, else quantized from its fp32 value.
kernels::Int8Weight int8_of(const Parameter& p) {
  return p.int8.defined() ? p.int8 : kernels::Int8Weight::quantize(p.value);
}

}  // namespace

const kernels::PackedNT& PackedWeights::get(const Parameter& p) {
  S2S_CHECK(p.value.dtype() == DType::F32, "parameter '", p.name,
            "' is held in int8 (the model was loaded for int8 decoding): only an int8 decoder can use it");
  for (auto& [param, packed] : packed_)
    if (param == &p) {
      if (packed.weight().f32() != p.value.f32()) packed = kernels::PackedNT(p.value);
      return packed;
    }
  return packed_.emplace_back(&p, kernels::PackedNT(p.value)).second;  // a deque: earlier references stay valid
}

void PackedWeights::quantize(const Parameter& p) { int8_[&p] = {storage_of(p), int8_of(p)}; }

const kernels::Int8Weight* PackedWeights::int8(const Parameter& p) {
  auto it = int8_.find(&p);
  if (it == int8_.end()) return nullptr;
  if (it->second.source != storage_of(p)) it->second = {storage_of(p), int8_of(p)};
  return &it->second.weight;
}

const kernels::Int8Weight* PackedWeights::int8_joined(std::span<const Parameter* const> parts) {
  S2S_CHECK(!parts.empty() && parts.size() <= 3, "int8 joined weight: 1 to 3 parts, got ", parts.size());
  std::array<const kernels::Int8Weight*, 3> weights{};
  std::array<const Parameter*, 3> key{};
  std::array<const void*, 3> sources{};
  for (std::size_t i = 0; i < parts.size(); ++i) {
    weights[i] = int8(*parts[i]);
    if (!weights[i]) return nullptr;
    key[i] = parts[i];
    sources[i] = storage_of(*parts[i]);
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
