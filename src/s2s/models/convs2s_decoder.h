#pragma once
// ConvS2S's decoder (Gehring et al. 2017, 3.2-3.3; fairseq's FConvDecoder):
// target embedding g + learned positions (dropout), a projection to the
// channels, then per layer dropout, a causal convolution (the current and the
// kernel_size - 1 earlier positions, zeros before the start) to 2 channels, a
// GLU giving h, and an attention of its own:
//   d = (W_in h + b_in + g) sqrt(1/2),  a = softmax over the real source
//   positions of d . z,  c = sum a (z + e) sqrt(1/2) times sqrt(m) (m the
//   source length: the paper's m sqrt(1/m)),  h' = (W_out c + b_out + h) sqrt(1/2),
// then the residual (h' + x) sqrt(1/2). A projection back to the embedding
// size (dropout) and the output layer give the logits (the output weight is
// the target embedding with tie_target_embeddings / share_embeddings).
//
// Decoding: each step runs the new position only. A layer's convolution
// reads its last kernel_size - 1 inputs from the state (Step::windows) and
// leaves the newest there; the weight-normalised weights come from the state
// too, computed once per batch (weights()).
// Names: decoder.{embedding,positions}.weight, decoder.{fc1,convs.N,
// attention.N.in_projection,attention.N.out_projection,fc2,output}.{weight_v,weight_g,bias}
// (decoder.output.bias only, when tied).
#include <memory>
#include <vector>

#include "s2s/models/convs2s_embedding.h"
#include "s2s/nn/linear.h"
#include "s2s/nn/weight_norm_linear.h"

namespace s2s::models {

class ConvS2SDecoder : public nn::Module {
 public:
  // shared_embedding: the encoder's table (share_embeddings), else nullptr.
  ConvS2SDecoder(const ModelConfig& config, nn::Embedding* shared_embedding, Rng& rng);

  // The encoder's output as every layer's attention reads it.
  struct Memory {
    autograd::Var keys, values;  // [S, M, E]
    Tensor lengths;              // I32 [M]
    Tensor rows;                 // decoding: I32 [B] memory row of each row; undefined: row b
  };
  // Decoding: what a step reads from and leaves in the decoder state.
  struct Step {
    std::vector<Tensor>* windows = nullptr;        // per layer [kernel - 1, B, C]; replaced by this step's
    const std::vector<Tensor>* weights = nullptr;  // weights()
    std::int64_t offset = 0;                       // position of the input
    Tensor alignment;                              // out: the layers' attention averaged [B, 1, S]
  };

  // ids [T, B] -> logits [T B, V] rows (t, b). step nullptr: whole target
  // sequences (teacher forcing); else one position (T = 1).
  autograd::Var forward(autograd::Graph& g, const Tensor& ids, const Memory& memory, Step* step, bool training,
                        Rng* rng) const;

  // The value of every weight-normalised weight, for Step::weights (grad disabled).
  std::vector<Tensor> weights(autograd::Graph& g) const;

  std::int64_t layers() const { return static_cast<std::int64_t>(layers_.size()); }
  std::int64_t kernel() const { return kernel_; }
  std::int64_t channels() const { return channels_; }
  nn::Embedding& embedding() const { return embedding_.table(); }

 private:
  struct Layer {
    std::unique_ptr<nn::WeightNormLinear> conv, in_projection, out_projection;
  };

  ConvS2SEmbedding embedding_;
  nn::WeightNormLinear fc1_;
  std::vector<Layer> layers_;
  nn::WeightNormLinear fc2_;
  std::unique_ptr<nn::WeightNormLinear> output_;  // untied
  std::unique_ptr<nn::Linear> tied_output_;       // the target embedding as the output weight
  std::vector<const nn::WeightNormLinear*> normed_;  // weights()'s order: fc1, per layer conv, in, out; fc2, output
  std::int64_t kernel_, channels_;
  nn::Dropout dropout_;
};

}  // namespace s2s::models
