#include "s2s/search/trace.h"

#include <algorithm>

#include "s2s/core/error.h"

namespace s2s::search {

void Trace::reset(std::int64_t steps, std::int64_t rows, std::int64_t src_width, bool keep_attention) {
  steps_ = steps;
  rows_ = rows;
  width_ = src_width;
  const auto n = static_cast<std::size_t>(steps * rows);
  tokens_.assign(n, 0);
  parents_.assign(n, -1);
  if (keep_attention) attention_.assign(n * static_cast<std::size_t>(src_width), 0.0f);
  else attention_.clear();
}

void Trace::out_of_range(std::int64_t t) const {
  fail("search: step ", t, " is outside the trace's ", steps_, " steps (a search ran past its length limit)");
}

void Trace::history(std::int64_t t, std::int64_t r, std::span<std::int32_t> out) const {
  S2S_CHECK(static_cast<std::int64_t>(out.size()) >= t, "trace: history buffer too small");
  for (std::int64_t s = t; s >= 1; --s) {
    out[static_cast<std::size_t>(s - 1)] = tokens_[static_cast<std::size_t>(s * rows_ + r)];
    r = parents_[static_cast<std::size_t>(s * rows_ + r)];
  }
}

void Trace::attention_path(std::int64_t t, std::int64_t r, std::int64_t src_len, std::span<float> out) const {
  S2S_CHECK(!attention_.empty() && src_len <= width_ &&
                static_cast<std::int64_t>(out.size()) >= (t + 1) * src_len,
            "trace: attention was not kept");
  for (std::int64_t s = t; s >= 0; --s) {
    const float* a = attention_.data() + (s * rows_ + r) * width_;
    std::copy(a, a + src_len, out.data() + s * src_len);
    if (s > 0) r = parents_[static_cast<std::size_t>(s * rows_ + r)];
  }
}

void Trace::coverage(std::int64_t t, std::int64_t r, std::span<float> out) const {
  S2S_CHECK(!attention_.empty() && static_cast<std::int64_t>(out.size()) <= width_, "trace: attention was not kept");
  std::fill(out.begin(), out.end(), 0.0f);
  for (std::int64_t s = t; s >= 0; --s) {
    const float* a = attention_.data() + (s * rows_ + r) * width_;
    for (std::size_t i = 0; i < out.size(); ++i) out[i] += a[i];
    if (s > 0) r = parents_[static_cast<std::size_t>(s * rows_ + r)];
  }
}

}  // namespace s2s::search
