#pragma once
// The token table of the Transformer and ConvS2S embeddings: N(0, stddev^2),
// the padding row zero (as fairseq initialises both).
#include <memory>
#include <string>

#include "s2s/nn/embedding.h"

namespace s2s::models {

std::unique_ptr<nn::Embedding> normal_token_table(std::string name, std::int64_t vocab, std::int64_t dim, float stddev,
                                                  Rng& rng);

}  // namespace s2s::models
