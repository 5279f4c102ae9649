// The real model's training step, for each family (the RNN as in the
// bahdanau preset: biGRU encoder, additive attention, input feeding, deep
// readout; a 2+2-layer Transformer with dropout everywhere; cross-entropy
// with label smoothing, clipping, Adam) performs no heap allocation after
// its first steps: neither through the tensor allocator (its system_allocs
// hook) nor through global operator new (counted by
// tests/support/heap_counter.h), but for one known gap of the Transformer.
#include <gtest/gtest.h>

#include "support/heap_counter.h"

#include "s2s/autograd/ops.h"
#include "s2s/core/allocator.h"
#include "s2s/core/parallel.h"
#include "s2s/models/encoder_decoder.h"
#include "s2s/models/model_config.h"
#include "s2s/train/adam.h"
#include "s2s/train/clip_grad.h"

namespace s2s::testing {
namespace {


models::ConfigPairs config_of(const std::string& family) {
  models::ConfigPairs shared = {{"src_vocab_size", "23"}, {"tgt_vocab_size", "29"}, {"embedding_size", "16"}};
  models::ConfigPairs own;
  if (family == "rnn")
    own = {{"hidden_size", "24"}, {"cell", "gru"}, {"attention", "bahdanau"}, {"readout", "deep"}};
  else if (family == "convs2s")
    own = {{"type", "convs2s"}, {"dropout", "0.1"}, {"convs2s.channels", "24"}, {"convs2s.layers", "2"}};
  else
    own = {{"type", "transformer"},          {"dropout", "0.1"},
           {"transformer.d_model", "16"},    {"transformer.heads", "4"},
           {"transformer.ffn_size", "32"},   {"transformer.layers", "2"},
           {"transformer.attention_dropout", "0.1"}, {"transformer.ffn_dropout", "0.1"}};
  shared.insert(shared.end(), own.begin(), own.end());
  return shared;
}

class ModelSteadyState : public ::testing::TestWithParam<std::string> {};

TEST_P(ModelSteadyState, TrainingStepAllocatesNothingAfterTheFirst) {
  models::ModelConfig config = models::config_from_pairs(config_of(GetParam()));
  Rng rng(5);
  auto model = models::build_model(config, rng);
  std::vector<autograd::Parameter*> params = model->parameters();
  train::Adam adam(params, {.lr = 1e-3});
  // Two batches of different source lengths (padding included), cycled.
  const std::int64_t B = 3, T = 4;
  models::TokenBatch src[2], tgt_in;
  Tensor tgt_out = Tensor::empty(Shape{T * B}, DType::I32);
  for (int k = 0; k < 2; ++k) {
    const std::int64_t S = 5 + k;
    src[k].ids = Tensor::zeros(Shape{S, B}, DType::I32);
    src[k].lengths = Tensor::from_ids({static_cast<std::int32_t>(S), 2, static_cast<std::int32_t>(S - 1)}, Shape{B});
    for (std::int64_t b = 0; b < B; ++b)
      for (std::int64_t s = 0; s < src[k].lengths.i32()[b]; ++s)
        src[k].ids.i32()[s * B + b] = 4 + static_cast<std::int32_t>(rng.below(19));
  }
  tgt_in.ids = Tensor::empty(Shape{T, B}, DType::I32);
  tgt_in.lengths = Tensor::from_ids({4, 4, 4}, Shape{B});
  for (std::int64_t k = 0; k < T * B; ++k) {
    tgt_in.ids.i32()[k] = k < B ? models::kBos : 4 + static_cast<std::int32_t>(rng.below(25));
    tgt_out.i32()[k] = 4 + static_cast<std::int32_t>(rng.below(25));
  }
  autograd::Graph g;
  models::ForwardOptions fwd{.training = true, .teacher_forcing = 1.0f, .rng = &rng};
  auto step = [&](int k) {
    autograd::Var logits = model->forward(g, src[k % 2], tgt_in, fwd);
    autograd::Var loss =
        autograd::cross_entropy(logits, tgt_out, {.ignore_index = models::kPad, .label_smoothing = 0.1f});
    g.backward(loss);
    train::clip_grad_norm(params, 1.0);
    adam.step();
    adam.zero_grad();
    g.clear();
  };
  for (int threads : {1, 2}) {
    set_num_threads(threads);
    for (int k = 0; k < 4; ++k) step(k);
    auto tensor_allocs = Allocator::for_device(kCPU).stats().system_allocs;
    long news = heap_allocations.load();
    const int steps = 6;
    for (int k = 0; k < steps; ++k) step(k);
    EXPECT_EQ(Allocator::for_device(kCPU).stats().system_allocs, tensor_allocs) << threads << " threads";
    EXPECT_EQ(heap_allocations.load(), news) << threads << " threads";
  }
  set_num_threads(1);
}

INSTANTIATE_TEST_SUITE_P(Families, ModelSteadyState, ::testing::Values("rnn", "transformer", "convs2s"),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace s2s::testing
