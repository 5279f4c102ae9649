#include "s2s/kernels/elementwise.h"

#include "s2s/core/parallel.h"
#include "s2s/kernels/cpu/loops.h"

namespace s2s::kernels {

using cpu::kGrain;
using cpu::row_grain;

Broadcast broadcast_kind(const Shape& a, const Shape& b, const char* op) {
  if (a == b) return Broadcast::Same;
  if (b.numel() == 1) return Broadcast::Scalar;
  std::int64_t cols = a.ndim() ? a[a.ndim() - 1] : 1;
  std::int64_t rows = cols ? a.numel() / cols : 0;
  if (b.ndim() >= 1) {
    bool leading_ones = true;
    for (int k = 0; k + 1 < b.ndim(); ++k) leading_ones = leading_ones && b[k] == 1;
    if (leading_ones && b[b.ndim() - 1] == cols) return Broadcast::Row;
    if (b.ndim() >= 2 && b[b.ndim() - 1] == 1 && b.numel() == rows) return Broadcast::Column;
  }
  fail(op, ": cannot broadcast ", b.str(), " against ", a.str(), " (expected the same shape, [", cols, "], [1, ", cols,
       "], [", rows, ", 1] or [1])");
}

namespace {

struct Layout {
  std::int64_t n, rows, cols;
};

Layout layout_of(const Tensor& a) {
  std::int64_t cols = a.ndim() ? a.dim(-1) : 1;
  return {a.numel(), cols ? a.numel() / cols : 0, cols};
}

// out[i] (= or +=) f(x[i], y broadcast to x): the one loop behind the
// forward pass and the a-side gradient.
template <bool Acc, typename F>
void zip(const float* x, const float* y, float* out, Broadcast bc, Layout l, F f) {
  auto put = [](float& o, float v) {
    if constexpr (Acc) o += v;
    else o = v;
  };
  switch (bc) {
    case Broadcast::Same:
      parallel_for(0, l.n, kGrain, [&](std::int64_t b, std::int64_t e) {
        for (std::int64_t i = b; i < e; ++i) put(out[i], f(x[i], y[i]));
      });
      break;
    case Broadcast::Scalar: {
      float s = y[0];
      parallel_for(0, l.n, kGrain, [&](std::int64_t b, std::int64_t e) {
        for (std::int64_t i = b; i < e; ++i) put(out[i], f(x[i], s));
      });
      break;
    }
    case Broadcast::Row:
      parallel_for(0, l.rows, row_grain(l.cols), [&](std::int64_t r0, std::int64_t r1) {
        for (std::int64_t r = r0; r < r1; ++r) {
          const float* xr = x + r * l.cols;
          float* orow = out + r * l.cols;
          for (std::int64_t j = 0; j < l.cols; ++j) put(orow[j], f(xr[j], y[j]));
        }
      });
      break;
    case Broadcast::Column:
      parallel_for(0, l.rows, row_grain(l.cols), [&](std::int64_t r0, std::int64_t r1) {
        for (std::int64_t r = r0; r < r1; ++r) {
          const float* xr = x + r * l.cols;
          float* orow = out + r * l.cols;
          float s = y[r];
          for (std::int64_t j = 0; j < l.cols; ++j) put(orow[j], f(xr[j], s));
        }
      });
      break;
  }
}

template <bool Acc>
void zip_op(BinaryOp op, const float* x, const float* y, float* out, Broadcast bc, Layout l) {
  switch (op) {
    case BinaryOp::Add: zip<Acc>(x, y, out, bc, l, [](float p, float q) { return p + q; }); break;
    case BinaryOp::Sub: zip<Acc>(x, y, out, bc, l, [](float p, float q) { return p - q; }); break;
    case BinaryOp::Mul: zip<Acc>(x, y, out, bc, l, [](float p, float q) { return p * q; }); break;
    case BinaryOp::Div: zip<Acc>(x, y, out, bc, l, [](float p, float q) { return p / q; }); break;
  }
}

void check_same(const Tensor& x, const Tensor& y, const char* what) {
  S2S_CHECK(x.numel() == y.numel(), what, ": expected ", x.shape().str(), " elements, got ", y.shape().str());
}

}  // namespace

void binary(BinaryOp op, const Tensor& a, const Tensor& b, Tensor& out) {
  Broadcast bc = broadcast_kind(a.shape(), b.shape(), "binary");
  check_same(a, out, "binary output");
  zip_op<false>(op, a.f32(), b.f32(), out.f32(), bc, layout_of(a));
}

void binary_backward_a(BinaryOp op, const Tensor& g, const Tensor& b, Tensor& ga, bool accumulate) {
  Broadcast bc = broadcast_kind(g.shape(), b.shape(), "binary backward");
  check_same(g, ga, "binary backward");
  switch (op) {
    case BinaryOp::Add:
    case BinaryOp::Sub:
      if (accumulate) axpy(1.0f, g, ga);
      else ga.copy_from(g);
      break;
    case BinaryOp::Mul:
    case BinaryOp::Div:
      if (accumulate) zip_op<true>(op, g.f32(), b.f32(), ga.f32(), bc, layout_of(g));
      else zip_op<false>(op, g.f32(), b.f32(), ga.f32(), bc, layout_of(g));
      break;
  }
}

// d(a op b)/db: Add 1, Sub -1, Mul a, Div -a / b^2. The a-dependent part is
// summed first ("w" = a for Mul/Div) and the b-dependent factor applied per
// element of b, so each reduced gradient is one fixed-order sum.
void binary_backward_b(BinaryOp op, const Tensor& g, const Tensor& a, const Tensor& b, Tensor& gb) {
  Broadcast bc = broadcast_kind(g.shape(), b.shape(), "binary backward");
  check_same(b, gb, "binary backward");
  Layout l = layout_of(g);
  const float* gp = g.f32();
  const float* bp = b.f32();
  float* out = gb.f32();
  const float* w = (op == BinaryOp::Mul || op == BinaryOp::Div) ? a.f32() : nullptr;
  auto finish = [op](float& dst, float s, float bv) {
    switch (op) {
      case BinaryOp::Add:
      case BinaryOp::Mul: dst += s; break;
      case BinaryOp::Sub: dst -= s; break;
      case BinaryOp::Div: dst -= s / (bv * bv); break;
    }
  };
  switch (bc) {
    case Broadcast::Same:
      parallel_for(0, l.n, kGrain, [&](std::int64_t s, std::int64_t e) {
        switch (op) {
          case BinaryOp::Add: for (std::int64_t i = s; i < e; ++i) out[i] += gp[i]; break;
          case BinaryOp::Sub: for (std::int64_t i = s; i < e; ++i) out[i] -= gp[i]; break;
          case BinaryOp::Mul: for (std::int64_t i = s; i < e; ++i) out[i] += gp[i] * w[i]; break;
          case BinaryOp::Div: for (std::int64_t i = s; i < e; ++i) out[i] -= gp[i] * w[i] / (bp[i] * bp[i]); break;
        }
      });
      break;
    case Broadcast::Scalar:
      finish(out[0], static_cast<float>(cpu::total(gp, w, l.n)), bp[0]);
      break;
    case Broadcast::Row:
      cpu::column_sums(gp, w, l.rows, l.cols, l.cols, [&](std::int64_t j0, std::int64_t len, const float* sums) {
        for (std::int64_t j = 0; j < len; ++j) finish(out[j0 + j], sums[j], bp[j0 + j]);
      });
      break;
    case Broadcast::Column:
      parallel_for(0, l.rows, row_grain(l.cols), [&](std::int64_t r0, std::int64_t r1) {
        for (std::int64_t r = r0; r < r1; ++r)
          finish(out[r], cpu::dot_or_sum(gp + r * l.cols, w ? w + r * l.cols : nullptr, l.cols), bp[r]);
      });
      break;
  }
}

void affine(const Tensor& x, float alpha, float beta, Tensor& y) {
  check_same(x, y, "affine");
  const float* xp = x.f32();
  float* yp = y.f32();
  // Exact special cases: a pure scale or shift rounds once, as in PyTorch.
  parallel_for(0, x.numel(), kGrain, [&](std::int64_t s, std::int64_t e) {
    if (beta == 0.0f)
      for (std::int64_t i = s; i < e; ++i) yp[i] = alpha * xp[i];
    else if (alpha == 1.0f)
      for (std::int64_t i = s; i < e; ++i) yp[i] = xp[i] + beta;
    else
      for (std::int64_t i = s; i < e; ++i) yp[i] = alpha * xp[i] + beta;
  });
}

void axpy(float alpha, const Tensor& x, Tensor& y) {
  check_same(x, y, "axpy");
  const float* xp = x.f32();
  float* yp = y.f32();
  parallel_for(0, x.numel(), kGrain, [&](std::int64_t s, std::int64_t e) {
    if (alpha == 1.0f)
      for (std::int64_t i = s; i < e; ++i) yp[i] += xp[i];
    else
      for (std::int64_t i = s; i < e; ++i) yp[i] += alpha * xp[i];
  });
}

void add_constant(float c, Tensor& y) {
  float* yp = y.f32();
  parallel_for(0, y.numel(), kGrain, [&](std::int64_t s, std::int64_t e) {
    for (std::int64_t i = s; i < e; ++i) yp[i] += c;
  });
}

}  // namespace s2s::kernels
