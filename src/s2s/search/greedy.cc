#include "s2s/search/greedy.h"

#include <algorithm>

#include "s2s/core/error.h"
#include "s2s/search/search.h"
#include "s2s/search/translator.h"

namespace s2s::search {

namespace {

SearchOptions search_options(const GreedyOptions& g) {
  SearchOptions o;
  o.beam_size = 1;
  o.length_norm = LengthNorm::None;
  if (g.max_length_ratio > 0.0f) {
    o.max_length = std::int64_t{1} << 40;  // the ratio decides
    o.max_length_ratio = g.max_length_ratio;
    o.max_length_extra = g.max_length_extra;
  } else {
    o.max_length = std::max<std::int64_t>(g.max_length_extra, 1);
    o.max_length_ratio = 0.0f;
  }
  return o;
}

}  // namespace

std::vector<std::vector<std::int32_t>> greedy_decode(models::EncoderDecoder& model, const models::TokenBatch& src,
                                                     const GreedyOptions& options) {
  Ensemble ensemble({&model}, {options.compute_type});
  std::vector<std::vector<std::int32_t>> out;
  for (SentenceResult& r : greedy_search(ensemble, std::span<const models::TokenBatch>(&src, 1), search_options(options))) {
    S2S_CHECK(r.error.empty(), "greedy search: batch column ", out.size(), ": ", r.error);
    out.push_back(std::move(r.hypotheses.at(0).tokens));
  }
  return out;
}

std::vector<std::string> greedy_translate(models::EncoderDecoder& model, TextCodec src, TextCodec tgt,
                                          std::span<const std::string> sentences, bool src_eos,
                                          const GreedyOptions& options) {
  TranslatorOptions o;
  o.search = search_options(options);
  o.batch_size = 64;
  Translator translator({{&model, src.tokenizer, src.vocab, tgt.tokenizer, tgt.vocab, src_eos, options.compute_type}}, o);
  std::vector<std::string> out;
  for (Translation& t : translator.translate(sentences)) {
    S2S_CHECK(t.error.empty(), "greedy search: sentence ", t.id + 1, ": ", t.error);
    out.push_back(std::move(t.hypotheses.at(0).text));
  }
  return out;
}

}  // namespace s2s::search
