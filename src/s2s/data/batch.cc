#include "s2s/data/batch.h"

#include <algorithm>

#include "s2s/core/error.h"
#include "s2s/data/vocab.h"

namespace s2s::data {

void make_batch(const Dataset& data, std::span<const std::uint32_t> examples, bool src_eos, Batch& out) {
  S2S_CHECK(!examples.empty(), "batch: no examples");
  const auto b = static_cast<std::int64_t>(examples.size());
  std::int64_t s = 0, t = 0;
  for (std::uint32_t e : examples) {
    S2S_CHECK(e < data.size(), "batch: example ", e, " out of range (", data.size(), " pairs)");
    s = std::max<std::int64_t>(s, data.src_len(e) + (src_eos ? 1 : 0));
    t = std::max<std::int64_t>(t, data.tgt_len(e) + 1);
  }
  out.src = Tensor::zeros({s, b}, DType::I32);  // kPadId == 0
  out.tgt_in = Tensor::zeros({t, b}, DType::I32);
  out.tgt_out = Tensor::zeros({t, b}, DType::I32);
  out.src_len = Tensor::empty({b}, DType::I32);
  out.src_copy = data.with_copy() ? Tensor::zeros({s, b}, DType::I32) : Tensor();
  out.tgt_len = Tensor::empty({b}, DType::I32);
  out.examples.assign(examples.begin(), examples.end());
  out.src_tokens = out.tgt_tokens = 0;
  std::int32_t *src = out.src.i32(), *tin = out.tgt_in.i32(), *tout = out.tgt_out.i32();
  for (std::int64_t j = 0; j < b; ++j) {
    std::uint32_t e = examples[static_cast<std::size_t>(j)];
    std::int64_t ls = data.src_len(e), lt = data.tgt_len(e);
    data.copy_src(e, src + j, b);
    if (src_eos) src[ls * b + j] = kEosId;
    if (data.with_copy()) {
      data.copy_src_copy_ids(e, out.src_copy.i32() + j, b);
      if (src_eos) out.src_copy.i32()[ls * b + j] = kEosId;
    }
    tin[j] = kBosId;
    data.copy_tgt(e, tin + b + j, b);   // rows 1..n
    data.copy_tgt(e, tout + j, b);      // rows 0..n-1
    tout[lt * b + j] = kEosId;
    out.src_len.i32()[j] = static_cast<std::int32_t>(ls + (src_eos ? 1 : 0));
    out.tgt_len.i32()[j] = static_cast<std::int32_t>(lt + 1);
    out.src_tokens += ls + (src_eos ? 1 : 0);
    out.tgt_tokens += lt + 1;
  }
  out.positions = (s + t) * b;
}

}  // namespace s2s::data
