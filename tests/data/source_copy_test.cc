// Copy attention's data: each sentence's extended target vocabulary
// (SourceCopy), a PairEncoder in copy mode (targets scored by their copy id
// when only the source has them), and the copy ids a Dataset keeps and a
// batch carries.
#include "data/data_test_util.h"
#include "s2s/data/batch.h"
#include "s2s/data/loader.h"
#include "s2s/data/source_copy.h"
#include "s2s/data/word_tokenizer.h"

namespace s2s::data {
namespace {

using s2s::testing::TempDir;

Vocab vocab_of(std::initializer_list<const char*> tokens) {
  Vocab v;
  for (const char* t : tokens) v.add(t, 1);
  return v;
}

TEST(SourceCopy, ExtendsTheTargetVocabularyBySourceOnlyTokens) {
  const Vocab tgt = vocab_of({"the", "cat"});  // ids 4, 5; size 6
  SourceCopy c;
  const std::vector<std::string> src = {"the", "Zorro", "cat", "met", "Zorro"};
  c.assign(src, tgt);
  EXPECT_EQ(c.ids(), (std::vector<std::int32_t>{4, 6, 5, 7, 6}));  // Zorro twice: one id
  EXPECT_EQ(c.oov(), (std::vector<std::string>{"Zorro", "met"}));
  EXPECT_EQ(c.target_id("cat", tgt), 5);
  EXPECT_EQ(c.target_id("met", tgt), 7);
  EXPECT_EQ(c.target_id("dog", tgt), kUnkId);  // in neither
  EXPECT_EQ(c.token(7, tgt), "met");
  EXPECT_EQ(c.token(4, tgt), "the");
  EXPECT_ERROR(c.token(8, tgt), "copy: extended id 8 beyond the sentence's 2 source-only tokens");
  // Reserved tokens are the target vocabulary's: a source's appended </s> copies as </s>.
  c.assign(std::vector<std::string>{"met", "</s>"}, tgt);
  EXPECT_EQ(c.ids(), (std::vector<std::int32_t>{6, kEosId}));
}

TEST(SourceCopy, PairEncoderScoresSourceOnlyTargetsByTheirCopyIds) {
  WordTokenizer tok;
  const Vocab src = vocab_of({"the", "cat", "Zorro"}), tgt = vocab_of({"the", "cat"});
  TempDir dir;
  const std::string corpus = dir.file("c.tsv", "the Zorro cat\tZorro the dog\nthe cat\tthe cat\n");
  for (bool copy : {false, true}) {
    PairEncoder enc({&tok, &src}, {&tok, &tgt}, copy);
    Dataset d = load_dataset(CorpusSpec::parse(corpus), enc, {});
    ASSERT_EQ(d.size(), 2u);
    EXPECT_EQ(d.with_copy(), copy);
    EXPECT_EQ(d.src(0), (std::vector<std::int32_t>{4, 6, 5}));
    // Zorro: <unk> in the target vocabulary, copy id 6 with copy; dog: <unk> either way.
    EXPECT_EQ(d.tgt(0), (std::vector<std::int32_t>{copy ? 6 : kUnkId, 4, kUnkId}));
    if (!copy) continue;
    std::vector<std::int32_t> ids(3);
    d.copy_src_copy_ids(0, ids.data());
    EXPECT_EQ(ids, (std::vector<std::int32_t>{4, 6, 5}));
    // The batch: copy ids time-major beside the source, </s> of src_eos copies as </s>.
    Batch b;
    std::vector<std::uint32_t> examples = {0, 1};
    make_batch(d, examples, /*src_eos=*/true, b);
    ASSERT_TRUE(b.src_copy.defined());
    EXPECT_EQ(b.src_copy.shape(), Shape({4, 2}));
    EXPECT_EQ(std::vector<std::int32_t>(b.src_copy.i32(), b.src_copy.i32() + 8),
              (std::vector<std::int32_t>{4, 4, 6, 5, 5, kEosId, kEosId, kPadId}));
    EXPECT_EQ(b.tgt_out.i32()[0], 6);
  }
}

TEST(SourceCopy, DatasetChecksTheCopyIds) {
  Dataset with(100, true), without(100);
  const std::vector<std::int32_t> src = {4, 5}, tgt = {6};
  EXPECT_ERROR(with.add(src, tgt, std::vector<std::int32_t>{4}), "dataset: 1 copy ids for 2 source tokens");
  EXPECT_ERROR(without.add(src, tgt, std::vector<std::int32_t>{4, 5}),
               "dataset: 2 copy ids for 2 source tokens (this dataset keeps none)");
  with.add(src, tgt, std::vector<std::int32_t>{9, 4});
  EXPECT_EQ(with.tokens(), 3u);  // copy ids are not tokens
  EXPECT_EQ(with.tgt(0), tgt);
}

}  // namespace
}  // namespace s2s::data
