// BLEU and chrF on cases small enough to work out by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "s2s/core/error.h"
#include "s2s/metrics/bleu.h"
#include "s2s/metrics/chrf.h"

namespace s2s::metrics {
namespace {

using Refs = std::vector<std::string>;

TEST(Bleu, HandComputedCorpusOfOneSentence) {
  // Matches: 1-grams 5/6 ("the" clipped to 1), 2-grams 3/5, 3-grams 2/4, 4-grams 1/3.
  Bleu bleu;
  bleu.add("the cat sat on the mat", Refs{"the cat sat on a mat"});
  const BleuScore s = bleu.score();
  EXPECT_EQ(s.counts, (std::vector<std::int64_t>{5, 3, 2, 1}));
  EXPECT_EQ(s.totals, (std::vector<std::int64_t>{6, 5, 4, 3}));
  EXPECT_DOUBLE_EQ(s.bp, 1.0);
  EXPECT_NEAR(s.score, 100.0 * std::pow(1.0 / 12.0, 0.25), 1e-12);
  EXPECT_EQ(bleu.format(),
            "BLEU|nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0 = 53.73 "
            "83.3/60.0/50.0/33.3 (BP = 1.000 ratio = 1.000 hyp_len = 6 ref_len = 6)");
}

TEST(Bleu, ExpSmoothingAndEffectiveOrder) {
  // 1-grams 2/3, 2-grams 1/2, 3-grams 0/1 -> 100/(2*1) = 50, no 4-grams.
  const Refs refs{"a b d"};
  const BleuScore sent = sentence_bleu("a b c", refs);
  EXPECT_NEAR(sent.precisions[2], 50.0, 1e-12);
  EXPECT_NEAR(sent.score, 100.0 * std::cbrt(2.0 / 3.0 * 0.5 * 0.5), 1e-12);
  // Without effective order the missing 4-gram precision floors the score to 0.
  EXPECT_EQ(sentence_bleu("a b c", refs, BleuOptions{}).score, 0.0);
}

TEST(Bleu, BrevityPenaltyAndClosestReference) {
  const BleuScore s = sentence_bleu("a b", Refs{"a b c d"});
  EXPECT_NEAR(s.bp, std::exp(-1.0), 1e-15);
  EXPECT_NEAR(s.score, 100.0 * std::exp(-1.0), 1e-12);
  // Lengths 3 and 7 are both 2 away from 5: the shorter one counts.
  const BleuStats st = bleu_segment_stats("a b c d e", Refs{"x y z", "a b c d e f g"});
  EXPECT_EQ(st.ref_len, 3);
  EXPECT_EQ(st.hyp_len, 5);
  // Clipping uses the max count over references: "a a" vs {"a", "a a"} matches 2.
  EXPECT_EQ(bleu_segment_stats("a a", Refs{"a", "a a"}).correct[0], 2);
}

TEST(Bleu, EmptyHypothesesScoreZeroAndVaryingReferenceCounts) {
  Bleu bleu;
  bleu.add("", Refs{"a b c"});
  bleu.add("", Refs{"a b", "c"});
  const BleuScore s = bleu.score();
  EXPECT_EQ(s.score, 0.0);
  EXPECT_EQ(s.bp, 0.0);
  EXPECT_EQ(s.ref_len, 3 + 1);  // the 2nd segment's closest reference to length 0 is "c"
  EXPECT_EQ(bleu.signature(), "nrefs:var|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0");
  EXPECT_THROW(bleu.add("a", Refs{}), Error);
}

TEST(Bleu, OtherSmoothingSignatures) {
  BleuOptions o;
  o.smooth = BleuSmooth::Floor;
  EXPECT_EQ(bleu_signature(o, 2), "nrefs:2|case:mixed|eff:no|tok:13a|smooth:floor[0.10]|version:2.6.0");
  o.smooth = BleuSmooth::AddK;
  o.tokenize = BleuTokenize::None;
  EXPECT_EQ(bleu_signature(o, 1), "nrefs:1|case:mixed|eff:no|tok:none|smooth:add-k[1.00]|version:2.6.0");
}

TEST(Chrf, HandComputed) {
  // 1-grams: P = R = 1/2; 2-grams: 0/1 both ways; orders 3..6 have no
  // reference n-grams and drop out, so P = R = 1/4 and F2 = 1/4.
  EXPECT_NEAR(sentence_chrf("ab", Refs{"ac"}), 25.0, 1e-12);
  EXPECT_NEAR(sentence_chrf("a b c", Refs{"abc"}), 100.0, 1e-12);  // whitespace is removed
  EXPECT_EQ(sentence_chrf("", Refs{"abc"}), 0.0);
  Chrf chrf;
  chrf.add("ab", Refs{"ac"});
  EXPECT_EQ(chrf.format(), "chrF2|nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.6.0 = 25.00");
}

TEST(Chrf, BestReferenceAndPlusPlus) {
  // The second reference is an exact match and wins.
  const ChrfStats st = chrf_segment_stats("abc", Refs{"xyz", "abc"});
  EXPECT_EQ(st.v[0], 3);  // hyp unigrams
  EXPECT_EQ(st.v[2], 3);  // matched unigrams
  Chrf pp(ChrfOptions::plus_plus());
  pp.add("hola, amigo", Refs{"hola amigo"});
  EXPECT_EQ(pp.name(), "chrF2++");
  // Words: "hola" "," "amigo" vs "hola" "amigo": unigrams P = 2/3, R = 1; bigrams 0.
  const ChrfStats s = pp.stats();
  EXPECT_EQ(s.v[18], 3);
  EXPECT_EQ(s.v[19], 2);
  EXPECT_EQ(s.v[20], 2);
  EXPECT_EQ(s.v[21], 2);
  EXPECT_EQ(s.v[23], 0);
}

}  // namespace
}  // namespace s2s::metrics
