#pragma once
// A small attention-free seq2seq training step built from engine ops only:
// embedding -> bidirectional GRU encoder -> GRU decoder initialised from the
// encoder -> vocabulary projection for all steps at once -> fused
// cross-entropy with padding and label smoothing, dropout, Adam, clipping.
// Used by the steady-state allocation and the determinism tests.
#include <memory>
#include <vector>

#include "s2s/autograd/ops.h"
#include "s2s/train/adam.h"
#include "s2s/train/clip_grad.h"
#include "support/random.h"

namespace s2s::testing {

class EngineStep {
 public:
  static constexpr std::int64_t V = 37, E = 12, H = 10, T = 7, B = 5;

  explicit EngineStep(std::uint64_t seed) : rng_(seed), dropout_rng_(seed + 1) {
    auto make = [&](const char* name, Shape s, float r) {
      params_.push_back(std::make_unique<autograd::Parameter>(name, random_tensor(rng_, s, -r, r)));
      return params_.back().get();
    };
    emb_ = make("emb", {V, E}, 0.5f);
    for (int d = 0; d < 3; ++d) {  // encoder fwd, encoder bwd, decoder
      rnn_[d][0] = make("w_ih", {3 * H, E}, 0.3f);
      rnn_[d][1] = make("w_hh", {3 * H, H}, 0.3f);
      rnn_[d][2] = make("b_ih", {3 * H}, 0.1f);
      rnn_[d][3] = make("b_hh", {3 * H}, 0.1f);
    }
    bridge_ = make("bridge", {2 * H, H}, 0.3f);
    out_ = make("out", {H, V}, 0.3f);
    for (std::size_t k = 0; k < params_.size(); ++k) params_[k]->name.append(".").append(std::to_string(k));
    std::vector<autograd::Parameter*> ps;
    for (auto& p : params_) ps.push_back(p.get());
    adam_ = std::make_unique<train::Adam>(ps, train::AdamOptions{.lr = 1e-2});
    src_ = random_ids(rng_, {T, B}, static_cast<std::int32_t>(V));
    tgt_ = random_ids(rng_, {T * B}, static_cast<std::int32_t>(V));
    for (std::int64_t k = T * B - 3; k < T * B; ++k) tgt_.i32()[k] = 0;  // padding
    lengths_ = Tensor::from_ids({7, 3, 1, 7, 5}, {B});
  }

  // One full training step; returns the loss.
  float run() {
    using namespace autograd;
    Graph& g = graph_;
    Var x = dropout(embedding(g.param(*emb_), src_), 0.1f, dropout_rng_);
    Var h0 = g.input(Tensor::zeros({B, H}));
    auto enc = [&](int d, bool rev) {
      return gru_sequence(x, h0, g.param(*rnn_[d][0]), g.param(*rnn_[d][1]), g.param(*rnn_[d][2]), g.param(*rnn_[d][3]),
                          lengths_, rev);
    };
    SequenceOutput fwd = enc(0, false), bwd = enc(1, true);
    Var init = tanh(matmul(concat({fwd.h, bwd.h}, 1), g.param(*bridge_)));
    SequenceOutput dec = gru_sequence(x, init, g.param(*rnn_[2][0]), g.param(*rnn_[2][1]), g.param(*rnn_[2][2]),
                                      g.param(*rnn_[2][3]), lengths_, false);
    Var logits = matmul(reshape(dec.output, {T * B, H}), g.param(*out_));
    Var loss = cross_entropy(logits, tgt_, {.ignore_index = 0, .label_smoothing = 0.1f});
    float value = loss.value().f32()[0];
    g.backward(loss);
    train::clip_grad_norm(adam_->params(), 1.0);
    adam_->step();
    adam_->zero_grad();
    g.clear();
    return value;
  }

  std::vector<float> weights() const {
    std::vector<float> all;
    for (auto& p : params_) {
      auto v = p->value.to_vector();
      all.insert(all.end(), v.begin(), v.end());
    }
    return all;
  }

 private:
  Rng rng_, dropout_rng_;
  std::vector<std::unique_ptr<autograd::Parameter>> params_;
  autograd::Parameter* emb_;
  autograd::Parameter* rnn_[3][4];
  autograd::Parameter* bridge_;
  autograd::Parameter* out_;
  std::unique_ptr<train::Adam> adam_;
  Tensor src_, tgt_, lengths_;
  autograd::Graph graph_;
};

}  // namespace s2s::testing
