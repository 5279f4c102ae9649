#pragma once
// Symmetric per-row int8 quantization, as CTranslate2 does it: row r of a
// matrix becomes q(r, k) = round(x(r, k) / s_r) in [-127, 127] with the
// fp32 scale s_r = max_k |x(r, k)| / 127, so x(r, k) ~ s_r q(r, k). Weights
// [out, in] are quantized once per output row (Int8Weight); the activations
// of an int8 product are quantized per row as they come (quantize_rows), so
// a row's values never depend on the other rows of its batch.
#include <cstdint>
#include <span>
#include <string_view>

#include "s2s/core/tensor.h"

namespace s2s::kernels {

// The largest k an int8 product accepts: with the +128 shift of the VNNI path,
// sum_k 255 * 127 must stay below 2^31.
inline constexpr std::int64_t kInt8MaxDepth = 65536;

// q(r, k) and scales[r] for `rows` rows of k floats (row stride ld). A row of
// zeros gets scale 0; a row holding a NaN or an infinity gets a NaN scale (and
// zeros in q), so the products it enters are NaN, as they would be in fp32.
void quantize_rows(const float* x, std::int64_t rows, std::int64_t k, std::int64_t ld, std::int8_t* q, float* scales);

// A weight w [n, k] (the w of y = x w^T, or an embedding table [vocab, dim])
// quantized per row: values I8 [n, k], scales F32 [n], and each row's sum of
// values (I32 [n], the compensation of the VNNI path's +128 shift). Copies
// share storage; a quantized model file stores values and scales.
class Int8Weight {
 public:
  Int8Weight() = default;
  // Quantizes w (F32 [n, k]).
  static Int8Weight quantize(const Tensor& w);
  // From stored values (I8 [n, k]) and scales (F32 [n]); fails naming `what` on a shape mismatch.
  Int8Weight(Tensor values, Tensor scales, std::string_view what = "int8 weight");
  // The rows of each part, one part after another (quantizing their
  // concatenation gives exactly this: the scales are per row).
  static Int8Weight join(std::span<const Int8Weight* const> parts);

  bool defined() const { return values_.defined(); }
  std::int64_t rows() const { return values_.dim(0); }
  std::int64_t cols() const { return values_.dim(1); }
  const Tensor& values() const { return values_; }
  const Tensor& scales() const { return scales_; }
  const std::int32_t* row_sums() const { return row_sums_.i32(); }
  // s_r q(r, k) as F32 [n, k].
  Tensor dequantize() const;

 private:
  void compute_row_sums();
  Tensor values_, scales_, row_sums_;
};

// out(i, :) = s_r q(r, :) for r = ids[i] (an embedding lookup from an int8
// table): ids I32 [...], out F32 [..., k]. Fails on an id out of range.
void dequantize_rows(const Int8Weight& w, const Tensor& ids, Tensor& out);

}  // namespace s2s::kernels
