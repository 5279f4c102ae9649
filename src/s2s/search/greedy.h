#pragma once
// Greedy decoding in one call, for callers that want the most probable token
// at each step and nothing else (examples after training, quick checks).
// Thin wrappers over search::greedy_search (search.h) and Translator
// (translator.h), which hold the real work and every option.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "s2s/data/tokenizer.h"
#include "s2s/data/vocab.h"
#include "s2s/kernels/compute_type.h"
#include "s2s/models/encoder_decoder.h"

namespace s2s::search {

struct GreedyOptions {
  // Per row: at most max_length_ratio * source length + max_length_extra
  // target tokens (EOS not counted).
  float max_length_ratio = 2.0f;
  std::int64_t max_length_extra = 10;
  // fp32, int8 (the model's matrices quantized once per call), bf16 or auto
  // (search::Ensemble: int8 for a model held in int8, else fp32).
  kernels::ComputeType compute_type = kernels::ComputeType::Auto;
};

// Token ids of each row's output, without BOS and EOS. A row whose scores
// become non-finite is an s2s::Error (SentenceResult::error), as it is for
// greedy_translate.
std::vector<std::vector<std::int32_t>> greedy_decode(models::EncoderDecoder& model, const models::TokenBatch& src,
                                                     const GreedyOptions& options = {});

// Text in, text out: tokenizes and maps each sentence to ids (ending it with
// </s> when src_eos), decodes greedily, maps back and detokenizes. An empty
// sentence translates to an empty line.
struct TextCodec {
  const data::Tokenizer* tokenizer = nullptr;
  const data::Vocab* vocab = nullptr;
};
std::vector<std::string> greedy_translate(models::EncoderDecoder& model, TextCodec src, TextCodec tgt,
                                          std::span<const std::string> sentences, bool src_eos,
                                          const GreedyOptions& options = {});

}  // namespace s2s::search
