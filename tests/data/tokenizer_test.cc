// Char and word tokenizers: exact tokens and detokenize(tokenize(x)) == x.
#include "data/data_test_util.h"
#include "s2s/core/rng.h"
#include "s2s/data/char_tokenizer.h"
#include "s2s/data/utf8.h"
#include "s2s/data/word_tokenizer.h"

namespace s2s::data {
namespace {

using V = std::vector<std::string>;

TEST(CharTokenizer, CodePointsWithVisibleSpaces) {
  CharTokenizer t;
  EXPECT_EQ(t.tokenize("fué á"), (V{"f", "u", "é", "▁", "á"}));
  EXPECT_EQ(t.tokenize("漢😀"), (V{"漢", "😀"}));
  EXPECT_EQ(t.tokenize("  "), (V{"▁", "▁"}));
  EXPECT_EQ(t.tokenize(""), V{});
  // A literal ▁ is escaped as ▁▁ so that it stays distinct from a space.
  EXPECT_EQ(t.tokenize("a▁ b"), (V{"a", "▁▁", "▁", "b"}));
  EXPECT_EQ(t.detokenize(V{"a", "▁▁", "▁", "b"}), "a▁ b");
}

TEST(CharTokenizer, RoundTripsEveryString) {
  CharTokenizer t;
  for (std::string x : {"", " ", "  a  b  ", "\ttab\t", "▁▁ ▁", "fué á ñ 漢字 😀", "a\rb"})
    EXPECT_EQ(t.detokenize(t.tokenize(x)), x) << x;
  // Random strings over a mix of ASCII, spaces, ▁ and multi-byte code points.
  const char* pieces[] = {"a", "z", " ", "\t", "▁", "é", "漢", "😀", ".", "'"};
  Rng rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::string x;
    auto n = rng.below(20);
    for (std::uint64_t k = 0; k < n; ++k) x += pieces[rng.below(10)];
    auto tokens = t.tokenize(x);
    EXPECT_EQ(tokens.size(), utf8_length(x));
    ASSERT_EQ(t.detokenize(tokens), x) << x;
  }
}

TEST(CharTokenizer, ReusedTokenListGivesTheSameTokens) {
  CharTokenizer t;
  TokenList list;
  t.tokenize("a long sentence", list);
  t.tokenize("ab", list);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list.to_vector(), (V{"a", "b"}));
}

TEST(WordTokenizer, SplitsOnSpacesAndTabs) {
  WordTokenizer t;
  EXPECT_EQ(t.tokenize("l e t t e r s"), (V{"l", "e", "t", "t", "e", "r", "s"}));
  EXPECT_EQ(t.tokenize("  HH  AH\tL OW "), (V{"HH", "AH", "L", "OW"}));
  EXPECT_EQ(t.tokenize("   "), V{});
  EXPECT_EQ(t.tokenize("fué, y él."), (V{"fué,", "y", "él."}));
}

TEST(WordTokenizer, RoundTripsSingleSpacedText) {
  WordTokenizer t;
  for (std::string x : {"", "a", "l e t t e r s", "Y fueron acabados los cielos y la tierra, y todo su ornamento."})
    EXPECT_EQ(t.detokenize(t.tokenize(x)), x);
  // Other whitespace is normalised to one space: the promise is about tokens.
  EXPECT_EQ(t.detokenize(t.tokenize(" a \t b ")), "a b");
}

TEST(Tokenizer, TypesByName) {
  EXPECT_EQ(parse_tokenizer_type("char"), TokenizerType::Char);
  EXPECT_EQ(parse_tokenizer_type("word"), TokenizerType::Word);
  EXPECT_EQ(parse_tokenizer_type("spm"), TokenizerType::Spm);
  EXPECT_ERROR(parse_tokenizer_type("bpe"), "unknown tokenizer 'bpe' (expected char, word or spm)");
  EXPECT_EQ(make_simple_tokenizer(TokenizerType::Char)->type(), TokenizerType::Char);
  EXPECT_ERROR_HAS(make_simple_tokenizer(TokenizerType::Spm), "SpmTokenizer::load");
}

}  // namespace
}  // namespace s2s::data
