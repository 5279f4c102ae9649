#pragma once
// The number type inference products run in (`--compute-type`): fp32, or
// int8 (weights quantized per row once per model, activations per row as
// they come; kernels/int8_gemm.h). `auto` stands for "the fastest type this
// CPU runs natively"; until a measurement on a quiet machine shows where int8
// wins (bench/int8_gemm_bench.cc), it resolves to fp32 (docs/precision.md).
#include <string_view>

#include "s2s/core/error.h"

namespace s2s::kernels {

enum class ComputeType { Fp32, Int8, Auto };

inline const char* compute_type_name(ComputeType t) {
  switch (t) {
    case ComputeType::Fp32: return "fp32";
    case ComputeType::Int8: return "int8";
    case ComputeType::Auto: return "auto";
  }
  return "?";
}

// Parses fp32 | int8 | auto; fails naming `what` (the option) and the choices.
inline ComputeType parse_compute_type(std::string_view name, std::string_view what) {
  for (ComputeType t : {ComputeType::Fp32, ComputeType::Int8, ComputeType::Auto})
    if (name == compute_type_name(t)) return t;
  fail(what, ": unknown compute type '", name, "' (expected fp32, int8 or auto)");
}

// The type auto stands for on this machine (fp32 for now); others unchanged.
inline ComputeType resolve_compute_type(ComputeType t) { return t == ComputeType::Auto ? ComputeType::Fp32 : t; }

}  // namespace s2s::kernels
