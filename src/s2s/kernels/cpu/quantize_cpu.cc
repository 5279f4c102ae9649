#include "s2s/kernels/quantize.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "s2s/core/parallel.h"

namespace s2s::kernels {

void quantize_rows(const float* x, std::int64_t rows, std::int64_t k, std::int64_t ld, std::int8_t* q, float* scales) {
  for (std::int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * ld;
    std::int8_t* qr = q + r * k;
    float amax = 0.0f;
    bool finite = true;
    for (std::int64_t j = 0; j < k; ++j) {
      const float a = std::fabs(xr[j]);
      finite = finite && a <= 3.4028235e38f;  // false for NaN and infinities
      amax = std::max(amax, a);
    }
    if (!finite || amax == 0.0f) {
      std::memset(qr, 0, static_cast<std::size_t>(k));
      scales[r] = finite ? 0.0f : std::nanf("");
      continue;
    }
    // One rounding rule (nearest, ties to even) for every path and row; the
    // clamp only catches 127.5-style rounding of the maximum itself.
    const float inv = 127.0f / amax;
    for (std::int64_t j = 0; j < k; ++j)
      qr[j] = static_cast<std::int8_t>(std::clamp(std::nearbyint(xr[j] * inv), -127.0f, 127.0f));
    scales[r] = amax / 127.0f;
  }
}

Int8Weight Int8Weight::quantize(const Tensor& w) {
  S2S_CHECK(w.defined() && w.dtype() == DType::F32 && w.ndim() == 2, "int8 quantization: expected an F32 matrix, got ",
            w.defined() ? w.shape().str() : std::string("nothing"));
  const std::int64_t n = w.dim(0), k = w.dim(1);
  Int8Weight out;
  out.values_ = Tensor::empty(Shape{n, k}, DType::I8);
  out.scales_ = Tensor::empty(Shape{n});
  const float* src = w.f32();
  std::int8_t* q = out.values_.data<std::int8_t>();
  float* s = out.scales_.f32();
  parallel_for(0, n, 64, [&](std::int64_t b, std::int64_t e) { quantize_rows(src + b * k, e - b, k, k, q + b * k, s + b); });
  out.compute_row_sums();
  return out;
}

Int8Weight::Int8Weight(Tensor values, Tensor scales, std::string_view what)
    : values_(std::move(values)), scales_(std::move(scales)) {
  S2S_CHECK(values_.defined() && values_.dtype() == DType::I8 && values_.ndim() == 2, what,
            ": expected I8 values [rows, cols], got ", values_.defined() ? values_.shape().str() : std::string("nothing"));
  S2S_CHECK(scales_.defined() && scales_.dtype() == DType::F32 && scales_.shape() == Shape({values_.dim(0)}), what,
            ": expected F32 scales [", values_.dim(0), "], got ",
            scales_.defined() ? scales_.shape().str() : std::string("nothing"));
  compute_row_sums();
}

Int8Weight Int8Weight::join(std::span<const Int8Weight* const> parts) {
  S2S_CHECK(!parts.empty(), "int8 weight join: no parts");
  const std::int64_t k = parts[0]->cols();
  std::int64_t n = 0;
  for (const Int8Weight* p : parts) {
    S2S_CHECK(p->cols() == k, "int8 weight join: parts have ", k, " and ", p->cols(), " columns");
    n += p->rows();
  }
  Int8Weight out;
  out.values_ = Tensor::empty(Shape{n, k}, DType::I8);
  out.scales_ = Tensor::empty(Shape{n});
  std::int64_t row = 0;
  for (const Int8Weight* p : parts) {
    std::memcpy(out.values_.data<std::int8_t>() + row * k, p->values_.data<std::int8_t>(),
                static_cast<std::size_t>(p->rows() * k));
    std::copy_n(p->scales_.f32(), p->rows(), out.scales_.f32() + row);
    row += p->rows();
  }
  out.compute_row_sums();
  return out;
}

void Int8Weight::compute_row_sums() {
  const std::int64_t n = rows(), k = cols();
  S2S_CHECK(k <= kInt8MaxDepth, "int8 weight: ", k, " columns, more than the ", kInt8MaxDepth,
            " an int8 product accumulates exactly");
  row_sums_ = Tensor::empty(Shape{n}, DType::I32);
  const std::int8_t* q = values_.data<std::int8_t>();
  std::int32_t* sums = row_sums_.i32();
  for (std::int64_t r = 0; r < n; ++r) {
    std::int32_t s = 0;
    for (std::int64_t j = 0; j < k; ++j) s += q[r * k + j];
    sums[r] = s;
  }
}

Tensor Int8Weight::dequantize() const {
  Tensor out = Tensor::empty(values_.shape());
  const std::int64_t k = cols();
  const std::int8_t* q = values_.data<std::int8_t>();
  for (std::int64_t r = 0; r < rows(); ++r)
    for (std::int64_t j = 0; j < k; ++j) out.f32()[r * k + j] = scales_.f32()[r] * static_cast<float>(q[r * k + j]);
  return out;
}

void dequantize_rows(const Int8Weight& w, const Tensor& ids, Tensor& out) {
  const std::int64_t n = ids.numel(), k = w.cols();
  S2S_CHECK(ids.dtype() == DType::I32 && out.dtype() == DType::F32 && out.numel() == n * k,
            "int8 embedding lookup: ids ", ids.shape().str(), " and output ", out.shape().str(), " for a table ",
            w.values().shape().str());
  const std::int32_t* id = ids.i32();
  for (std::int64_t i = 0; i < n; ++i)
    S2S_CHECK(id[i] >= 0 && id[i] < w.rows(), "int8 embedding lookup: id ", id[i], " out of range for ", w.rows(),
              " rows");
  const std::int8_t* q = w.values().data<std::int8_t>();
  const float* s = w.scales().f32();
  float* o = out.f32();
  parallel_for(0, n, 16, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t i = b; i < e; ++i) {
      const std::int8_t* row = q + static_cast<std::int64_t>(id[i]) * k;
      const float scale = s[id[i]];
      for (std::int64_t j = 0; j < k; ++j) o[i * k + j] = scale * static_cast<float>(row[j]);
    }
  });
}

}  // namespace s2s::kernels
