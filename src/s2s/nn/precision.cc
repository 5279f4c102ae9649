#include "s2s/nn/precision.h"

#include "s2s/kernels/bf16.h"

namespace s2s::nn {

bool int8_product_weight(const autograd::Parameter& p) { return p.quantizable && p.value.ndim() == 2; }

void hold_in_int8(std::span<autograd::Parameter* const> params) {
  for (autograd::Parameter* p : params) {
    if (!int8_product_weight(*p) || p->int8.defined()) continue;
    p->int8 = kernels::Int8Weight::quantize(p->value);
    p->value = p->int8.values();  // the fp32 storage goes back to the allocator
  }
}

void round_to_bf16(std::span<autograd::Parameter* const> params) {
  for (autograd::Parameter* p : params)
    if (p->value.dtype() == DType::F32) kernels::round_to_bf16(p->value.f32(), p->value.numel());
}

const autograd::Parameter* first_held_in_int8(std::span<autograd::Parameter* const> params) {
  for (const autograd::Parameter* p : params)
    if (p->int8.defined()) return p;
  return nullptr;
}

}  // namespace s2s::nn
