#pragma once
// The number type inference products run in (`--compute-type`), and the type
// a model file stores its matrices in (`s2s quantize`): fp32; int8 (weights
// quantized per row, activations per row as they come; kernels/int8_gemm.h);
// bf16 (weights rounded to bfloat16, kernels/bf16.h; products in fp32 on a
// CPU without AVX512-BF16, which is every CPU s2s has kernels for today).
// `auto` stands for the type the model is stored in (docs/precision.md).
#include <string_view>

#include "s2s/core/error.h"

namespace s2s::kernels {

enum class ComputeType { Fp32, Int8, Auto, Bf16 };

inline const char* compute_type_name(ComputeType t) {
  switch (t) {
    case ComputeType::Fp32: return "fp32";
    case ComputeType::Int8: return "int8";
    case ComputeType::Auto: return "auto";
    case ComputeType::Bf16: return "bf16";
  }
  return "?";
}

// Parses fp32 | int8 | bf16 | auto; fails naming `what` (the option) and the choices.
inline ComputeType parse_compute_type(std::string_view name, std::string_view what) {
  for (ComputeType t : {ComputeType::Fp32, ComputeType::Int8, ComputeType::Bf16, ComputeType::Auto})
    if (name == compute_type_name(t)) return t;
  fail(what, ": unknown compute type '", name, "' (expected fp32, int8, bf16 or auto)");
}

// The type `t` stands for with a model stored in `stored` (fp32, int8 or
// bf16): auto is the stored type, others are themselves.
inline ComputeType resolve_compute_type(ComputeType t, ComputeType stored = ComputeType::Fp32) {
  return t == ComputeType::Auto ? stored : t;
}

}  // namespace s2s::kernels
