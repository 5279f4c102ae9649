// Corpus readers: TSV, parallel, gzip, multi-reference, and each malformed input.
#include "data/data_test_util.h"
#include "s2s/data/corpus.h"
#include "s2s/data/multi_ref.h"

namespace s2s::data {
namespace {

using s2s::testing::fixture;
using s2s::testing::TempDir;

using Pairs = std::vector<std::pair<std::string, std::string>>;

Pairs read_pairs(const std::string& spec) {
  auto r = open_pairs(CorpusSpec::parse(spec));
  Pairs out;
  RawPair p;
  while (r->next(p)) out.emplace_back(p.src, p.tgt);
  return out;
}

TEST(CorpusSpec, OneFileOrTwoCommaSeparated) {
  EXPECT_EQ(CorpusSpec::parse("train.tsv").paths, (std::vector<std::string>{"train.tsv"}));
  EXPECT_EQ(CorpusSpec::parse("a.src,b.tgt").paths, (std::vector<std::string>{"a.src", "b.tgt"}));
  TempDir t;
  std::string comma = t.file("with,comma.tsv", "a\tb\n");
  EXPECT_EQ(CorpusSpec::parse(comma).paths, (std::vector<std::string>{comma}));
  EXPECT_ERROR(CorpusSpec::parse("a.src,"), "corpus: empty file name in 'a.src,' (expected FILE or SOURCE,TARGET)");
  EXPECT_ERROR(open_pairs(CorpusSpec::parse("a,b,c")),
               "corpus 'a,b,c': expected one TSV file or two parallel files SOURCE,TARGET, got 3 files");
}

TEST(TsvReader, ReadsPairsPlainAndGzip) {
  TempDir t;
  std::string text = "h e l l o\tHH AH L OW\nfué\tfue\n";
  Pairs expected = {{"h e l l o", "HH AH L OW"}, {"fué", "fue"}};
  EXPECT_EQ(read_pairs(t.file("a.tsv", text)), expected);
  EXPECT_EQ(read_pairs(t.gz("a.tsv.gz", text)), expected);
  EXPECT_EQ(read_pairs(fixture("crlf_bom.tsv")), (Pairs{{"h e l l o", "HH AH L OW"}, {"w o r l d", "W ER L D"}}));
}

TEST(TsvReader, MalformedLines) {
  std::string p = fixture("no_tab.tsv");
  EXPECT_ERROR(read_pairs(p), p + ":2: expected source<TAB>target, found no TAB");
  p = fixture("two_tabs.tsv");
  EXPECT_ERROR(read_pairs(p), p + ":2: expected one TAB between source and target, found 2");
  p = fixture("empty.tsv");
  EXPECT_ERROR(read_pairs(p), p + ": empty file");
  p = fixture("invalid_utf8.tsv");
  EXPECT_ERROR(read_pairs(p), p + ":2:5: invalid UTF-8 (byte 0xFF)");
  EXPECT_ERROR(read_pairs("/nonexistent/train.tsv"), "cannot open /nonexistent/train.tsv: No such file or directory");
  TempDir t;
  EXPECT_ERROR(read_pairs(t.gz("empty.gz", "")), t.path("empty.gz") + ": empty file");
}

TEST(TsvReader, EmptySidesAndBlankLinesReachTheCaller) {
  // The loader decides whether to skip them; the reader must not throw.
  EXPECT_EQ(read_pairs(fixture("empty_side.tsv")),
            (Pairs{{"o n e", "W AH N"}, {"", "T UW"}, {"t h r e e", "TH R IY"}, {"f o u r", ""}, {"", ""}}));
}

TEST(TsvReader, OverLongLinesAreFlagged) {
  TempDir t;
  LineReaderOptions o;
  o.max_line_bytes = 8;
  auto r = open_pairs(CorpusSpec::parse(t.file("l.tsv", "a\tb\n" + std::string(100, 'x') + "\ty\nc\td\n")), o);
  RawPair p;
  ASSERT_TRUE(r->next(p));
  EXPECT_FALSE(p.too_long);
  ASSERT_TRUE(r->next(p));
  EXPECT_TRUE(p.too_long);
  EXPECT_EQ(p.line, 2u);
  EXPECT_EQ(r->where(p.line, 1), t.path("l.tsv") + ":2");
  ASSERT_TRUE(r->next(p));
  EXPECT_EQ(p.src, "c");
}

TEST(ParallelReader, PairsLinesOfTwoFiles) {
  TempDir t;
  std::string s = t.file("a.src", "one\ntwo\n"), g = t.gz("a.tgt.gz", "uno\r\ndos\r\n");
  EXPECT_EQ(read_pairs(s + "," + g), (Pairs{{"one", "uno"}, {"two", "dos"}}));
  auto r = open_pairs(CorpusSpec::parse(s + "," + g));
  EXPECT_EQ(r->where(7, 0), s + ":7");
  EXPECT_EQ(r->where(7, 1), g + ":7");
}

TEST(ParallelReader, DifferentLineCountsNameBothCountsAndTheShorterFile) {
  std::string s = fixture("parallel.src"), g = fixture("parallel.tgt");
  EXPECT_ERROR(read_pairs(s + "," + g),
               "parallel files differ in length: " + s + " has 3 lines, " + g + " has 2 (" + g + " ran out first)");
  EXPECT_ERROR(read_pairs(g + "," + s),
               "parallel files differ in length: " + g + " has 2 lines, " + s + " has 3 (" + g + " ran out first)");
  std::string e = fixture("empty.tsv");
  EXPECT_ERROR(read_pairs(e + "," + e), e + ": empty file");
}

TEST(MultiRef, TabSeparatedReferences) {
  auto sets = read_multi_ref(CorpusSpec::parse(fixture("multi_ref.tsv")));
  ASSERT_EQ(sets.size(), 2u);
  EXPECT_EQ(sets[0].src, "l e t t e r s");
  EXPECT_EQ(sets[0].refs, (std::vector<std::string>{"L EH T ER Z"}));
  EXPECT_EQ(sets[1].refs, (std::vector<std::string>{"IY DH ER", "AY DH ER"}));
  EXPECT_EQ(sets[1].line, 2u);
}

TEST(MultiRef, PipeSeparatedReferences) {
  MultiRefOptions o;
  o.ref_separator = '|';
  auto sets = read_multi_ref(CorpusSpec::parse(fixture("multi_ref_pipe.tsv")), o);
  ASSERT_EQ(sets.size(), 2u);
  EXPECT_EQ(sets[1].src, "either");
  EXPECT_EQ(sets[1].refs, (std::vector<std::string>{"IY DH ER", "AY DH ER"}));
  std::string p = fixture("multi_ref.tsv");
  EXPECT_ERROR(read_multi_ref(CorpusSpec::parse(p), o),
               p + ":2: expected source<TAB>references separated by '|', found more than one TAB");
}

TEST(MultiRef, ParallelReferenceFiles) {
  TempDir t;
  std::string s = t.file("t.src", "a\nb\n"), r1 = t.file("t.ref0", "A\nB\n"), r2 = t.file("t.ref1", "AA\nBB\n");
  auto sets = read_multi_ref(CorpusSpec::parse(s + "," + r1 + "," + r2));
  ASSERT_EQ(sets.size(), 2u);
  EXPECT_EQ(sets[1].refs, (std::vector<std::string>{"B", "BB"}));
  std::string r3 = t.file("t.ref2", "A3\n");
  EXPECT_ERROR(read_multi_ref(CorpusSpec::parse(s + "," + r1 + "," + r3)),
               "multi-reference files differ in length: " + s + " has 2 lines, " + r1 + " has 2 lines, " + r3 +
                   " has 1 lines");
  std::string r4 = t.file("t.ref3", "A\n\n");
  EXPECT_ERROR(read_multi_ref(CorpusSpec::parse(s + "," + r4)), r4 + ":2: empty reference");
}

TEST(MultiRef, MalformedLinesAreErrors) {
  TempDir t;
  std::string p = t.file("m1.tsv", "src\tref\nno tab here\n");
  EXPECT_ERROR(read_multi_ref(CorpusSpec::parse(p)),
               p + ":2: expected source<TAB>reference[<TAB>reference...], found no TAB");
  p = t.file("m2.tsv", "src\tref\t\n");
  EXPECT_ERROR(read_multi_ref(CorpusSpec::parse(p)), p + ":1: reference 2 is empty");
  p = t.file("m3.tsv", "\tref\n");
  EXPECT_ERROR(read_multi_ref(CorpusSpec::parse(p)), p + ":1: empty source");
  p = fixture("empty.tsv");
  EXPECT_ERROR(read_multi_ref(CorpusSpec::parse(p)), p + ": empty file");
}

TEST(SkipStats, CountsFirstPlaceAndStrict) {
  SkipStats s;
  s.skip(SkipReason::OverMaxLength, "f:3", "too long");
  s.skip(SkipReason::OverMaxLength, "f:9", "too long");
  EXPECT_EQ(s.of(SkipReason::OverMaxLength), 2u);
  EXPECT_EQ(s.total(), 2u);
  EXPECT_EQ(s.warnings(), (std::vector<std::string>{
                              "skipped 2 pairs over the maximum length (first at f:3; --strict makes this an error)"}));
  s.strict = true;
  EXPECT_ERROR(s.skip(SkipReason::EmptySide, "f:4", "empty target side"), "f:4: empty target side (--strict)");
}

}  // namespace
}  // namespace s2s::data
