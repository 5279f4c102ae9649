#include <algorithm>

#include "s2s/core/error.h"
#include "s2s/kernels/broadcast.h"

namespace s2s::kernels {

namespace {

// dims of s aligned right to n dims (leading 1s).
std::int64_t aligned(const Shape& s, int n, int k) {
  const int shift = n - s.ndim();
  return k < shift ? 1 : s[k - shift];
}

}  // namespace

bool broadcastable(const Shape& a, const Shape& b) {
  const int n = std::max(a.ndim(), b.ndim());
  for (int k = 0; k < n; ++k) {
    const std::int64_t da = aligned(a, n, k), db = aligned(b, n, k);
    if (da != db && da != 1 && db != 1) return false;
  }
  return true;
}

Shape broadcast_shape(const Shape& a, const Shape& b, const char* op) {
  S2S_CHECK(broadcastable(a, b), op, ": shapes ", a.str(), " and ", b.str(),
            " do not broadcast (aligned at the right, each pair of dims must be equal or contain a 1)");
  const int n = std::max(a.ndim(), b.ndim());
  Shape out;
  for (int k = 0; k < n; ++k) {
    const std::int64_t da = aligned(a, n, k), db = aligned(b, n, k);
    out.push_back(da == 1 ? db : da);
  }
  return out;
}

BroadcastStrides broadcast_strides(const Shape& out, const Shape& x) {
  S2S_CHECK(x.ndim() <= out.ndim() && broadcast_shape(out, x, "broadcast") == out, "broadcast: ", x.str(),
            " does not broadcast to ", out.str());
  BroadcastStrides s;
  s.ndim = std::max(out.ndim(), 1);
  if (out.ndim() == 0) {
    s.dims[0] = 1;
    return s;
  }
  std::int64_t step = 1;
  for (int k = out.ndim() - 1; k >= 0; --k) {
    const std::int64_t dx = aligned(x, out.ndim(), k);
    s.dims[static_cast<std::size_t>(k)] = out[k];
    s.stride[static_cast<std::size_t>(k)] = dx == 1 ? 0 : step;
    step *= dx;
  }
  return s;
}

}  // namespace s2s::kernels
