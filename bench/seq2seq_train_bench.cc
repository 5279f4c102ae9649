// s2s side of the speed comparison with ../shared/bench/peer_torch_seq2seq.py:
// the same model (bahdanau preset: bidirectional GRU encoder, additive
// attention, input feeding, deep readout), the same synthetic data (uniform
// random ids in [3, V), source --src-len tokens, target --tgt-len - 1 tokens +
// EOS, 4 batches cycled), Adam and clipping at 1.0, 3 warm-up steps then
// --steps timed steps. Prints one JSON object like the peer.
// With --type transformer (seq2seq_shape.h) it is the model of
// bench/peer_torch_transformer.py; --label-smoothing X smooths the loss as
// PyTorch's CrossEntropyLoss(label_smoothing=X); --recompute-layers 1 trains
// with activation checkpointing (train.recompute_layers).
//
//   ./build/bench/seq2seq_train_bench --threads 1 --hidden 256
//   ./build/bench/seq2seq_train_bench --type transformer --emb 512 --src-len 25 --tgt-len 25
//       --model.transformer.layers 6 --model.dropout 0.1 --label-smoothing 0.1   (one line)
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "bench_meter.h"
#include "seq2seq_shape.h"
#include "s2s/autograd/ops.h"
#include "s2s/core/parallel.h"
#include "s2s/models/encoder_decoder.h"
#include "s2s/train/adam.h"
#include "s2s/train/clip_grad.h"

namespace {

struct Options : s2s::bench::ModelShape {
  std::int64_t batch = 64;
  int steps = 10, warmup = 3;
  float label_smoothing = 0.0f;
  bool recompute = false;  // --recompute-layers: activation checkpointing (train.recompute_layers)
};

Options parse(int argc, char** argv) {
  Options o;
  s2s::bench::parse_shape_args("seq2seq_train_bench", argc, argv, o, [&](const std::string& key, const char* v) {
    if (key == "--batch") o.batch = std::stoll(v);
    else if (key == "--steps") o.steps = std::stoi(v);
    else if (key == "--warmup") o.warmup = std::stoi(v);
    else if (key == "--label-smoothing") o.label_smoothing = std::stof(v);
    else if (key == "--recompute-layers") o.recompute = std::string(v) == "1" || std::string(v) == "true";
    else return false;
    return true;
  });
  return o;
}

struct SyntheticBatch {
  s2s::models::TokenBatch src, tgt_in;
  s2s::Tensor tgt_out;  // I32 [T * B], (t, b) row-major like the logits
};

SyntheticBatch make_batch(const Options& o, s2s::Rng& rng) {
  using s2s::Tensor;
  SyntheticBatch b;
  std::int64_t s = o.src_len, t = o.tgt_len, n = o.batch;
  b.src.ids = Tensor::empty({s, n}, s2s::DType::I32);
  for (std::int64_t k = 0; k < s * n; ++k) b.src.ids.i32()[k] = 3 + static_cast<std::int32_t>(rng.below(o.src_vocab - 3));
  b.src.lengths = Tensor::from_ids(std::vector<std::int32_t>(n, static_cast<std::int32_t>(s)), {n});
  b.tgt_in.ids = Tensor::empty({t, n}, s2s::DType::I32);
  b.tgt_out = Tensor::empty({t * n}, s2s::DType::I32);
  for (std::int64_t j = 0; j < n; ++j) {
    std::int32_t prev = s2s::models::kBos;
    for (std::int64_t i = 0; i < t; ++i) {
      std::int32_t y = i + 1 < t ? 3 + static_cast<std::int32_t>(rng.below(o.tgt_vocab - 3)) : s2s::models::kEos;
      b.tgt_in.ids.i32()[i * n + j] = prev;
      b.tgt_out.i32()[i * n + j] = y;
      prev = y;
    }
  }
  b.tgt_in.lengths = Tensor::from_ids(std::vector<std::int32_t>(n, static_cast<std::int32_t>(t)), {n});
  return b;
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse(argc, argv);
  s2s::set_num_threads(o.threads);
  s2s::models::ModelConfig config = o.model_config();
  s2s::Rng rng(1);
  auto model = s2s::models::build_model(config, rng);
  std::vector<s2s::autograd::Parameter*> params = model->parameters();
  std::int64_t n_params = 0;
  for (auto* p : params) n_params += p->value.numel();
  s2s::train::Adam adam(params, {.lr = 1e-3});
  std::vector<SyntheticBatch> batches;
  for (int k = 0; k < 4; ++k) batches.push_back(make_batch(o, rng));

  s2s::autograd::Graph g;
  s2s::models::ForwardOptions fwd{.training = true, .teacher_forcing = 1.0f, .rng = &rng, .recompute_layers = o.recompute};
  float loss_value = 0;
  auto step = [&](int k) {
    const SyntheticBatch& b = batches[static_cast<std::size_t>(k) % batches.size()];
    s2s::autograd::Var logits = model->forward(g, b.src, b.tgt_in, fwd);
    s2s::autograd::Var loss = s2s::autograd::cross_entropy(logits, b.tgt_out, {.ignore_index = s2s::models::kPad, .label_smoothing = o.label_smoothing});
    loss_value = loss.value().f32()[0];
    g.backward(loss, {.release_values = true});
    s2s::train::clip_grad_norm(params, 1.0);
    adam.step();
    adam.zero_grad();
    g.clear();
  };
  for (int k = 0; k < o.warmup; ++k) step(k);
  std::vector<double> step_ms;
  s2s::bench::Meter meter;
  for (int k = 0; k < o.steps; ++k) {
    double t = s2s::bench::now_seconds();
    step(o.warmup + k);
    step_ms.push_back(1000.0 * (s2s::bench::now_seconds() - t));
  }
  double seconds = meter.wall(), other = meter.other_cores();
  double tokens = static_cast<double>(o.steps) * o.batch * o.tgt_len;
  s2s::AllocatorStats alloc = s2s::Allocator::for_device(s2s::kCPU).stats();
  std::printf(
      "{\"impl\": \"s2s\", \"type\": \"%s\", \"threads\": %d, \"hidden\": %lld, \"emb\": %lld, \"src_vocab\": %lld, \"tgt_vocab\": %lld, "
      "\"batch\": %lld, \"src_len\": %lld, \"tgt_len\": %lld, \"params\": %lld, \"steps\": %d, "
      "\"train_tok_per_s\": %.1f, \"ms_per_step\": %.2f, \"ms_per_step_median\": %.2f, \"other_cores\": %.3f, "
      "\"final_loss\": %.4f, \"peak_rss_mb\": %.1f, \"tensor_peak_mb\": %.1f, \"tensor_cached_mb\": %.1f}\n",
      o.type.c_str(), o.threads, static_cast<long long>(o.hidden), static_cast<long long>(o.emb), static_cast<long long>(o.src_vocab),
      static_cast<long long>(o.tgt_vocab), static_cast<long long>(o.batch), static_cast<long long>(o.src_len),
      static_cast<long long>(o.tgt_len), static_cast<long long>(n_params), o.steps, tokens / seconds,
      1000.0 * seconds / o.steps, s2s::bench::median(step_ms), other, loss_value, s2s::bench::peak_rss_mb(),
      static_cast<double>(alloc.peak_bytes_in_use) / (1 << 20),
      static_cast<double>(alloc.bytes_in_use + alloc.bytes_cached) / (1 << 20));
  return 0;
}
