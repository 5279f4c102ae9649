#pragma once
// The per-path integer kernels behind gemm_int8_nt (kernels/int8_gemm.h).
// Each writes acc(i, j) = sum_k qa(i, k) qw(j0 + j, k) exactly, for rows
// i < m of the block and columns j < nb; they differ only in the form of the
// quantized activations they read (prepared once per product by the driver).
#include <cstdint>

namespace s2s::kernels::int8_paths {

// qa: s8 [m, k] (row stride ldq), the definition the other paths must match.
void dot_reference(std::int64_t m, std::int64_t nb, std::int64_t k, const std::int8_t* qa, std::int64_t ldq,
                   const std::int8_t* w, std::int32_t* acc, std::int64_t ldacc);

// qa widened to s16 [m, k] (row stride ldq): vpmaddwd sums pairs of s16
// products into s32 without saturating.
void dot_avx2(std::int64_t m, std::int64_t nb, std::int64_t k, const std::int16_t* qa, std::int64_t ldq,
              const std::int8_t* w, std::int32_t* acc, std::int64_t ldacc);

// qa + 128 as u8 [m, k] (row stride ldq) for vpdpbusd (u8 x s8); row_sums of
// the block's columns remove the shift: sum (qa + 128) qw - 128 sum qw.
void dot_vnni(std::int64_t m, std::int64_t nb, std::int64_t k, const std::uint8_t* qa, std::int64_t ldq,
              const std::int8_t* w, const std::int32_t* row_sums, std::int32_t* acc, std::int64_t ldacc);

}  // namespace s2s::kernels::int8_paths
