// What one training step of the bahdanau preset records on the tape: nodes,
// value bytes and saved bytes per op, and the tensor allocator's peak over
// forward + backward. A memory profile, not a timer (run_speed.py times).
//
//   ./build/bench/seq2seq_tape_bench --hidden 256 [--vocab 8000 ...]
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "s2s/autograd/ops.h"
#include "s2s/models/encoder_decoder.h"

namespace {

struct Stat {
  long count = 0;
  double value_mb = 0, saved_mb = 0;
};

double mb(const s2s::Tensor& t) { return t.defined() ? static_cast<double>(t.nbytes()) / (1 << 20) : 0.0; }

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> opt = {{"--vocab", "8000"}, {"--emb", "256"},   {"--hidden", "256"},
                                            {"--batch", "64"},   {"--src-len", "20"}, {"--tgt-len", "20"}};
  for (int k = 1; k + 1 < argc; k += 2) opt[argv[k]] = argv[k + 1];
  const std::int64_t V = std::stoll(opt["--vocab"]), B = std::stoll(opt["--batch"]);
  const std::int64_t S = std::stoll(opt["--src-len"]), T = std::stoll(opt["--tgt-len"]);
  s2s::models::ModelConfig config = s2s::models::config_from_pairs({
      {"src_vocab_size", opt["--vocab"]}, {"tgt_vocab_size", opt["--vocab"]}, {"embedding_size", opt["--emb"]},
      {"hidden_size", opt["--hidden"]},   {"cell", "gru"},                     {"attention", "bahdanau"},
      {"readout", "deep"},
  });
  s2s::Rng rng(1);
  auto model = s2s::models::build_model(config, rng);
  double param_mb = 0;
  for (auto* p : model->parameters()) param_mb += mb(p->value);
  s2s::models::TokenBatch src, tgt_in;
  src.ids = s2s::Tensor::empty({S, B}, s2s::DType::I32);
  for (std::int64_t k = 0; k < S * B; ++k) src.ids.i32()[k] = 3 + static_cast<std::int32_t>(rng.below(V - 3));
  src.lengths = s2s::Tensor::from_ids(std::vector<std::int32_t>(B, static_cast<std::int32_t>(S)), {B});
  tgt_in.ids = s2s::Tensor::empty({T, B}, s2s::DType::I32);
  s2s::Tensor tgt_out = s2s::Tensor::empty({T * B}, s2s::DType::I32);
  for (std::int64_t k = 0; k < T * B; ++k) {
    tgt_in.ids.i32()[k] = k < B ? s2s::models::kBos : 3 + static_cast<std::int32_t>(rng.below(V - 3));
    tgt_out.i32()[k] = 3 + static_cast<std::int32_t>(rng.below(V - 3));
  }
  tgt_in.lengths = s2s::Tensor::from_ids(std::vector<std::int32_t>(B, static_cast<std::int32_t>(T)), {B});

  s2s::Allocator& alloc = s2s::Allocator::for_device(s2s::kCPU);
  s2s::autograd::Graph g;
  s2s::models::ForwardOptions fwd{.training = true, .teacher_forcing = 1.0f, .rng = &rng};
  const double before = static_cast<double>(alloc.stats().bytes_in_use) / (1 << 20);
  s2s::autograd::Var logits = model->forward(g, src, tgt_in, fwd);
  s2s::autograd::Var loss = s2s::autograd::cross_entropy(logits, tgt_out, {.ignore_index = s2s::models::kPad});
  const double after_forward = static_cast<double>(alloc.stats().bytes_in_use) / (1 << 20);
  std::map<std::string, Stat> per_op;
  for (std::size_t k = 0; k < g.size(); ++k) {
    const s2s::autograd::Node& n = g.node(k);
    Stat& s = per_op[n.op ? n.op->name : (n.param ? "(parameter)" : "(input)")];
    ++s.count;
    if (!n.param) s.value_mb += mb(n.value);
    for (const auto& t : n.saved) s.saved_mb += mb(t);
  }
  g.backward(loss, {.release_values = true});
  const double peak = static_cast<double>(alloc.stats().peak_bytes_in_use) / (1 << 20);
  std::printf("parameters %.1f MB (their gradients as much again, from backward on); tensors in use before forward "
              "%.1f MB, after forward %.1f MB, peak %.1f MB; %zu nodes\n",
              param_mb, before, after_forward, peak, g.size());
  std::printf("%-32s %7s %10s %10s\n", "op", "nodes", "value MB", "saved MB");
  for (const auto& [name, s] : per_op)
    std::printf("%-32s %7ld %10.1f %10.1f\n", name.c_str(), s.count, s.value_mb, s.saved_mb);
  return 0;
}
