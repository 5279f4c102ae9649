#pragma once
// ConvS2S's input: token embedding plus a learned embedding of the absolute
// position (Gehring et al. 2017, 3.1), then dropout. Time-major: ids [T, B]
// -> [T, B, E]. Names: <prefix>.embedding.weight, <prefix>.positions.weight.
// Both tables N(0, 0.1^2) as fairseq's, the padding row of the tokens zero.
// Positions count from 0 (fairseq's from padding_idx + 1, its padding
// positions getting a zero row: here those are masked downstream instead).
#include <memory>

#include "s2s/autograd/graph.h"
#include "s2s/models/model_config.h"
#include "s2s/nn/dropout.h"
#include "s2s/nn/embedding.h"

namespace s2s::models {

class ConvS2SEmbedding : public nn::Module {
 public:
  // shared: another side's token table to use instead of an own one (share_embeddings).
  ConvS2SEmbedding(std::string prefix, std::int64_t vocab, std::int64_t dim, const ModelConfig& config,
                   nn::Embedding* shared, Rng& rng);

  // ids I32 [T, B] at positions offset..offset+T-1 -> [T, B, E]
  autograd::Var forward(autograd::Graph& g, const Tensor& ids, std::int64_t offset, bool training, Rng* rng) const;

  nn::Embedding& table() const { return *table_; }

 private:
  std::unique_ptr<nn::Embedding> own_;
  nn::Embedding* table_;
  nn::Embedding positions_;
  nn::Dropout dropout_;
};

}  // namespace s2s::models
