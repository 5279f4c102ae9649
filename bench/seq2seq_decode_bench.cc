// s2s side of the decoding comparison with ../shared/bench/peer_torch_seq2seq.py:
// the bahdanau preset (same shapes as seq2seq_train_bench), random source
// sentences of --src-len tokens, batched (--decode-batch, default 64) and
// batch-1 greedy and beam-5 search through s2s::search::decode. As in the
// peer (--decode-stop-eos off), every hypothesis runs exactly --tgt-len
// steps: min_length = max_length = tgt_len - 1 tokens, then the </s> the
// length limit forces, so the work does not depend on the (untrained)
// weights. The first batch of each kind is decoded once untimed (warm-up).
// Prints one JSON object like the peer's "decode" section. With --type
// transformer (seq2seq_shape.h) it decodes the model of
// bench/peer_torch_transformer.py (incremental: one new position per step).
//
//   ./build/bench/seq2seq_decode_bench --threads 1 --hidden 256
#include <cstdio>
#include <string>
#include <vector>

#include "bench_meter.h"
#include "seq2seq_shape.h"
#include "s2s/core/parallel.h"
#include "s2s/models/encoder_decoder.h"
#include "s2s/search/search.h"

namespace {

struct Options : s2s::bench::ModelShape {
  std::int64_t decode_sents = 128, decode_sents_b1 = 8, decode_batch = 64, beam = 5;
};

Options parse(int argc, char** argv) {
  Options o;
  s2s::bench::parse_shape_args("seq2seq_decode_bench", argc, argv, o, [&](const std::string& key, const char* v) {
    if (key == "--decode-sents") o.decode_sents = std::stoll(v);
    else if (key == "--decode-sents-b1") o.decode_sents_b1 = std::stoll(v);
    else if (key == "--decode-batch") o.decode_batch = std::stoll(v);
    else if (key == "--beam") o.beam = std::stoll(v);
    else return false;
    return true;
  });
  return o;
}

s2s::models::TokenBatch random_batch(const Options& o, std::int64_t rows, s2s::Rng& rng) {
  s2s::models::TokenBatch b;
  b.ids = s2s::Tensor::empty({o.src_len, rows}, s2s::DType::I32);
  for (std::int64_t k = 0; k < o.src_len * rows; ++k)
    b.ids.i32()[k] = 3 + static_cast<std::int32_t>(rng.below(static_cast<std::uint64_t>(o.src_vocab - 3)));
  b.lengths = s2s::Tensor::from_ids(std::vector<std::int32_t>(static_cast<std::size_t>(rows), static_cast<std::int32_t>(o.src_len)), {rows});
  return b;
}

struct Result {
  double sentences_per_s = 0, tokens_per_s = 0, ms_per_sentence = 0, other_cores = 0;
  std::int64_t sentences = 0, out_tokens = 0;
};

Result time_decode(s2s::search::Ensemble& ens, const std::vector<s2s::models::TokenBatch>& batches,
                   const s2s::search::SearchOptions& so) {
  Result r;
  if (batches.empty()) return r;
  s2s::search::decode(ens, {&batches[0], 1}, so);  // warm-up: caches, thread pool, allocator
  s2s::bench::Meter meter;
  for (const auto& b : batches) {
    for (const auto& sent : s2s::search::decode(ens, {&b, 1}, so)) {
      ++r.sentences;
      // Output tokens of the best hypothesis, </s> included (as the peer counts its 20).
      if (!sent.hypotheses.empty()) r.out_tokens += static_cast<std::int64_t>(sent.hypotheses[0].tokens.size()) + 1;
    }
  }
  double wall = meter.wall();
  r.other_cores = meter.other_cores();
  r.sentences_per_s = static_cast<double>(r.sentences) / wall;
  r.tokens_per_s = static_cast<double>(r.out_tokens) / wall;
  r.ms_per_sentence = 1000.0 * wall / static_cast<double>(r.sentences);
  return r;
}

void print(const char* name, const Result& r, std::int64_t batch, bool last) {
  std::printf("  \"%s\": {\"sentences\": %lld, \"decode_batch\": %lld, \"sentences_per_s\": %.2f, \"tokens_per_s\": %.1f, "
              "\"ms_per_sentence\": %.3f, \"out_tokens\": %lld, \"other_cores\": %.3f}%s\n",
              name, static_cast<long long>(r.sentences), static_cast<long long>(batch), r.sentences_per_s, r.tokens_per_s,
              r.ms_per_sentence, static_cast<long long>(r.out_tokens), r.other_cores, last ? "" : ",");
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse(argc, argv);
  s2s::set_num_threads(o.threads);
  s2s::models::ModelConfig config = o.model_config();
  s2s::Rng rng(1);
  auto model = s2s::models::build_model(config, rng);
  s2s::search::Ensemble ens({model.get()});

  s2s::Rng data_rng(2);
  auto make = [&](std::int64_t batch, std::int64_t n) {
    std::vector<s2s::models::TokenBatch> out;
    for (std::int64_t k = 0; k < n; k += batch) out.push_back(random_batch(o, std::min(batch, n - k), data_rng));
    return out;
  };
  std::vector<s2s::models::TokenBatch> batched = make(o.decode_batch, o.decode_sents), single = make(1, o.decode_sents_b1);

  s2s::search::SearchOptions so;
  so.n_best = 1;
  so.max_length = so.min_length = o.tgt_len - 1;  // + the forced </s>: tgt_len steps
  so.max_length_ratio = 0.0f;
  so.length_norm = s2s::search::LengthNorm::Average;
  s2s::search::SearchOptions greedy = so, beam = so;
  greedy.beam_size = 1;
  beam.beam_size = o.beam;

  Result g64 = time_decode(ens, batched, greedy), b64 = time_decode(ens, batched, beam);
  Result g1 = time_decode(ens, single, greedy), b1 = time_decode(ens, single, beam);
  double other = std::max(std::max(g64.other_cores, b64.other_cores), std::max(g1.other_cores, b1.other_cores));
  std::printf("{\"impl\": \"s2s\", \"type\": \"%s\", \"threads\": %d, \"hidden\": %lld, \"src_vocab\": %lld, \"tgt_vocab\": %lld, "
              "\"max_len\": %lld, \"beam\": %lld, \"other_cores\": %.3f, \"peak_rss_mb\": %.1f,\n",
              o.type.c_str(), o.threads, static_cast<long long>(o.hidden), static_cast<long long>(o.src_vocab),
              static_cast<long long>(o.tgt_vocab), static_cast<long long>(o.tgt_len), static_cast<long long>(o.beam), other,
              s2s::bench::peak_rss_mb());
  print("greedy", g64, o.decode_batch, false);
  print("beam_search", b64, o.decode_batch, false);
  print("greedy_b1", g1, 1, false);
  print("beam_search_b1", b1, 1, true);
  std::printf("}\n");
  return 0;
}
