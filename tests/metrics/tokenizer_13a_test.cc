// 13a tokenizer rules one at a time (expected outputs worked out by hand from
// sacreBLEU's regexes; sacrebleu_compat_test checks thousands of real lines).
#include <gtest/gtest.h>

#include "s2s/metrics/text.h"
#include "s2s/metrics/tokenizer_13a.h"

namespace s2s::metrics {
namespace {

TEST(Tokenizer13a, SplitsSymbolsAndSentencePunctuation) {
  EXPECT_EQ(tokenize_13a_joined("Hello, world."), "Hello , world .");
  EXPECT_EQ(tokenize_13a_joined("a\\b`c{d}~e^f_g|h"), "a \\ b ` c { d } ~ e ^ f _ g | h");
  EXPECT_EQ(tokenize_13a_joined("(hola)"), "( hola )");
  EXPECT_EQ(tokenize_13a_joined("x..y"), "x . . y");
}

TEST(Tokenizer13a, KeepsApostrophesAndInnerHyphens) {
  EXPECT_EQ(tokenize_13a_joined("don't"), "don't");
  EXPECT_EQ(tokenize_13a_joined("A-B"), "A-B");
  EXPECT_EQ(tokenize_13a_joined("--5"), "--5");
}

TEST(Tokenizer13a, DigitsGuardPeriodsAndCommas) {
  EXPECT_EQ(tokenize_13a_joined("It costs $1,000.50 today."), "It costs $ 1,000.50 today .");
  EXPECT_EQ(tokenize_13a_joined("1.5"), "1.5");
  EXPECT_EQ(tokenize_13a_joined("3.b"), "3 . b");
  EXPECT_EQ(tokenize_13a_joined("a.5"), "a . 5");
  EXPECT_EQ(tokenize_13a_joined("5,a"), "5 , a");
  // A dash after a digit is split off.
  EXPECT_EQ(tokenize_13a_joined("3-4"), "3 - 4");
  EXPECT_EQ(tokenize_13a_joined("2-"), "2 -");
}

TEST(Tokenizer13a, UnescapesEntitiesInOrderAndDropsSkipped) {
  // &amp;lt; -> &lt; -> < because the replacements run one after another.
  EXPECT_EQ(tokenize_13a_joined("&quot;Hi&quot; &amp;lt;"), "\" Hi \" <");
  EXPECT_EQ(tokenize_13a_joined("end-\nof<skipped>line"), "endofline");
}

TEST(Tokenizer13a, NonAsciiIsNotPunctuationButUnicodeSpacesSplit) {
  EXPECT_EQ(tokenize_13a_joined("¿Qué?"), "¿Qué ?");
  EXPECT_EQ(tokenize_13a_joined("a\u00a0b\u3000c\u2009d"), "a b c d");
  EXPECT_EQ(tokenize_13a_joined(""), "");
  EXPECT_EQ(tokenize_13a_joined("  \t "), "");
}

TEST(Text, PythonWhitespaceAndUtf8) {
  EXPECT_TRUE(is_py_space(0x1C));
  EXPECT_TRUE(is_py_space(0x85));
  EXPECT_TRUE(is_py_space(0x202F));
  EXPECT_FALSE(is_py_space(0x200B));  // zero-width space is not whitespace in Python
  EXPECT_FALSE(is_py_space(0xFEFF));
  EXPECT_EQ(rstrip_py("ab \u00a0\t"), "ab");
  EXPECT_EQ(rstrip_py("\u00e9"), "\u00e9");
  const std::vector<std::string> w = split_py_whitespace(std::string_view(" a\u2028b  c "));
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[1], "b");
  // Malformed bytes become U+FFFD rather than failing.
  EXPECT_EQ(decode_utf8("a\xff"), std::u32string(U"a\uFFFD"));
  EXPECT_EQ(encode_utf8(decode_utf8("ñ€😀")), "ñ€😀");
}

}  // namespace
}  // namespace s2s::metrics
