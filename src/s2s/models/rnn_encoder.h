#pragma once
// The RNN encoder: embedding (padding row 0), dropout, then stacked
// (bi)directional recurrent layers over the packed source.
// Parameters: encoder.embedding.weight, encoder.rnn.weight_ih_l0[_reverse], ...
#include "s2s/models/batch.h"
#include "s2s/models/model_config.h"
#include "s2s/nn/dropout.h"
#include "s2s/nn/embedding.h"
#include "s2s/nn/recurrent.h"

namespace s2s::models {

nn::CellType cell_type(CellKind kind);

class RnnEncoder : public nn::Module {
 public:
  RnnEncoder(const ModelConfig& config, Rng& rng);

  // output [S, B, memory_size] (zeros past each length) and final states.
  nn::Recurrent::Output forward(autograd::Graph& g, const TokenBatch& src, bool training, Rng* rng) const;

  nn::Embedding& embedding() { return embedding_; }
  const nn::Recurrent& rnn() const { return rnn_; }

 private:
  nn::Embedding embedding_;
  nn::Recurrent rnn_;
  nn::Dropout dropout_;
};

}  // namespace s2s::models
