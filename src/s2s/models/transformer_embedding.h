#pragma once
// The Transformer's input: token embedding scaled by sqrt(d_model) plus
// absolute positions (sinusoidal, Vaswani et al. 2017, or learned), then
// residual dropout. Time-major: ids [T, B] -> [T, B, D].
// Names: <prefix>.embedding.weight, <prefix>.positions.weight (learned).
// Tables are initialised N(0, 1/d_model) (fairseq), so that the scaled
// embeddings start near unit variance.
#include <memory>

#include "s2s/autograd/graph.h"
#include "s2s/models/model_config.h"
#include "s2s/nn/dropout.h"
#include "s2s/nn/embedding.h"

namespace s2s::models {

class TransformerEmbedding : public nn::Module {
 public:
  // shared: another side's token table to use instead of an own one (share_embeddings).
  TransformerEmbedding(std::string prefix, std::int64_t vocab, const ModelConfig& config, nn::Embedding* shared,
                       Rng& rng);

  // ids I32 [T, B] at positions offset..offset+T-1 -> [T, B, D]
  autograd::Var forward(autograd::Graph& g, const Tensor& ids, std::int64_t offset, bool training, Rng* rng) const;

  nn::Embedding& table() const { return *table_; }

 private:
  std::unique_ptr<nn::Embedding> own_;
  nn::Embedding* table_;
  std::unique_ptr<nn::Embedding> positions_;  // learned positions only
  std::int64_t d_model_;
  nn::Dropout dropout_;
};

}  // namespace s2s::models
