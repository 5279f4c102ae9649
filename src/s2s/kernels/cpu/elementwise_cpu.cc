#include "s2s/kernels/elementwise.h"

#include "s2s/core/parallel.h"
#include "s2s/kernels/broadcast.h"
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
    // Of rank at most a's: a higher-rank b ([2, 1, 1] against [2, 3]) broadcasts by NumPy's rule.
    if (b.ndim() >= 2 && b.ndim() <= a.ndim() && b[b.ndim() - 1] == 1 && b.numel() == rows) return Broadcast::Column;
  }
  if (broadcastable(a, b)) return Broadcast::General;
  fail(op, ": cannot broadcast ", b.str(), " against ", a.str(), " (expected the same shape, [", cols, "], [1, ", cols,
       "], [", rows, ", 1], [1], or shapes that broadcast by NumPy's rule)");
}

Shape binary_shape(const Shape& a, const Shape& b, const char* op) {
  return broadcast_kind(a, b, op) == Broadcast::General ? broadcast_shape(a, b, op) : a;
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
      break;    case Broadcast::General: break;  // zip_general
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

// The General layout, forward: out[o] = f(a[o], b[o]) with both operands read
// through their broadcast strides, one row of out's last dim at a time.
template <typename F>
void zip_general(const float* a, const float* b, float* out, const Shape& out_shape, const Shape& as, const Shape& bs,
                 F f) {
  const BroadcastStrides sa = broadcast_strides(out_shape, as), sb = broadcast_strides(out_shape, bs);
  const std::int64_t cols = sa.dims[static_cast<std::size_t>(sa.ndim - 1)];
  const std::int64_t rows = cols ? out_shape.numel() / cols : 0;
  const std::int64_t la = sa.last_stride(), lb = sb.last_stride();
  parallel_for(0, rows, row_grain(cols), [&](std::int64_t r0, std::int64_t r1) {
    for (std::int64_t r = r0; r < r1; ++r) {
      const float* ar = a + sa.row_offset(r);
      const float* br = b + sb.row_offset(r);
      float* o = out + r * cols;
      for (std::int64_t j = 0; j < cols; ++j) o[j] = f(ar[j * la], br[j * lb]);
    }
  });
}

// The General layout, backward: gx[e] (= or +=) the sum of term(g, a, b) over
// every element of out that reads x's element e, in row-major order of out's
// repeated dims (then of the last dim, when x repeats along it). Parallel over
// rows of gx; each row's sums are its own, so the result is thread-count free.
template <typename Term>
void reduce_general(const Shape& out_shape, const Shape& x_shape, const Shape& as, const Shape& bs, const float* g,
                    const float* a, const float* b, float* gx, bool accumulate, Term term) {
  const BroadcastStrides sa = broadcast_strides(out_shape, as), sb = broadcast_strides(out_shape, bs),
                         sx = broadcast_strides(out_shape, x_shape);
  const int n = sx.ndim;
  const auto& dims = sx.dims;
  const std::int64_t cols = dims[static_cast<std::size_t>(n - 1)];
  const bool x_repeats_last = sx.last_stride() == 0 && cols > 1;
  const std::int64_t x_cols = x_repeats_last ? 1 : cols;
  const std::int64_t x_rows = x_cols ? x_shape.numel() / x_cols : 0;
  if (x_rows == 0) return;
  // Out's prefix dims (all but the last) that x repeats, and out's row stride of each prefix dim.
  std::array<std::int64_t, Shape::kMaxDims> out_row_stride{}, x_dims{};
  std::array<int, Shape::kMaxDims> reduced{};
  int nreduced = 0;
  std::int64_t step = 1;
  for (int k = n - 2; k >= 0; --k) {
    const auto ku = static_cast<std::size_t>(k);
    out_row_stride[ku] = step;
    step *= dims[ku];
    const bool rep = sx.stride[ku] == 0 && dims[ku] > 1;
    x_dims[ku] = rep ? 1 : dims[ku];
  }
  for (int k = 0; k + 1 < n; ++k)
    if (x_dims[static_cast<std::size_t>(k)] != dims[static_cast<std::size_t>(k)]) reduced[static_cast<std::size_t>(nreduced++)] = k;
  const std::int64_t fan_in = x_shape.numel() ? out_shape.numel() / x_shape.numel() : 0;
  const std::int64_t la = sa.last_stride(), lb = sb.last_stride();
  constexpr std::int64_t kBlock = 256;
  parallel_for(0, x_rows, row_grain(x_cols * std::max<std::int64_t>(fan_in, 1)), [&](std::int64_t r0, std::int64_t r1) {
    std::array<std::int64_t, Shape::kMaxDims> coord{};
    float acc[kBlock];
    for (std::int64_t xr = r0; xr < r1; ++xr) {
      // x's row -> out's prefix coordinates (repeated dims start at 0).
      std::int64_t rem = xr;
      for (int k = n - 2; k >= 0; --k) {
        const auto ku = static_cast<std::size_t>(k);
        coord[ku] = rem % x_dims[ku];
        rem /= x_dims[ku];
      }
      for (std::int64_t j0 = 0; j0 < x_cols; j0 += kBlock) {
        const std::int64_t len = std::min(kBlock, x_cols - j0);
        std::fill(acc, acc + len, 0.0f);
        for (int k = 0; k < nreduced; ++k) coord[static_cast<std::size_t>(reduced[static_cast<std::size_t>(k)])] = 0;
        for (;;) {  // odometer over the repeated prefix dims, last fastest
          std::int64_t orow = 0, oa = 0, ob = 0;
          for (int k = 0; k + 1 < n; ++k) {
            const auto ku = static_cast<std::size_t>(k);
            orow += coord[ku] * out_row_stride[ku];
            oa += coord[ku] * sa.stride[ku];
            ob += coord[ku] * sb.stride[ku];
          }
          const float* gr = g + orow * cols;
          if (x_repeats_last) {
            for (std::int64_t j = 0; j < cols; ++j) acc[0] += term(gr[j], a[oa + j * la], b[ob + j * lb]);
          } else {
            for (std::int64_t j = j0; j < j0 + len; ++j) acc[j - j0] += term(gr[j], a[oa + j * la], b[ob + j * lb]);
          }
          int k = nreduced - 1;
          for (; k >= 0; --k) {
            const auto ku = static_cast<std::size_t>(reduced[static_cast<std::size_t>(k)]);
            if (++coord[ku] < dims[ku]) break;
            coord[ku] = 0;
          }
          if (k < 0) break;
        }
        float* dst = gx + xr * x_cols + j0;
        if (accumulate)
          for (std::int64_t j = 0; j < len; ++j) dst[j] += acc[j];
        else
          std::copy(acc, acc + len, dst);
      }
    }
  });
}

// dL/da (side 0) or dL/db (side 1) of a op b, per element of out.
template <typename Emit>
void with_term(BinaryOp op, int side, const Emit& emit) {
  if (side == 0) {
    switch (op) {
      case BinaryOp::Add:
      case BinaryOp::Sub: emit([](float g, float, float) { return g; }); break;
      case BinaryOp::Mul: emit([](float g, float, float bv) { return g * bv; }); break;
      case BinaryOp::Div: emit([](float g, float, float bv) { return g / bv; }); break;
    }
  } else {
    switch (op) {
      case BinaryOp::Add: emit([](float g, float, float) { return g; }); break;
      case BinaryOp::Sub: emit([](float g, float, float) { return -g; }); break;
      case BinaryOp::Mul: emit([](float g, float av, float) { return g * av; }); break;
      case BinaryOp::Div: emit([](float g, float av, float bv) { return -g * av / (bv * bv); }); break;
    }
  }
}

void check_same(const Tensor& x, const Tensor& y, const char* what) {
  S2S_CHECK(x.numel() == y.numel(), what, ": expected ", x.shape().str(), " elements, got ", y.shape().str());
}

}  // namespace

void binary(BinaryOp op, const Tensor& a, const Tensor& b, Tensor& out) {
  Broadcast bc = broadcast_kind(a.shape(), b.shape(), "binary");
  if (bc == Broadcast::General) {
    const Shape shape = broadcast_shape(a.shape(), b.shape(), "binary");
    S2S_CHECK(out.shape() == shape, "binary output: expected ", shape.str(), ", got ", out.shape().str());
    S2S_CHECK(!out.same_storage(a) && !out.same_storage(b), "binary: a broadcast output must not alias an operand");
    const float *pa = a.f32(), *pb = b.f32();
    float* po = out.f32();
    switch (op) {
      case BinaryOp::Add: zip_general(pa, pb, po, shape, a.shape(), b.shape(), [](float p, float q) { return p + q; }); break;
      case BinaryOp::Sub: zip_general(pa, pb, po, shape, a.shape(), b.shape(), [](float p, float q) { return p - q; }); break;
      case BinaryOp::Mul: zip_general(pa, pb, po, shape, a.shape(), b.shape(), [](float p, float q) { return p * q; }); break;
      case BinaryOp::Div: zip_general(pa, pb, po, shape, a.shape(), b.shape(), [](float p, float q) { return p / q; }); break;
    }
    return;
  }
  check_same(a, out, "binary output");
  zip_op<false>(op, a.f32(), b.f32(), out.f32(), bc, layout_of(a));
}

void binary_backward_a(BinaryOp op, const Tensor& g, const Tensor& b, Tensor& ga, bool accumulate) {
  Broadcast bc = ga.shape() == g.shape() ? broadcast_kind(g.shape(), b.shape(), "binary backward") : Broadcast::General;
  const bool additive = op == BinaryOp::Add || op == BinaryOp::Sub;
  // a not repeated and dL/da = dy: the plain copy below, whatever b's layout.
  if (bc == Broadcast::General && !(additive && ga.shape() == g.shape())) {
    // a's values are not needed by any of the four a-side terms; g stands in for them.
    with_term(op, 0, [&](auto term) {
      reduce_general(g.shape(), ga.shape(), g.shape(), b.shape(), g.f32(), g.f32(), b.f32(), ga.f32(), accumulate, term);
    });
    return;
  }
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
  Broadcast bc = a.shape() == g.shape() ? broadcast_kind(g.shape(), b.shape(), "binary backward") : Broadcast::General;
  check_same(b, gb, "binary backward");
  if (bc == Broadcast::General) {
    with_term(op, 1, [&](auto term) {
      reduce_general(g.shape(), b.shape(), a.shape(), b.shape(), g.f32(), a.f32(), b.f32(), gb.f32(), true, term);
    });
    return;
  }
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
      break;    case Broadcast::General: break;  // reduce_general, above
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
