#pragma once
// Embedding table [vocab, dim], initialised N(0, 1) as torch.nn.Embedding,
// with the padding row zero and never updated (padding_idx semantics).
#include "s2s/autograd/graph.h"
#include "s2s/nn/module.h"

namespace s2s::nn {

class Embedding : public Module {
 public:
  // padding_idx < 0: no padding row.
  Embedding(std::string name, std::int64_t vocab, std::int64_t dim, std::int32_t padding_idx, Rng& rng);

  // ids I32 of any shape -> [ids..., dim]
  autograd::Var forward(autograd::Graph& g, const Tensor& ids) const;

  std::int64_t vocab_size() const { return weight_->value.dim(0); }
  std::int64_t dim() const { return weight_->value.dim(1); }
  std::int32_t padding_idx() const { return padding_idx_; }
  autograd::Parameter& weight() const { return *weight_; }
  // Frozen tables get no gradient (pretrained vectors kept as they are).
  void set_frozen(bool frozen) { weight_->trainable = !frozen; }

 private:
  autograd::Parameter* weight_ = nullptr;
  std::int32_t padding_idx_;
};

}  // namespace s2s::nn
