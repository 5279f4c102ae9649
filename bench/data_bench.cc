// Data pipeline throughput on one core, and peak memory of a loaded corpus.
//
// Throughput (Google Benchmark; rates are per CPU second, so a shared
// machine does not skew them), on ../shared/data/bible/kjv-sparv/train.tsv:
//   ./build/bench/data_bench --benchmark_counters_tabular=true
// Memory of an N-pair corpus (KJV train repeated to N pairs), in its own process:
//   ./build/bench/data_bench --memory-pairs=1000000 --memory-tokenizer=word|char [--memory-streaming]
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <sys/stat.h>

#include "s2s/core/parallel.h"
#include "s2s/data/batcher.h"
#include "s2s/data/char_tokenizer.h"
#include "s2s/data/spm_tokenizer.h"
#include "s2s/data/vocab_build.h"
#include "s2s/data/word_tokenizer.h"

namespace {

using namespace s2s::data;

// ../shared/data next to the source tree (this file is <source>/bench/data_bench.cc).
const std::string kCorpus = std::string(__FILE__).substr(0, std::string(__FILE__).rfind('/')) +
                            "/../../shared/data/bible/kjv-sparv/train.tsv";
constexpr double kPairs = 28079;

// Tokenizer and per-side vocabularies, built once per type.
struct Setup {
  std::unique_ptr<Tokenizer> tok;
  Vocab src, tgt;
  std::unique_ptr<PairEncoder> encoder;
};

Setup& setup(TokenizerType type) {
  static std::unique_ptr<Setup> cache[3];
  auto& s = cache[static_cast<int>(type)];
  if (s) return *s;
  s = std::make_unique<Setup>();
  VocabBuildOptions o;
  o.type = type;
  o.spm.vocab_size = 8000;
  if (type == TokenizerType::Spm) {
    o.side = Side::Both;  // one shared model, as `s2s vocab --type spm` builds
    auto r = build_vocab(CorpusSpec::parse(kCorpus), o);
    s->src = r.vocab;
    s->tgt = r.vocab;
    s->tok = std::move(r.spm);
  } else {
    o.side = Side::Src;
    s->src = build_vocab(CorpusSpec::parse(kCorpus), o).vocab;
    o.side = Side::Tgt;
    s->tgt = build_vocab(CorpusSpec::parse(kCorpus), o).vocab;
    s->tok = make_simple_tokenizer(type);
  }
  s->encoder = std::make_unique<PairEncoder>(SideCodec{s->tok.get(), &s->src}, SideCodec{s->tok.get(), &s->tgt});
  return *s;
}

bool have_corpus(benchmark::State& state) {
  struct stat st {};
  if (::stat(kCorpus.c_str(), &st) == 0) return true;
  state.SkipWithError(("shared data not found: " + kCorpus).c_str());
  return false;
}

void pairs_counter(benchmark::State& state, double pairs) {
  state.counters["pairs/s"] = benchmark::Counter(pairs, benchmark::Counter::kIsIterationInvariantRate);
}

// Reading and splitting TSV lines (UTF-8 checked), no tokenization.
void BM_ReadTsv(benchmark::State& state) {
  if (!have_corpus(state)) return;
  for (auto _ : state) {
    auto r = open_pairs(CorpusSpec::parse(kCorpus));
    RawPair p;
    std::size_t bytes = 0;
    while (r->next(p)) bytes += p.src.size() + p.tgt.size();
    benchmark::DoNotOptimize(bytes);
  }
  pairs_counter(state, kPairs);
}
BENCHMARK(BM_ReadTsv)->Unit(benchmark::kMillisecond);

// Read + tokenize + map to ids + store: what loading a training corpus costs.
void BM_Load(benchmark::State& state) {
  if (!have_corpus(state)) return;
  Setup& s = setup(static_cast<TokenizerType>(state.range(0)));
  std::size_t tokens = 0;
  for (auto _ : state) {
    Dataset d = load_dataset(CorpusSpec::parse(kCorpus), *s.encoder, {});
    tokens = d.tokens();
  }
  pairs_counter(state, kPairs);
  state.counters["tokens/pair"] = static_cast<double>(tokens) / kPairs;
  state.SetLabel(std::string(tokenizer_type_name(s.tok->type())));
}
BENCHMARK(BM_Load)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

// One epoch of batches (plan + tensors) over a loaded corpus, --batch-tokens 4096.
void BM_BatchEpoch(benchmark::State& state) {
  if (!have_corpus(state)) return;
  Setup& s = setup(static_cast<TokenizerType>(state.range(0)));
  auto data = std::make_shared<Dataset>(load_dataset(CorpusSpec::parse(kCorpus), *s.encoder, {}));
  BatchOptions o;
  o.batch_tokens = 4096;
  Batcher b(data, o);
  Batch batch;
  double padding = 0;
  for (auto _ : state) {
    while (b.next(batch)) benchmark::DoNotOptimize(batch.src.i32());
    padding = b.epoch_stats().padding_ratio();
  }
  pairs_counter(state, kPairs);
  state.counters["padding"] = padding;
  state.SetLabel(std::string(tokenizer_type_name(s.tok->type())));
}
BENCHMARK(BM_BatchEpoch)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

// Streaming: read + tokenize + batch a whole epoch through a 10k-pair buffer.
void BM_StreamEpoch(benchmark::State& state) {
  if (!have_corpus(state)) return;
  Setup& s = setup(static_cast<TokenizerType>(state.range(0)));
  BatchOptions o;
  o.batch_tokens = 4096;
  o.buffer_pairs = 10000;
  Batcher b(CorpusSpec::parse(kCorpus), s.encoder.get(), {}, o);
  Batch batch;
  for (auto _ : state)
    while (b.next(batch)) benchmark::DoNotOptimize(batch.src.i32());
  pairs_counter(state, kPairs);
  state.SetLabel(std::string(tokenizer_type_name(s.tok->type())));
}
BENCHMARK(BM_StreamEpoch)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

// --- memory mode ---------------------------------------------------------

long status_kb(const char* key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key, 0) == 0) return std::stol(line.substr(std::strlen(key)));
  return -1;
}

int memory_mode(long pairs, TokenizerType type, bool streaming) {
  std::string path = "/tmp/s2s_data_bench_" + std::to_string(pairs) + ".tsv";
  std::uint64_t bytes = 0;
  {  // KJV train repeated (streamed to disk, never held in memory)
    std::ofstream out(path, std::ios::binary);
    long written = 0;
    while (written < pairs) {
      std::ifstream in(kCorpus);
      std::string line;
      while (written < pairs && std::getline(in, line)) {
        out << line << '\n';
        bytes += line.size() + 1;
        ++written;
      }
    }
  }
  Setup& s = setup(type);  // vocabularies from the original corpus
  long rss_before = status_kb("VmRSS:");
  std::size_t held = 0, kept = 0;
  if (streaming) {
    BatchOptions o;
    o.batch_tokens = 4096;
    o.buffer_pairs = 100000;
    Batcher b(CorpusSpec::parse(path), s.encoder.get(), {}, o);
    Batch batch;
    while (b.next(batch)) {
      kept += static_cast<std::size_t>(batch.size());
      held = std::max(held, b.pool().memory_bytes());  // the largest buffer
    }
  } else {
    Dataset d = load_dataset(CorpusSpec::parse(path), *s.encoder, {});
    held = d.memory_bytes();
    kept = d.size();
  }
  long peak = status_kb("VmHWM:");
  std::remove(path.c_str());
  double mb = 1.0 / (1024 * 1024);
  std::printf("pairs %ld (%s, %s): corpus %.1f MiB; dataset %.1f MiB (%.2fx); peak RSS growth while loading %.1f MiB "
              "(%.2fx of the corpus); process peak %.1f MiB\n",
              static_cast<long>(kept), std::string(tokenizer_type_name(type)).c_str(),
              streaming ? "streaming, 100k-pair buffer" : "in memory", static_cast<double>(bytes) * mb,
              static_cast<double>(held) * mb, static_cast<double>(held) / static_cast<double>(bytes),
              static_cast<double>(peak - rss_before) / 1024.0,
              static_cast<double>(peak - rss_before) * 1024.0 / static_cast<double>(bytes), static_cast<double>(peak) / 1024.0);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  s2s::set_num_threads(1);
  long pairs = 0;
  TokenizerType type = TokenizerType::Word;
  bool streaming = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--memory-pairs=", 0) == 0) pairs = std::stol(a.substr(15));
    if (a.rfind("--memory-tokenizer=", 0) == 0) type = parse_tokenizer_type(a.substr(19));
    if (a == "--memory-streaming") streaming = true;
  }
  if (pairs > 0) return memory_mode(pairs, type, streaming);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
