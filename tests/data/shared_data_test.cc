// The real corpora in ../shared/data: round trips on every line, memory of
// a loaded corpus, batching a whole epoch, and the CMUdict multi-reference
// files. Skipped (with the reason) when the shared data is not present.
#include <sys/stat.h>

#include "data/data_test_util.h"
#include "s2s/data/batcher.h"
#include "s2s/data/char_tokenizer.h"
#include "s2s/data/multi_ref.h"
#include "s2s/data/vocab_build.h"
#include "s2s/data/word_tokenizer.h"

namespace s2s::data {
namespace {

using s2s::testing::shared_data;

#define REQUIRE_SHARED(path)                                                                    \
  do {                                                                                          \
    struct stat st_ {};                                                                         \
    if (::stat((path).c_str(), &st_) != 0)                                                      \
      GTEST_SKIP() << "shared data not found at " << (path) << " (expected ../shared/data next " \
                   << "to the source tree)";                                                    \
  } while (0)

std::uint64_t file_size(const std::string& path) {
  struct stat st {};
  ::stat(path.c_str(), &st);
  return static_cast<std::uint64_t>(st.st_size);
}

TEST(SharedData, KjvRoundTripsThroughCharAndWordTokenizers) {
  std::string path = shared_data("bible/kjv-sparv/train.tsv");
  REQUIRE_SHARED(path);
  auto reader = open_pairs(CorpusSpec::parse(path));
  CharTokenizer chars;
  WordTokenizer words;
  TokenList tokens;
  RawPair p;
  std::uint64_t n = 0;
  while (reader->next(p)) {
    for (std::string_view side : {p.src, p.tgt}) {
      chars.tokenize(side, tokens);
      ASSERT_EQ(chars.detokenize(tokens.span()), side) << path << ":" << p.line;
      words.tokenize(side, tokens);  // the corpus is single-spaced
      ASSERT_EQ(words.detokenize(tokens.span()), side) << path << ":" << p.line;
    }
    ++n;
  }
  EXPECT_EQ(n, 28079u);
}

TEST(SharedData, CmudictLoadsCompactlyAndBatchesEveryPairOnce) {
  std::string path = shared_data("cmudict/train.nostress.tsv");
  REQUIRE_SHARED(path);
  VocabBuildOptions vo;
  vo.type = TokenizerType::Word;
  vo.side = Side::Src;
  Vocab src = build_vocab(CorpusSpec::parse(path), vo).vocab;
  vo.side = Side::Tgt;
  Vocab tgt = build_vocab(CorpusSpec::parse(path), vo).vocab;
  EXPECT_EQ(src.size(), 4 + 27);  // a-z and the apostrophe
  EXPECT_EQ(tgt.size(), 4 + 39);  // ARPAbet without stress
  WordTokenizer tok;
  PairEncoder enc({&tok, &src}, {&tok, &tgt});
  LoadStats stats;
  auto data = std::make_shared<Dataset>(load_dataset(CorpusSpec::parse(path), enc, {}, &stats));
  ASSERT_EQ(data->size(), 110920u);
  EXPECT_EQ(stats.unk[0].unknown + stats.unk[1].unknown, 0u);
  EXPECT_EQ(data->id_bytes(), 1);
  EXPECT_LE(data->memory_bytes(), 2 * file_size(path));

  BatchOptions o;
  o.batch_tokens = 2000;
  Batcher b(data, o);
  std::vector<std::uint8_t> seen(data->size(), 0);
  Batch batch;
  while (b.next(batch)) {
    EXPECT_LE(batch.size() * std::max(batch.src.dim(0), batch.tgt_in.dim(0)), 2000);
    for (std::uint32_t i : batch.examples) ++seen[i];
  }
  EXPECT_EQ(std::count(seen.begin(), seen.end(), 1), 110920);
  EXPECT_LT(b.epoch_stats().padding_ratio(), 0.15);
}

TEST(SharedData, CmudictMultiReferenceFile) {
  std::string path = shared_data("cmudict/dev.refs.nostress.tsv");
  REQUIRE_SHARED(path);
  MultiRefOptions o;
  o.ref_separator = '|';
  auto sets = read_multi_ref(CorpusSpec::parse(path), o);
  ASSERT_EQ(sets.size(), 2000u);
  std::size_t multi = 0;
  for (const auto& s : sets) multi += s.refs.size() > 1;
  EXPECT_EQ(multi, 136u);  // lines with a '|'
}

}  // namespace
}  // namespace s2s::data
