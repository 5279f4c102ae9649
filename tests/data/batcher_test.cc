// Batches: tensor layout, every pair exactly once per epoch, token and
// sentence limits, deterministic shuffling, padding, and exact resume, for
// in-memory and streaming batchers.
#include <algorithm>
#include <map>

#include "data/data_test_util.h"
#include "s2s/data/batcher.h"
#include "s2s/data/word_tokenizer.h"

namespace s2s::data {
namespace {

using s2s::testing::TempDir;

std::vector<std::int32_t> column(const Tensor& t, std::int64_t b) {
  std::vector<std::int32_t> v;
  for (std::int64_t r = 0; r < t.dim(0); ++r) v.push_back(t.i32()[r * t.dim(1) + b]);
  return v;
}

// Pairs with lengths 1..max_len; the first source id identifies the pair.
// With `correlated`, the target is as long as the source give or take 2, as in real data.
std::shared_ptr<Dataset> random_dataset(int n, int max_len, std::uint64_t seed, bool correlated = false) {
  auto d = std::make_shared<Dataset>(n + 10);
  Rng rng(seed);
  for (int i = 0; i < n; ++i) {
    std::uint64_t ls = 1 + rng.below(static_cast<std::uint64_t>(max_len));
    std::uint64_t lt = correlated ? ls + rng.below(3) : 1 + rng.below(static_cast<std::uint64_t>(max_len));
    std::vector<std::int32_t> s(ls, 4), t(lt, 5);
    s[0] = 10 + i;
    d->add(s, t);
  }
  return d;
}

std::vector<std::vector<std::uint32_t>> epoch(Batcher& b, std::vector<Batch>* batches = nullptr) {
  std::vector<std::vector<std::uint32_t>> out;
  Batch batch;
  while (b.next(batch)) {
    out.push_back(batch.examples);
    if (batches) batches->push_back(batch);
  }
  return out;
}

TEST(MakeBatch, TimeMajorWithBosEosAndPadding) {
  Dataset d(100);
  d.add(std::vector<std::int32_t>{10, 11, 12}, std::vector<std::int32_t>{20});
  d.add(std::vector<std::int32_t>{13}, std::vector<std::int32_t>{21, 22, 23});
  Batch b;
  std::vector<std::uint32_t> ex = {1, 0};
  make_batch(d, ex, false, b);
  ASSERT_EQ(b.src.shape(), (Shape{3, 2}));
  ASSERT_EQ(b.tgt_in.shape(), (Shape{4, 2}));
  EXPECT_EQ(b.src.dtype(), DType::I32);
  EXPECT_EQ(column(b.src, 0), (std::vector<std::int32_t>{13, kPadId, kPadId}));
  EXPECT_EQ(column(b.src, 1), (std::vector<std::int32_t>{10, 11, 12}));
  EXPECT_EQ(column(b.tgt_in, 0), (std::vector<std::int32_t>{kBosId, 21, 22, 23}));
  EXPECT_EQ(column(b.tgt_out, 0), (std::vector<std::int32_t>{21, 22, 23, kEosId}));
  EXPECT_EQ(column(b.tgt_in, 1), (std::vector<std::int32_t>{kBosId, 20, kPadId, kPadId}));
  EXPECT_EQ(column(b.tgt_out, 1), (std::vector<std::int32_t>{20, kEosId, kPadId, kPadId}));
  EXPECT_EQ(std::vector<std::int32_t>(b.src_len.i32(), b.src_len.i32() + 2), (std::vector<std::int32_t>{1, 3}));
  EXPECT_EQ(std::vector<std::int32_t>(b.tgt_len.i32(), b.tgt_len.i32() + 2), (std::vector<std::int32_t>{4, 2}));
  EXPECT_EQ(b.src_tokens, 4);
  EXPECT_EQ(b.tgt_tokens, 6);
  EXPECT_EQ(b.positions, 14);
  EXPECT_DOUBLE_EQ(b.padding_ratio(), 4.0 / 14.0);
  make_batch(d, ex, true, b);  // source </s>
  EXPECT_EQ(column(b.src, 0), (std::vector<std::int32_t>{13, kEosId, kPadId, kPadId}));
  EXPECT_EQ(column(b.src, 1), (std::vector<std::int32_t>{10, 11, 12, kEosId}));
}

TEST(Batcher, EveryPairExactlyOncePerEpochWithinTheTokenLimit) {
  auto data = random_dataset(3000, 40, 1);
  BatchOptions o;
  o.batch_tokens = 300;
  o.maxi_batch = 10;
  Batcher b(data, o);
  for (int e = 0; e < 3; ++e) {
    std::vector<Batch> batches;
    auto plan = epoch(b, &batches);
    std::vector<int> seen(data->size(), 0);
    for (const Batch& batch : batches) {
      for (std::uint32_t i : batch.examples) ++seen[i];
      EXPECT_LE(batch.size() * std::max(batch.src.dim(0), batch.tgt_in.dim(0)), 300);
      for (std::int64_t j = 0; j < batch.size(); ++j)  // column j really is pair examples[j]
        EXPECT_EQ(batch.src.i32()[j], 10 + static_cast<std::int32_t>(batch.examples[static_cast<std::size_t>(j)]));
    }
    EXPECT_EQ(std::count(seen.begin(), seen.end(), 1), 3000);
    EXPECT_EQ(b.state().epoch, static_cast<std::uint64_t>(e + 1));
  }
}

TEST(Batcher, SentenceLimitAndBothLimits) {
  auto data = random_dataset(1001, 30, 2);
  BatchOptions o;
  o.batch_sentences = 16;
  Batcher b(data, o);
  std::vector<Batch> batches;
  epoch(b, &batches);
  std::size_t total = 0;
  for (const Batch& batch : batches) {
    EXPECT_LE(batch.size(), 16);
    total += static_cast<std::size_t>(batch.size());
  }
  EXPECT_EQ(total, 1001u);
  o.batch_tokens = 100;
  Batcher both(data, o);
  batches.clear();
  epoch(both, &batches);
  for (const Batch& batch : batches) {
    EXPECT_LE(batch.size(), 16);
    EXPECT_LE(batch.size() * std::max(batch.src.dim(0), batch.tgt_in.dim(0)), 100);
  }
}

TEST(Batcher, ShuffleIsDeterministicFromTheSeed) {
  auto data = random_dataset(2000, 30, 3);
  BatchOptions o;
  o.batch_tokens = 200;
  Batcher a(data, o), b(data, o);
  auto a1 = epoch(a), b1 = epoch(b);
  EXPECT_EQ(a1, b1);
  auto a2 = epoch(a);
  EXPECT_NE(a1, a2);  // a new order every epoch
  o.seed = 2;
  Batcher c(data, o);
  EXPECT_NE(epoch(c), a1);
}

TEST(Batcher, UnshuffledUnsortedKeepsCorpusOrder) {
  auto data = random_dataset(50, 10, 4);
  BatchOptions o;
  o.batch_sentences = 7;
  o.shuffle = false;
  o.maxi_batch = 0;
  Batcher b(data, o);
  std::vector<std::uint32_t> flat;
  for (auto& batch : epoch(b)) flat.insert(flat.end(), batch.begin(), batch.end());
  for (std::uint32_t i = 0; i < 50; ++i) ASSERT_EQ(flat[i], i);
}

TEST(Batcher, MaxiBatchSortingReducesPadding) {
  auto data = random_dataset(5000, 60, 5, true);
  BatchOptions o;
  o.batch_tokens = 1000;
  o.maxi_batch = 0;
  Batcher unsorted(data, o);
  epoch(unsorted);
  o.maxi_batch = 100;
  Batcher sorted(data, o);
  epoch(sorted);
  // Random lengths 1..60: unsorted batches are about half padding, sorted ones nearly none.
  EXPECT_GT(unsorted.epoch_stats().padding_ratio(), 0.3);
  EXPECT_LT(sorted.epoch_stats().padding_ratio(), 0.1);
}

TEST(Batcher, APairOverTheTokenLimitFormsABatchOfOne) {
  auto d = std::make_shared<Dataset>(100);
  d->add(std::vector<std::int32_t>(50, 4), std::vector<std::int32_t>{5});
  d->add(std::vector<std::int32_t>{4}, std::vector<std::int32_t>{5});
  BatchOptions o;
  o.batch_tokens = 10;
  Batcher b(d, o);
  std::vector<Batch> batches;
  epoch(b, &batches);
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[0].size(), 1);
  EXPECT_EQ(batches[1].size(), 1);
}

TEST(Batcher, OptionErrors) {
  auto data = random_dataset(5, 3, 6);
  EXPECT_ERROR(Batcher(data, BatchOptions{}), "batching: set --batch-tokens or --batch-sentences (above 0)");
  BatchOptions o;
  o.batch_tokens = 10;
  EXPECT_ERROR(Batcher(std::make_shared<Dataset>(10), o), "batcher: empty dataset");
}

void expect_resumes_exactly(const std::function<std::unique_ptr<Batcher>()>& make, int stop_after) {
  auto a = make();
  Batch batch;
  for (int k = 0; k < stop_after;) k += a->next(batch) ? 1 : 0;  // may cross epoch ends
  BatcherState saved = a->state();
  std::vector<std::vector<std::int32_t>> expected;
  for (int k = 0; k < 300; ++k) {
    if (!a->next(batch)) {
      expected.push_back({-1});  // epoch end
      continue;
    }
    expected.push_back(std::vector<std::int32_t>(batch.src.i32(), batch.src.i32() + batch.src.numel()));
  }
  auto b = make();
  b->restore(saved);
  for (int k = 0; k < 300; ++k) {
    if (!b->next(batch)) {
      ASSERT_EQ(expected[static_cast<std::size_t>(k)], std::vector<std::int32_t>{-1}) << k;
      continue;
    }
    ASSERT_EQ(std::vector<std::int32_t>(batch.src.i32(), batch.src.i32() + batch.src.numel()),
              expected[static_cast<std::size_t>(k)])
        << "batch " << k << " after restoring at " << stop_after;
  }
}

TEST(Batcher, RestoreContinuesExactlyInMemory) {
  auto data = random_dataset(1000, 20, 7);
  BatchOptions o;
  o.batch_tokens = 150;
  for (int stop : {0, 1, 37, 150})
    expect_resumes_exactly([&] { return std::make_unique<Batcher>(data, o); }, stop);
}

// A word corpus on disk whose first source token names the line.
struct StreamCorpus {
  TempDir dir;
  std::string path;
  WordTokenizer tok;
  Vocab vocab;
  std::unique_ptr<PairEncoder> encoder;
  explicit StreamCorpus(int n) {
    std::string text;
    Rng rng(11);
    for (int i = 0; i < n; ++i) {
      vocab.add("id" + std::to_string(i), 1);
      std::string src = "id" + std::to_string(i), tgt = "x";
      for (std::uint64_t k = rng.below(25); k > 0; --k) src += " x";
      for (std::uint64_t k = rng.below(25); k > 0; --k) tgt += " x";
      text += src + "\t" + tgt + "\n";
      if (i % 97 == 0) text += "\tempty source\n";  // skipped and counted
    }
    vocab.add("x", 1);
    path = dir.file("stream.tsv", text);
    encoder = std::make_unique<PairEncoder>(SideCodec{&tok, &vocab}, SideCodec{&tok, &vocab});
  }
};

TEST(Batcher, StreamingSeesEveryPairOncePerEpochWithABoundedBuffer) {
  StreamCorpus c(2500);
  BatchOptions o;
  o.batch_tokens = 200;
  o.buffer_pairs = 300;
  Batcher b(CorpusSpec::parse(c.path), c.encoder.get(), {}, o);
  for (int e = 0; e < 2; ++e) {
    std::map<std::int32_t, int> seen;
    Batch batch;
    while (b.next(batch)) {
      EXPECT_LE(b.pool().size(), 300u);
      EXPECT_LE(batch.size() * std::max(batch.src.dim(0), batch.tgt_in.dim(0)), 200);
      for (std::int64_t j = 0; j < batch.size(); ++j) ++seen[batch.src.i32()[j]];
    }
    EXPECT_EQ(seen.size(), 2500u);
    for (auto [id, n] : seen) ASSERT_EQ(n, 1) << c.vocab.token(id);
    EXPECT_EQ(b.load_stats().skips.of(SkipReason::EmptySide), 26u);
    EXPECT_EQ(b.load_stats().pairs_kept, 2500u);
  }
}

TEST(Batcher, StreamingRestoreContinuesExactly) {
  StreamCorpus c(1200);
  BatchOptions o;
  o.batch_tokens = 150;
  o.buffer_pairs = 250;
  for (int stop : {0, 5, 40, 130})
    expect_resumes_exactly([&] { return std::make_unique<Batcher>(CorpusSpec::parse(c.path), c.encoder.get(), LoadOptions{}, o); },
                           stop);
}

TEST(Batcher, StreamingCorpusWithoutUsablePairsIsAnError) {
  TempDir t;
  WordTokenizer tok;
  Vocab vocab;
  PairEncoder enc({&tok, &vocab}, {&tok, &vocab});
  std::string p = t.file("blank.tsv", "\t\n\t\n");
  BatchOptions o;
  o.batch_tokens = 10;
  Batcher b(CorpusSpec::parse(p), &enc, {}, o);
  Batch batch;
  EXPECT_ERROR(b.next(batch), "batcher: " + p + " gave no usable pairs in epoch 1");
}

}  // namespace
}  // namespace s2s::data
