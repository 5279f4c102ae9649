#include "s2s/models/copy_ids.h"

#include <algorithm>

#include "s2s/core/error.h"

namespace s2s::models {

CopyIds sentence_copy_ids(const TokenBatch& src, std::int64_t vocab) {
  S2S_CHECK(src.copy_ids.defined() && src.copy_ids.dtype() == DType::I32 && src.copy_ids.ndim() == 2 &&
                src.copy_ids.dim(0) == src.steps() && src.copy_ids.dim(1) == src.size(),
            "copy attention: expected the source's copy ids, I32 [", src.steps(), ", ", src.size(),
            "] (TokenBatch::copy_ids, data/source_copy.h)");
  const std::int64_t steps = src.steps(), batch = src.size();
  CopyIds out{Tensor::empty(Shape{batch, steps}, DType::I32), vocab};
  for (std::int64_t t = 0; t < steps; ++t)
    for (std::int64_t b = 0; b < batch; ++b) {
      const std::int32_t id = src.copy_ids.i32()[t * batch + b];
      out.ids.i32()[b * steps + t] = id;
      out.width = std::max<std::int64_t>(out.width, std::int64_t{id} + 1);
    }
  return out;
}

Tensor ids_in_vocabulary(const Tensor& ids, std::int64_t vocab) {
  Tensor out = ids;
  for (std::int64_t k = 0; k < ids.numel(); ++k)
    if (ids.i32()[k] >= vocab) {
      if (out.same_storage(ids)) out = ids.clone();
      out.i32()[k] = kUnk;
    }
  return out;
}

}  // namespace s2s::models
