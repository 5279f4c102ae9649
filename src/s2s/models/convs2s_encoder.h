#pragma once
// ConvS2S's encoder (Gehring et al. 2017, 3.1-3.2; fairseq's FConvEncoder):
// embedding + learned positions (dropout), a projection to the channels, then
// per block dropout, a convolution over a centred window of kernel_size
// positions to 2 channels, a GLU, and the residual, (x + residual) sqrt(1/2);
// a projection back to the embedding size gives z. The attention reads z as
// keys and (z + e) sqrt(1/2), e the input embedding, as values. Padding is
// zeroed before every convolution (as fairseq does), so a sentence's outputs
// do not depend on the padding after it.
// Names: encoder.{embedding,positions}.weight, encoder.{fc1,convs.N,fc2}.{weight_v,weight_g,bias}.
#include <memory>
#include <vector>

#include "s2s/models/batch.h"
#include "s2s/models/convs2s_embedding.h"
#include "s2s/nn/weight_norm_linear.h"

namespace s2s::models {

// F32 [steps, B, 1]: 1 at the positions after each sequence's end.
Tensor padding_positions(const Tensor& lengths, std::int64_t steps);

class ConvS2SEncoder : public nn::Module {
 public:
  ConvS2SEncoder(const ModelConfig& config, Rng& rng);

  struct Output {
    autograd::Var keys;    // z [S, B, E]
    autograd::Var values;  // (z + e) sqrt(1/2) [S, B, E]
  };
  Output forward(autograd::Graph& g, const TokenBatch& src, bool training, Rng* rng) const;

  nn::Embedding& embedding() const { return embedding_.table(); }

 private:
  ConvS2SEmbedding embedding_;
  nn::WeightNormLinear fc1_;
  std::vector<std::unique_ptr<nn::WeightNormLinear>> convs_;
  nn::WeightNormLinear fc2_;
  std::int64_t kernel_;
  nn::Dropout dropout_;
};

}  // namespace s2s::models
