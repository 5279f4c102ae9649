#pragma once
// Greedy decoding through the model's encode + step interface: at every
// position each row takes its highest-scoring token, until EOS or the length
// limit. The simplest search strategy; beam search replaces it for quality.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "s2s/data/tokenizer.h"
#include "s2s/data/vocab.h"
#include "s2s/models/encoder_decoder.h"

namespace s2s::search {

struct GreedyOptions {
  // Per row: at most max_length_ratio * source length + max_length_extra
  // target tokens (EOS not counted).
  float max_length_ratio = 2.0f;
  std::int64_t max_length_extra = 10;
};

// Token ids of each row's output, without BOS and EOS.
std::vector<std::vector<std::int32_t>> greedy_decode(models::EncoderDecoder& model, const models::TokenBatch& src,
                                                     const GreedyOptions& options = {});

// Text in, text out: tokenizes and maps each sentence to ids (ending it with
// </s> when src_eos), decodes the batch greedily, maps back and detokenizes.
struct TextCodec {
  const data::Tokenizer* tokenizer = nullptr;
  const data::Vocab* vocab = nullptr;
};
std::vector<std::string> greedy_translate(models::EncoderDecoder& model, TextCodec src, TextCodec tgt,
                                          std::span<const std::string> sentences, bool src_eos,
                                          const GreedyOptions& options = {});

}  // namespace s2s::search
