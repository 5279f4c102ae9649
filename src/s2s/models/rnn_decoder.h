#pragma once
// The RNN decoder: one target position per advance().
//
//   e_t  = relu?(dropout(embed(y_{t-1})))
//   Bahdanau (attention before the cell, on the previous top state):
//        c_t = attend(s_{t-1});  s_t = RNN([e_t; c_t if input_feed], s_{t-1})
//   Luong dot / general / local-p (attention after the cell, on the new top state):
//        s_t = RNN([e_t; f_{t-1} if input_feed], s_{t-1});  c_t = attend(s_t)
//        f_t = o_t (readout tanh: the attentional vector) or c_t (other readouts); f_0 = 0
//   readout o_t:  state: s_t;  deep: [s_t; c_t; e_t];  tanh: tanh(W_r [s_t; c_t; e_t] + b_r)
//                 (c_t left out without attention)
//   logits = W_o dropout(o_t) + b_o   (W_o may be the target embedding: tied)
// Copy attention (pointer-generator, See et al. 2017):
//   p_gen = sigmoid(w_g [s_t; c_t; e_t] + b_g)
//   P(w)  = p_gen softmax(logits)(w) + (1 - p_gen) sum_{i : source token i is w} a_t(i)
//   over the target vocabulary extended by the sentence's source-only tokens
//   (autograd::copy_mixture); an extended id fed back is read as <unk>.
// Coverage (See et al. 2017; Bahdanau attention only): c_t = sum_{t' < t} a_t'
//   (c_1 = 0) enters the scores, e_ti = v . tanh(W s_{t-1} + U h_i + b + w_c c_ti);
//   the loop carries it from step to step, and the coverage loss reads it.
//
// The layer-0 input projection [e; f] W_ih^T is split by columns in training,
// so the e part for all positions is one gemm before the time loop.
// Parameters: decoder.embedding.weight, decoder.attention.*, decoder.rnn.*,
// decoder.readout.weight/bias (tanh), decoder.output.weight/bias,
// decoder.copy_gate.weight/bias (copy attention), decoder.attention.coverage.weight
// (coverage; drawn last, after the copy gate).
#include <memory>

#include "s2s/models/model_config.h"
#include "s2s/nn/attention.h"
#include "s2s/nn/copy_generator.h"
#include "s2s/nn/dropout.h"
#include "s2s/nn/embedding.h"
#include "s2s/nn/linear.h"
#include "s2s/nn/recurrent.h"

namespace s2s::models {

class RnnDecoder : public nn::Module {
 public:
  RnnDecoder(const ModelConfig& config, Rng& rng);

  struct Loop {
    nn::Recurrent::State rnn;
    autograd::Var feed;  // Luong input feed f_{t-1}; undefined when unused
    autograd::Var coverage;  // c_t [B, S], the sum of the earlier steps' weights; undefined without coverage
  };
  struct Weights {
    nn::Recurrent::Bound rnn;
    autograd::Var w_emb;   // columns of weight_ih_l0 that read e_t
    autograd::Var w_feed;  // columns that read the fed vector (when feeding)
  };
  struct StepResult {
    autograd::Var readout;  // o_t [B, R]
    autograd::Var weights;  // attention [B, S], undefined without attention
    autograd::Var gate;     // copy attention: the switch before its sigmoid [B, 1]; else undefined
    autograd::Var coverage; // coverage: c_t, what the step's scores read [B, S] (the loss's min(a_t, c_t)); else undefined
  };

  // split: also slice weight_ih_l0 into its e / feed column blocks.
  Weights bind(autograd::Graph& g, bool split) const;
  void bind(autograd::Graph& g, bool split, Weights& out) const;  // reuses out's storage
  // Ids past the target vocabulary (copy attention's extended ids) read as <unk>.
  autograd::Var embed(autograd::Graph& g, const Tensor& ids, bool training, Rng* rng) const;
  // e W_emb^T + b_ih for e [..., E] (needs bind(split = true)).
  autograd::Var project_embedding(const Weights& w, autograd::Var emb) const;
  // source_steps: the width S of the attention memory (the coverage vector's).
  Loop initial_loop(autograd::Graph& g, nn::Recurrent::State state, std::int64_t batch, std::int64_t source_steps) const;

  // One position. emb_proj: e_t's projection, or undefined (then [e_t; f] is
  // projected with the whole weight_ih_l0: the inference path). readout_out
  // (optional, [B, R]): where a concatenated readout is written, e.g. rows of
  // the buffer that holds all positions' readouts for one vocabulary gemm.
  StepResult advance(autograd::Graph& g, const Weights& w, autograd::Var emb, autograd::Var emb_proj, Loop& loop,
                     const nn::AttentionMemory* memory, bool training, Rng* rng, Tensor readout_out = {}) const;

  // The whole target at once through the fused sequence ops; only without
  // attention (nothing feeds back). emb [T, B, E] -> readout [T, B, R].
  autograd::Var run_sequence(autograd::Graph& g, autograd::Var emb, const Loop& initial, bool training,
                             Rng* rng) const;

  std::int64_t readout_size() const { return rnn_readout_size(config_); }
  // logits [..., V] from readout [..., R].
  autograd::Var logits(autograd::Graph& g, autograd::Var readout, bool training, Rng* rng) const;

  const nn::Attention* attention() const { return attention_.get(); }
  const nn::CopyGenerator* copy_generator() const { return copy_.get(); }
  bool has_coverage() const { return attention_ && attention_->has_coverage(); }
  nn::Embedding& embedding() { return embedding_; }
  bool feeds() const { return feed_size_ > 0; }
  std::int64_t feed_size() const { return feed_size_; }

 private:
  autograd::Var readout(autograd::Graph& g, autograd::Var state, autograd::Var context, autograd::Var emb,
                        Tensor out = {}) const;

  ModelConfig config_;
  bool attention_first_;      // Bahdanau
  std::int64_t feed_size_;    // width of the fed vector (0: no input feeding)
  nn::Embedding embedding_;
  std::unique_ptr<nn::Attention> attention_;
  nn::Recurrent rnn_;
  std::unique_ptr<nn::Linear> readout_;
  std::unique_ptr<nn::Linear> output_;
  std::unique_ptr<nn::CopyGenerator> copy_;
  nn::Dropout dropout_;
};

}  // namespace s2s::models
