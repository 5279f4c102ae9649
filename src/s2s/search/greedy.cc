#include "s2s/search/greedy.h"

#include <algorithm>

#include "s2s/kernels/argmax.h"

namespace s2s::search {

std::vector<std::vector<std::int32_t>> greedy_decode(models::EncoderDecoder& model, const models::TokenBatch& src,
                                                     const GreedyOptions& options) {
  const std::int64_t rows = src.size();
  std::vector<std::int64_t> limit(static_cast<std::size_t>(rows));
  std::int64_t longest = 0;
  for (std::int64_t b = 0; b < rows; ++b) {
    limit[b] = static_cast<std::int64_t>(options.max_length_ratio * static_cast<float>(src.lengths.i32()[b])) + options.max_length_extra;
    longest = std::max(longest, limit[b]);
  }
  autograd::Graph g(/*grad_enabled=*/false);
  auto state = model.encode(g, src);
  Tensor prev = Tensor::empty({rows}, DType::I32), next = Tensor::empty({rows}, DType::I32);
  for (std::int64_t b = 0; b < rows; ++b) prev.i32()[b] = models::kBos;
  std::vector<std::vector<std::int32_t>> out(static_cast<std::size_t>(rows));
  std::vector<bool> done(static_cast<std::size_t>(rows), false);
  std::int64_t live = rows;
  for (std::int64_t t = 0; t < longest && live > 0; ++t) {
    auto step = model.step(g, *state, prev);
    kernels::argmax_rows(step.logits, next);
    g.clear();
    for (std::int64_t b = 0; b < rows; ++b) {
      if (done[b]) continue;
      std::int32_t tok = next.i32()[b];
      if (tok == models::kEos || static_cast<std::int64_t>(out[b].size()) >= limit[b]) {
        done[b] = true;
        --live;
        continue;
      }
      out[b].push_back(tok);
    }
    std::swap(prev, next);
  }
  return out;
}

std::vector<std::string> greedy_translate(models::EncoderDecoder& model, TextCodec src, TextCodec tgt,
                                          std::span<const std::string> sentences, bool src_eos, const GreedyOptions& options) {
  if (sentences.empty()) return {};
  std::vector<std::vector<std::int32_t>> ids(sentences.size());
  std::size_t longest = 1;
  for (std::size_t i = 0; i < sentences.size(); ++i) {
    src.vocab->encode(src.tokenizer->tokenize(sentences[i]), ids[i]);
    if (src_eos || ids[i].empty()) ids[i].push_back(models::kEos);  // an empty input still needs one position
    longest = std::max(longest, ids[i].size());
  }
  const auto rows = static_cast<std::int64_t>(sentences.size()), steps = static_cast<std::int64_t>(longest);
  models::TokenBatch batch{Tensor::zeros({steps, rows}, DType::I32), Tensor::empty({rows}, DType::I32)};
  for (std::int64_t b = 0; b < rows; ++b) {
    const auto& row = ids[static_cast<std::size_t>(b)];
    for (std::size_t t = 0; t < row.size(); ++t) batch.ids.i32()[static_cast<std::int64_t>(t) * rows + b] = row[t];
    batch.lengths.i32()[b] = static_cast<std::int32_t>(row.size());
  }
  std::vector<std::string> out;
  for (const auto& hyp : greedy_decode(model, batch, options))
    out.push_back(tgt.tokenizer->detokenize(tgt.vocab->decode(hyp, /*skip_reserved=*/true)));
  return out;
}

}  // namespace s2s::search
