#pragma once
// A hand-set EncoderDecoder for search tests: a bigram model whose logits at
// every step are row `prev` of a V x V table (plus an optional per-sentence
// shift chosen by the source's first token), so the probability of any output
// is known exactly. Attention puts all weight on source position
// (prev mod source length): padding never receives any. It counts step calls
// and rows to check that search batches sentences and beams together.
#include <algorithm>
#include <cmath>
#include <vector>

#include "s2s/autograd/ops.h"
#include "s2s/models/encoder_decoder.h"

namespace s2s::testing {

class ToyState : public models::DecoderState {
 public:
  std::vector<std::int32_t> len, first, len2, first2;  // *2: scratch, so select never allocates
  std::int64_t width = 0;
  void select(const Tensor& idx) override {
    const auto n = static_cast<std::size_t>(idx.dim(0));
    len2.resize(n);
    first2.resize(n);
    for (std::size_t r = 0; r < n; ++r) {
      len2[r] = len.at(static_cast<std::size_t>(idx.i32()[r]));
      first2[r] = first.at(static_cast<std::size_t>(idx.i32()[r]));
    }
    std::swap(len, len2);
    std::swap(first, first2);
  }
  std::int64_t rows() const override { return static_cast<std::int64_t>(len.size()); }
};

class ToyModel : public models::EncoderDecoder {
 public:
  // table: V x V logits, row = previous token. shift (optional): V x V added
  // to the logits of sentences whose first source token is odd.
  ToyModel(std::int64_t vocab, std::vector<float> table, std::vector<float> shift = {}, bool attention = true)
      : table_(std::move(table)), shift_(std::move(shift)), attention_(attention) {
    config_.src_vocab_size = vocab;
    config_.tgt_vocab_size = vocab;
  }

  autograd::Var forward(autograd::Graph& g, const models::TokenBatch& src, const models::TokenBatch& tgt_in,
                        const models::ForwardOptions&) override {
    auto state = encode(g, src);
    const std::int64_t T = tgt_in.steps(), B = tgt_in.size(), V = config_.tgt_vocab_size;
    Tensor out = Tensor::empty({T * B, V});
    for (std::int64_t t = 0; t < T; ++t) {
      Tensor prev = Tensor::from_ids(std::vector<std::int32_t>(tgt_in.ids.i32() + t * B, tgt_in.ids.i32() + (t + 1) * B), {B});
      Tensor l = step(g, *state, prev).logits;
      std::copy_n(l.f32(), l.numel(), out.f32() + t * B * V);
    }
    return g.input(out);
  }

  std::unique_ptr<models::DecoderState> encode(autograd::Graph&, const models::TokenBatch& src) override {
    auto s = std::make_unique<ToyState>();
    s->width = src.steps();
    for (auto* v : {&s->len, &s->first, &s->len2, &s->first2}) v->reserve(4096);
    for (std::int64_t b = 0; b < src.size(); ++b) {
      s->len.push_back(src.lengths.i32()[b]);
      s->first.push_back(src.ids.i32()[b]);
    }
    return s;
  }

  models::StepOutput step(autograd::Graph& g, models::DecoderState& state, const Tensor& prev) override {
    auto& s = dynamic_cast<ToyState&>(state);
    const std::int64_t R = s.rows(), V = config_.tgt_vocab_size;
    ++steps_;
    max_rows_ = std::max(max_rows_, R);
    Tensor logits = Tensor::empty({R, V}), att = Tensor::zeros({R, s.width});
    for (std::int64_t r = 0; r < R; ++r) {
      const std::int32_t p = prev.i32()[r];
      for (std::int64_t v = 0; v < V; ++v) {
        float x = table_[static_cast<std::size_t>(p * V + v)];
        if (!shift_.empty() && s.first[static_cast<std::size_t>(r)] % 2 == 1) x += shift_[static_cast<std::size_t>(p * V + v)];
        logits.f32()[r * V + v] = x;
      }
      att.f32()[r * s.width + p % s.len[static_cast<std::size_t>(r)]] = 1.0f;
    }
    g.input(logits);  // recorded like a real model's output, dropped by the caller's clear()
    return {logits, attention_ ? att : Tensor()};
  }

  std::vector<autograd::Parameter*> parameters() override { return {}; }
  const models::ModelConfig& config() const override { return config_; }

  std::int64_t steps() const { return steps_; }
  std::int64_t max_rows() const { return max_rows_; }

 private:
  models::ModelConfig config_;
  std::vector<float> table_, shift_;
  bool attention_;
  std::int64_t steps_ = 0, max_rows_ = 0;
};

// A V x V table of log-probabilities: every row starts at -inf-like (-30) and
// gets the given {prev, next, probability} entries; the rest of each row's
// mass is spread evenly over tokens 3..V-1 that were not named.
struct Edge {
  std::int32_t prev, next;
  double p;
};
inline std::vector<float> bigram_table(std::int64_t V, const std::vector<Edge>& edges) {
  std::vector<float> t(static_cast<std::size_t>(V * V), -30.0f);
  for (std::int64_t p = 0; p < V; ++p) {
    double used = 0.0;
    std::vector<bool> named(static_cast<std::size_t>(V), false);
    for (const Edge& e : edges)
      if (e.prev == p) {
        t[static_cast<std::size_t>(p * V + e.next)] = static_cast<float>(std::log(e.p));
        used += e.p;
        named[static_cast<std::size_t>(e.next)] = true;
      }
    std::int64_t rest = 0;
    for (std::int64_t v = 3; v < V; ++v) rest += named[static_cast<std::size_t>(v)] ? 0 : 1;
    if (rest > 0 && used < 1.0)
      for (std::int64_t v = 3; v < V; ++v)
        if (!named[static_cast<std::size_t>(v)]) t[static_cast<std::size_t>(p * V + v)] = static_cast<float>(std::log((1.0 - used) / static_cast<double>(rest)));
  }
  return t;
}

}  // namespace s2s::testing
