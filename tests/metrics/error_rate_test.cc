// WER / SER / PER and perplexity on hand-computed cases.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "s2s/core/error.h"
#include "s2s/metrics/error_rate.h"
#include "s2s/metrics/perplexity.h"

namespace s2s::metrics {
namespace {

using Toks = std::vector<std::string>;
using Refs = std::vector<std::string>;

TEST(EditDistance, HandComputed) {
  EXPECT_EQ(edit_distance(Toks{"a", "b", "c"}, Toks{"a", "x", "c"}), 1);       // substitution
  EXPECT_EQ(edit_distance(Toks{"a", "b"}, Toks{"a", "b", "c", "d"}), 2);       // deletions
  EXPECT_EQ(edit_distance(Toks{"a", "b", "c", "d"}, Toks{"b", "d"}), 2);       // insertions
  EXPECT_EQ(edit_distance(Toks{}, Toks{"a", "b"}), 2);
  EXPECT_EQ(edit_distance(Toks{"c", "b", "a"}, Toks{"a", "b", "c"}), 2);
  // kitten -> sitting, as characters: the textbook 3.
  EXPECT_EQ(edit_distance(Toks{"k", "i", "t", "t", "e", "n"}, Toks{"s", "i", "t", "t", "i", "n", "g"}), 3);
}

TEST(PositionIndependent, HandComputed) {
  EXPECT_EQ(position_independent_errors(Toks{"c", "b", "a"}, Toks{"a", "b", "c"}), 0);
  EXPECT_EQ(position_independent_errors(Toks{"a", "a", "b"}, Toks{"a", "b"}), 1);  // one extra "a"
  EXPECT_EQ(position_independent_errors(Toks{"a"}, Toks{"a", "b", "c"}), 2);
  EXPECT_EQ(position_independent_errors(Toks{"x", "y"}, Toks{"a", "b", "c"}), 3);
}

TEST(ErrorRates, CorpusSumsDistancesOverReferenceLengths) {
  ErrorRates r;
  r.add("a b c", Refs{"a x c"});   // 1 edit, ref 3; PER 1
  r.add("a b", Refs{"a b c d"});   // 2 edits, ref 4; PER 2
  r.add("b a", Refs{"a b"});       // 2 edits, ref 2; PER 0
  EXPECT_EQ(r.stats().edits, 5);
  EXPECT_EQ(r.stats().edit_ref_len, 9);
  EXPECT_NEAR(r.wer(), 100.0 * 5 / 9, 1e-12);
  EXPECT_NEAR(r.per(), 100.0 * 3 / 9, 1e-12);
  EXPECT_NEAR(r.ser(), 100.0, 1e-12);
}

TEST(ErrorRates, G2pWithSeveralPronunciations) {
  ErrorRates r;
  r.add("K AE T", Refs{"K AA T", "K AE T"});  // matches the 2nd reference: correct word
  r.add("T AH M EY T OW", Refs{"T AH M AA T OW", "T AH M EY T OW"});
  r.add("D AO G", Refs{"D AA G", "D AO G Z"});  // 1 edit either way: the first (length 3) counts
  r.add("HH", Refs{"HH AH L OW"});              // 3 deletions
  EXPECT_EQ(r.stats().wrong_segments, 2);
  EXPECT_NEAR(r.ser(), 50.0, 1e-12);
  EXPECT_EQ(r.stats().edits, 4);
  EXPECT_EQ(r.stats().edit_ref_len, 3 + 6 + 3 + 4);
  EXPECT_NEAR(r.wer(), 100.0 * 4 / 16, 1e-12);
}

TEST(ErrorRates, EmptyLinesAndWhitespace) {
  ErrorRates r;
  r.add("", Refs{""});             // empty vs empty: correct, no tokens
  EXPECT_EQ(r.wer(), 0.0);
  EXPECT_EQ(r.ser(), 0.0);
  r.add(" a\tb ", Refs{"a b"});    // tokenization ignores the kind and amount of whitespace
  EXPECT_EQ(r.wer(), 0.0);
  ErrorRates bad;
  bad.add("a", Refs{""});          // an error against no reference tokens has no rate
  EXPECT_EQ(bad.ser(), 100.0);
  EXPECT_THROW(bad.wer(), Error);
  EXPECT_THROW(bad.add("a", Refs{}), Error);
}

TEST(Perplexity, FromSummedNll) {
  EXPECT_NEAR(perplexity(10 * std::log(4.0), 10), 4.0, 1e-12);
  Perplexity p;
  p.add(2 * std::log(2.0), 2);
  p.add(std::log(16.0), 2);  // total log(64) over 4 tokens -> 64^(1/4)
  EXPECT_NEAR(p.value(), std::pow(64.0, 0.25), 1e-12);
  EXPECT_THROW(perplexity(1.0, 0), Error);
  EXPECT_THROW(perplexity(-1.0, 3), Error);
  EXPECT_THROW(perplexity(NAN, 3), Error);
}

}  // namespace
}  // namespace s2s::metrics
