// Vocabulary: reserved ids, ordering, limits, file round trip, UNK counting,
// and every corrupt-file message.
#include "data/data_test_util.h"
#include "s2s/data/vocab.h"
#include "s2s/data/vocab_build.h"

namespace s2s::data {
namespace {

using s2s::testing::fixture;
using s2s::testing::TempDir;

VocabBuilder counts(std::initializer_list<std::pair<const char*, int>> c) {
  VocabBuilder b;
  for (auto [t, n] : c) b.add(t, static_cast<std::uint64_t>(n));
  return b;
}

TEST(Vocab, ReservedIdsAreFixed) {
  Vocab v;
  ASSERT_EQ(v.size(), 4);
  EXPECT_EQ(v.id("<pad>"), 0);
  EXPECT_EQ(v.id("<s>"), 1);
  EXPECT_EQ(v.id("</s>"), 2);
  EXPECT_EQ(v.id("<unk>"), 3);
  EXPECT_EQ(v.id("anything"), kUnkId);
}

TEST(Vocab, OrderedByCountThenBytes) {
  Vocab v = counts({{"b", 5}, {"a", 5}, {"c", 9}, {"d", 1}}).build({});
  EXPECT_EQ(v.decode(std::vector<std::int32_t>{4, 5, 6, 7}), (std::vector<std::string>{"c", "a", "b", "d"}));
  EXPECT_EQ(v.count(4), 9u);
}

TEST(Vocab, MinFreqAndMaxSizeLimits) {
  auto b = counts({{"a", 10}, {"b", 8}, {"c", 8}, {"d", 3}, {"e", 2}, {"f", 1}});
  VocabReport r;
  Vocab v = b.build({3, 0}, &r);
  EXPECT_EQ(v.size(), 4 + 4);  // a b c d
  EXPECT_EQ(r.below_min_freq, 2u);
  EXPECT_EQ(r.over_max_size, 0u);
  EXPECT_EQ(r.covered, 29u);
  EXPECT_EQ(r.occurrences, 32u);
  v = b.build({1, 6}, &r);  // max size counts the 4 reserved tokens
  EXPECT_EQ(v.size(), 6);
  EXPECT_TRUE(v.contains("a"));
  EXPECT_TRUE(v.contains("b"));  // b and c tie at 8: byte order keeps b
  EXPECT_FALSE(v.contains("c"));
  EXPECT_EQ(r.over_max_size, 4u);
  EXPECT_EQ(r.kept, 2u);
  EXPECT_EQ(b.build({1, 4}).size(), 4);
  EXPECT_ERROR(b.build({1, 3}), "vocab: --size must be 0 (no limit) or at least 4 (the reserved tokens), got 3");
}

TEST(Vocab, ReservedStringsInDataAreNotCounted) {
  Vocab v = counts({{"<unk>", 4}, {"<s>", 2}, {"x", 1}}).build({});
  EXPECT_EQ(v.size(), 5);
  EXPECT_EQ(v.id("<s>"), kBosId);
}

TEST(Vocab, EncodeCountsUnknownTokens) {
  Vocab v = counts({{"a", 2}, {"b", 1}}).build({});
  std::vector<std::int32_t> ids;
  UnkStats unk;
  std::vector<std::string> tokens = {"a", "z", "b", "y", "a"};
  v.encode(tokens, ids, &unk);
  EXPECT_EQ(ids, (std::vector<std::int32_t>{4, kUnkId, 5, kUnkId, 4}));
  EXPECT_EQ(unk.tokens, 5u);
  EXPECT_EQ(unk.unknown, 2u);
  EXPECT_DOUBLE_EQ(unk.rate(), 0.4);
  EXPECT_EQ(v.decode(std::vector<std::int32_t>{kBosId, 4, kEosId, kPadId}, true), (std::vector<std::string>{"a"}));
}

TEST(Vocab, SaveLoadRoundTripWithEscapes) {
  TempDir t;
  Vocab v = counts({{"a", 3}, {"\t", 2}, {"\\", 2}, {"x\\ny", 1}, {"é", 1}, {"\r", 1}}).build({});
  v.save(t.path("v.txt"));
  Vocab w = Vocab::load(t.path("v.txt"));
  ASSERT_EQ(w.size(), v.size());
  for (int i = 0; i < v.size(); ++i) {
    EXPECT_EQ(w.token(i), v.token(i));
    EXPECT_EQ(w.count(i), v.count(i));
  }
  std::string out;
  EXPECT_TRUE(unescape_token(escape_token("a\\b\tc\nd\re"), out));
  EXPECT_EQ(out, "a\\b\tc\nd\re");
  EXPECT_FALSE(unescape_token("bad\\q", out));
  EXPECT_FALSE(unescape_token("trailing\\", out));
}

// Found by fuzz/models/vocab_fuzz.cc: a token was quoted unescaped, so an
// escaped line end in it broke the one-line error. Tokens are quoted as the
// file spells them.
TEST(Vocab, ErrorsQuoteTokensAsTheFileSpellsThem) {
  TempDir t;
  std::string p = t.file("a.vocab", "<pad>\t0\n<s>\t0\n</s>\t0\n<u\\\\\\n>\t0\n");
  EXPECT_ERROR(Vocab::load(p), p + ":4: expected reserved token <unk> (id 3), found '<u\\\\\\n>'");
  p = t.file("b.vocab", "<pad>\t0\n<s>\t0\n</s>\t0\n<unk>\t0\na\\nb\t1\na\\nb\t1\n");
  EXPECT_ERROR(Vocab::load(p), p + ":6: duplicate token 'a\\nb' (also on line 5)");
  p = t.file("c.vocab", std::string("<pad>\t0\n<s>\t0\n</s>\t0\n<unk>\t0\nx\t1\0\n", 34));
  EXPECT_ERROR(Vocab::load(p), p + ":5: count '1\\x00' is not a non-negative integer");
}

TEST(Vocab, CorruptFilesNameFileAndLine) {
  std::string p = fixture("bad_count.vocab");
  EXPECT_ERROR(Vocab::load(p), p + ":6: count 'five' is not a non-negative integer");
  p = fixture("duplicate.vocab");
  EXPECT_ERROR(Vocab::load(p), p + ":7: duplicate token 'a' (also on line 5)");
  p = fixture("wrong_reserved.vocab");
  EXPECT_ERROR(Vocab::load(p), p + ":1: expected reserved token <pad> (id 0), found '<s>'");
  p = fixture("no_tab.vocab");
  EXPECT_ERROR(Vocab::load(p), p + ":5: expected token<TAB>count, found 0 TABs (not an s2s vocabulary file?)");
  p = fixture("empty.tsv");
  EXPECT_ERROR(Vocab::load(p), p + ": empty vocabulary file");
  p = fixture("invalid_utf8.tsv");
  EXPECT_ERROR(Vocab::load(p), p + ":1: count 'G UH D' is not a non-negative integer");
  p = fixture("corrupt.spm");  // a binary file passed as a vocabulary
  EXPECT_ERROR_HAS(Vocab::load(p), p + ":");
  TempDir t;
  p = t.file("short.vocab", "<pad>\t0\n<s>\t0\n");
  EXPECT_ERROR(Vocab::load(p), p + ": ends after 2 lines; a vocabulary starts with the 4 reserved tokens <pad> <s> </s> <unk>");
  p = t.file("neg.vocab", "<pad>\t0\n<s>\t0\n</s>\t0\n<unk>\t-1\n");
  EXPECT_ERROR(Vocab::load(p), p + ":4: count '-1' is not a non-negative integer");
  p = t.file("esc.vocab", "<pad>\t0\n<s>\t0\n</s>\t0\n<unk>\t0\na\\q\t1\n");
  EXPECT_ERROR(Vocab::load(p), p + ":5: malformed backslash escape in token 'a\\q'");
  p = t.file("emptytok.vocab", "<pad>\t0\n<s>\t0\n</s>\t0\n<unk>\t0\n\t1\n");
  EXPECT_ERROR(Vocab::load(p), p + ":5: empty token");
  EXPECT_ERROR(Vocab::load("/nonexistent.vocab"), "cannot open /nonexistent.vocab: No such file or directory");
}

TEST(VocabBuild, SidesAndSharedVocabulary) {
  TempDir t;
  std::string tsv = t.file("c.tsv", "a b\tX Y\na c\tX Z\n");
  VocabBuildOptions o;
  o.type = TokenizerType::Word;
  o.side = Side::Src;
  auto src = build_vocab(CorpusSpec::parse(tsv), o);
  EXPECT_EQ(src.vocab.decode(std::vector<std::int32_t>{4, 5, 6}), (std::vector<std::string>{"a", "b", "c"}));
  o.side = Side::Tgt;
  EXPECT_EQ(build_vocab(CorpusSpec::parse(tsv), o).vocab.size(), 7);
  o.side = Side::Both;
  auto both = build_vocab(CorpusSpec::parse(tsv), o);
  EXPECT_EQ(both.vocab.size(), 10);
  EXPECT_EQ(both.sentences, 4u);
  // Parallel files: one side reads only its own file.
  std::string s = t.file("p.src", "a b\na c\n"), g = t.file("p.tgt", "X Y\n");
  o.side = Side::Src;
  EXPECT_EQ(build_vocab(CorpusSpec::parse(s + "," + g), o).vocab.size(), 7);
  o.side = Side::Both;
  EXPECT_ERROR_HAS(build_vocab(CorpusSpec::parse(s + "," + g), o), "parallel files differ in length");
  o.type = TokenizerType::Char;
  o.side = Side::Tgt;
  auto chars = build_vocab(CorpusSpec::parse(tsv), o);
  EXPECT_EQ(chars.vocab.token(4), "X");
  EXPECT_EQ(chars.vocab.count(chars.vocab.id("▁")), 2u);
}

TEST(VocabBuild, EmptySentencesAreCountedSkipsOrStrictErrors) {
  std::string p = fixture("empty_side.tsv");
  VocabBuildOptions o;
  o.side = Side::Both;
  auto r = build_vocab(CorpusSpec::parse(p), o);
  EXPECT_EQ(r.skips.of(SkipReason::EmptySide), 3u);
  EXPECT_EQ(r.sentences, 4u);
  ASSERT_EQ(r.skips.warnings().size(), 1u);
  EXPECT_EQ(r.skips.warnings()[0],
            "skipped 3 pairs with an empty side (first at " + p + ":2; --strict makes this an error)");
  o.strict = true;
  EXPECT_ERROR(build_vocab(CorpusSpec::parse(p), o), p + ":2: empty source side (--strict)");
  o.strict = false;
  o.side = Side::Tgt;  // only the target side matters now
  EXPECT_EQ(build_vocab(CorpusSpec::parse(p), o).skips.of(SkipReason::EmptySide), 2u);
  EXPECT_ERROR(parse_side("source"), "unknown side 'source' (expected src, tgt or both)");
}

}  // namespace
}  // namespace s2s::data
