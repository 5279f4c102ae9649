// Loading a corpus into a Dataset: compact storage, counted skips, --strict,
// maximum lengths and <unk> counts.
#include "data/data_test_util.h"
#include "s2s/data/loader.h"
#include "s2s/data/word_tokenizer.h"

namespace s2s::data {
namespace {

using s2s::testing::fixture;
using s2s::testing::TempDir;

struct WordSetup {
  WordTokenizer tok;
  Vocab vocab;
  explicit WordSetup(std::initializer_list<const char*> tokens) {
    for (const char* t : tokens) vocab.add(t, 1);
  }
  PairEncoder encoder() { return PairEncoder({&tok, &vocab}, {&tok, &vocab}); }
};

TEST(Dataset, StoresIdsCompactlyAndExactly) {
  for (std::int64_t vocab_size : {200, 60000, 70000}) {
    Dataset d(vocab_size);
    std::vector<std::int32_t> src = {5, 0, static_cast<std::int32_t>(vocab_size - 1)}, tgt = {7};
    d.add(src, tgt);
    d.add(std::vector<std::int32_t>{1}, std::vector<std::int32_t>{2, 3});
    EXPECT_EQ(d.id_bytes(), vocab_size <= 256 ? 1 : vocab_size <= 65536 ? 2 : 4);
    EXPECT_EQ(d.src(0), src);
    EXPECT_EQ(d.tgt(0), tgt);
    EXPECT_EQ(d.tgt(1), (std::vector<std::int32_t>{2, 3}));
    EXPECT_EQ(d.tokens(), 7u);
    std::string v = std::to_string(vocab_size);
    EXPECT_ERROR(d.add(std::vector<std::int32_t>{static_cast<std::int32_t>(vocab_size)}, tgt),
                 "dataset: id " + v + " is outside the vocabulary [0, " + v + ")");
    EXPECT_ERROR(d.add(src, std::vector<std::int32_t>{-1}), "dataset: id -1 is outside the vocabulary [0, " + v + ")");
  }
}

TEST(Dataset, ManyPairsAcrossBlocksAndStridedCopy) {
  Dataset d(1000);
  for (int i = 0; i < 300000; ++i) {
    std::vector<std::int32_t> s(static_cast<std::size_t>(i % 13 + 1), i % 1000), t(static_cast<std::size_t>(i % 5 + 1), (i + 1) % 1000);
    d.add(s, t);
  }
  ASSERT_EQ(d.size(), 300000u);
  EXPECT_EQ(d.src(299999), std::vector<std::int32_t>(299999 % 13 + 1, 299999 % 1000));
  std::int32_t out[10] = {};
  d.copy_tgt(4, out, 2);  // 5 ids at stride 2
  EXPECT_EQ(out[0], 5);
  EXPECT_EQ(out[8], 5);
  EXPECT_EQ(out[1], 0);
  // 2-byte ids: about 2 x 10 ids per pair + 16 bytes of record, plus at most one block of slack.
  EXPECT_LE(d.memory_bytes(), 300000u * (2 * 10 + 16) + (1u << 20) + 4096);
  d.clear();
  EXPECT_TRUE(d.empty());
}

TEST(Loader, KeepsGoodPairsAndCountsSkips) {
  WordSetup w({"o", "n", "e", "W", "AH", "N"});
  PairEncoder enc = w.encoder();
  std::string p = fixture("empty_side.tsv");
  LoadStats stats;
  Dataset d = load_dataset(CorpusSpec::parse(p), enc, {}, &stats);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d.src(0), (std::vector<std::int32_t>{4, 5, 6}));
  EXPECT_EQ(d.tgt(0), (std::vector<std::int32_t>{7, 8, 9}));
  EXPECT_EQ(stats.pairs_read, 5u);
  EXPECT_EQ(stats.pairs_kept, 2u);
  EXPECT_EQ(stats.skips.of(SkipReason::EmptySide), 3u);
  // "t h r e e -> TH R IY": t h r of the source and all 3 target tokens are unknown.
  EXPECT_EQ(stats.unk[0].tokens, 8u);
  EXPECT_EQ(stats.unk[0].unknown, 3u);
  EXPECT_EQ(stats.unk[1].unknown, 3u);
  EXPECT_EQ(stats.summary(), "read 5 pairs, kept 2 (8 source / 6 target tokens, <unk> 37.50% / 50.00%)");
}

TEST(Loader, StrictTurnsSkipsIntoErrors) {
  WordSetup w({"a"});
  PairEncoder enc = w.encoder();
  LoadOptions o;
  o.strict = true;
  std::string p = fixture("empty_side.tsv");
  EXPECT_ERROR(load_dataset(CorpusSpec::parse(p), enc, o), p + ":2: empty source side (--strict)");
  TempDir t;
  std::string q = t.file("t.tsv", "a\ta\na\t   \n");  // whitespace only: no tokens
  EXPECT_ERROR(load_dataset(CorpusSpec::parse(q), enc, o), q + ":2: empty target side (--strict)");
}

TEST(Loader, MaximumLengthsFilterAndCount) {
  WordSetup w({"a"});
  PairEncoder enc = w.encoder();
  TempDir t;
  std::string p = t.file("len.tsv", "a a\ta\na a a a\ta\na\ta a a a a\na\ta\n");
  LoadOptions o;
  o.max_src_len = 3;
  o.max_tgt_len = 4;
  LoadStats stats;
  Dataset d = load_dataset(CorpusSpec::parse(p), enc, o, &stats);
  EXPECT_EQ(d.size(), 2u);
  EXPECT_EQ(stats.skips.of(SkipReason::OverMaxLength), 2u);
  EXPECT_EQ(stats.skips.first[static_cast<int>(SkipReason::OverMaxLength)], p + ":2");
  o.strict = true;
  EXPECT_ERROR(load_dataset(CorpusSpec::parse(p), enc, o), p + ":2: source has 4 tokens, over the maximum of 3 (--strict)");
  std::string s = t.file("p.src", "a\na\n"), g = t.file("p.tgt", "a\na a a a a\n");
  EXPECT_ERROR(load_dataset(CorpusSpec::parse(s + "," + g), enc, o), g + ":2: target has 5 tokens, over the maximum of 4 (--strict)");
}

TEST(Loader, LinesFarOverTheLimitAreSkippedWithoutHoldingThem) {
  WordSetup w({"a"});
  PairEncoder enc = w.encoder();
  TempDir t;
  std::string p = t.file("huge.tsv", "a\ta\n" + std::string(3'000'000, 'a') + "\ta\na\ta\n");
  LoadOptions o;
  o.lines.max_line_bytes = 1000;
  LoadStats stats;
  Dataset d = load_dataset(CorpusSpec::parse(p), enc, o, &stats);
  EXPECT_EQ(d.size(), 2u);
  EXPECT_EQ(stats.skips.of(SkipReason::LineTooLong), 1u);
  EXPECT_EQ(stats.skips.warnings()[0],
            "skipped 1 pair over the line length limit (first at " + p + ":2; --strict makes this an error)");
  o.strict = true;
  EXPECT_ERROR(load_dataset(CorpusSpec::parse(p), enc, o), p + ":2: line over the length limit of 1000 bytes (--strict)");
}

TEST(Loader, NothingUsableIsAnError) {
  WordSetup w({"a"});
  PairEncoder enc = w.encoder();
  TempDir t;
  std::string p = t.file("blank.tsv", "\n\t\n");
  EXPECT_ERROR(load_dataset(CorpusSpec::parse(p), enc, {}),
               p + ": no usable pairs (2 read, 2 skipped: empty side, over-long line or over the maximum length)");
}

}  // namespace
}  // namespace s2s::data
