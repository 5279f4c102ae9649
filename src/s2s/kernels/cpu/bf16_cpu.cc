#include "s2s/kernels/bf16.h"

#include <bit>

#include "s2s/core/parallel.h"

namespace s2s::kernels {

std::uint16_t bf16_from_float(float x) {
  const std::uint32_t bits = std::bit_cast<std::uint32_t>(x);
  if ((bits & 0x7F800000u) == 0x7F800000u && (bits & 0x007FFFFFu) != 0)
    return static_cast<std::uint16_t>((bits >> 16) | 0x0040u);  // NaN: keep sign and top bits, force quiet
  // Adding 0x7FFF plus the lowest kept bit rounds to nearest with ties to
  // even; a carry into the exponent is the correct result (up to infinity).
  const std::uint32_t lsb = (bits >> 16) & 1u;
  return static_cast<std::uint16_t>((bits + 0x7FFFu + lsb) >> 16);
}

float bf16_to_float(std::uint16_t b) { return std::bit_cast<float>(static_cast<std::uint32_t>(b) << 16); }

void round_to_bf16(float* x, std::int64_t n) {
  parallel_for(0, n, 1 << 14, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t i = b; i < e; ++i) x[i] = bf16_to_float(bf16_from_float(x[i]));
  });
}

Tensor to_bf16(const Tensor& x) {
  S2S_CHECK(x.defined() && x.dtype() == DType::F32, "to_bf16: expected an F32 tensor");
  Tensor out = Tensor::empty(x.shape(), DType::BF16);
  const float* src = x.f32();
  auto* dst = out.data<std::uint16_t>();
  parallel_for(0, x.numel(), 1 << 14, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t i = b; i < e; ++i) dst[i] = bf16_from_float(src[i]);
  });
  return out;
}

Tensor bf16_to_f32(const Tensor& x) {
  S2S_CHECK(x.defined() && x.dtype() == DType::BF16, "bf16_to_f32: expected a BF16 tensor");
  Tensor out = Tensor::empty(x.shape());
  const auto* src = x.data<std::uint16_t>();
  float* dst = out.f32();
  parallel_for(0, x.numel(), 1 << 14, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t i = b; i < e; ++i) dst[i] = bf16_to_float(src[i]);
  });
  return out;
}

}  // namespace s2s::kernels
