// The shared option parser: forms, typed getters, defaults, and each error.
#include <gtest/gtest.h>

#include "support/error_of.h"
#include "s2s/cli/args.h"
#include "s2s/core/error.h"

namespace s2s::cli {
namespace {

using s2s::testing::error_of;

Args make() {
  Args a("s2s demo", "A demo command.");
  a.add_string("input", "FILE", std::nullopt, "input file")
      .add_string("name", "NAME", std::string("x"), "a name")
      .add_int("size", 8000, "size")
      .add_float("rate", 0.5, "rate")
      .add_flag("strict", "be strict")
      .add_choice("type", {"char", "word"}, std::string("word"), "tokenizer");
  return a;
}

bool parse(Args& a, std::vector<std::string> v) { return a.parse(v); }

TEST(Args, DefaultsAndTypedValues) {
  Args a = make();
  ASSERT_TRUE(parse(a, {"--input", "f.tsv"}));
  EXPECT_EQ(a.get_string("input"), "f.tsv");
  EXPECT_EQ(a.get_string("name"), "x");
  EXPECT_EQ(a.get_int("size"), 8000);
  EXPECT_DOUBLE_EQ(a.get_float("rate"), 0.5);
  EXPECT_FALSE(a.get_flag("strict"));
  EXPECT_EQ(a.get_string("type"), "word");
  EXPECT_TRUE(a.given("input"));
  EXPECT_FALSE(a.given("size"));
}

TEST(Args, AllForms) {
  Args a = make();
  ASSERT_TRUE(parse(a, {"--input=a=b.tsv", "--size", "-3", "--rate=1e-3", "--strict", "--type=char", "--name", ""}));
  EXPECT_EQ(a.get_string("input"), "a=b.tsv");
  EXPECT_EQ(a.get_int("size"), -3);
  EXPECT_DOUBLE_EQ(a.get_float("rate"), 1e-3);
  EXPECT_TRUE(a.get_flag("strict"));
  EXPECT_EQ(a.get_string("type"), "char");
  EXPECT_EQ(a.get_string("name"), "");
  Args b = make();
  ASSERT_TRUE(parse(b, {"--input", "f", "--strict=false"}));
  EXPECT_FALSE(b.get_flag("strict"));
}

TEST(Args, HelpIsRequestedAndGenerated) {
  Args a = make();
  EXPECT_FALSE(parse(a, {"--help"}));
  std::string h = a.help();
  EXPECT_NE(h.find("usage: s2s demo [options]"), std::string::npos);
  EXPECT_NE(h.find("  --input FILE      input file (required)\n"), std::string::npos) << h;
  EXPECT_NE(h.find("  --size N          size (default: 8000)\n"), std::string::npos) << h;
  EXPECT_NE(h.find("  --rate X          rate (default: 0.5)\n"), std::string::npos) << h;
  EXPECT_NE(h.find("  --strict          be strict\n"), std::string::npos) << h;
  EXPECT_NE(h.find("  --type char|word  tokenizer (default: word)\n"), std::string::npos) << h;
  EXPECT_NE(h.find("  --help            show this help\n"), std::string::npos) << h;
}

TEST(Args, ErrorsNameTheOption) {
  auto err = [](std::vector<std::string> v) {
    return error_of([&] {
      Args a = make();
      a.parse(v);
    });
  };
  EXPECT_EQ(err({"--input", "f", "--sise", "3"}), "s2s demo: unknown option --sise (did you mean --size?) (see s2s demo --help)");
  EXPECT_EQ(err({"--input", "f", "--zzzzzz"}), "s2s demo: unknown option --zzzzzz (see s2s demo --help)");
  EXPECT_EQ(err({"--input", "f", "--size", "big"}), "s2s demo: option --size expects an integer, got 'big'");
  EXPECT_EQ(err({"--input", "f", "--size=12x"}), "s2s demo: option --size expects an integer, got '12x'");
  EXPECT_EQ(err({"--input", "f", "--rate", "fast"}), "s2s demo: option --rate expects a number, got 'fast'");
  EXPECT_EQ(err({"--input", "f", "--strict=maybe"}), "s2s demo: option --strict expects true or false, got 'maybe'");
  EXPECT_EQ(err({"--input", "f", "--type", "spm"}), "s2s demo: option --type expects one of char|word, got 'spm'");
  EXPECT_EQ(err({"--input"}), "s2s demo: option --input expects a value (FILE)");
  EXPECT_EQ(err({"--input", "--strict"}), "s2s demo: option --input expects a value (FILE)");
  EXPECT_EQ(err({}), "s2s demo: missing required option --input FILE");
  EXPECT_EQ(err({"--input", "a", "--input", "b"}), "s2s demo: option --input given more than once");
  EXPECT_EQ(err({"stray"}), "s2s demo: unexpected argument 'stray' (options start with --)");
}

TEST(Args, DeclarationMistakesAreCaught) {
  Args a("s2s demo", "");
  a.add_int("n", 1, "");
  EXPECT_EQ(error_of([&] { a.add_int("n", 2, ""); }), "args: option --n declared twice");
  EXPECT_EQ(error_of([&] { a.add_choice("c", {"a"}, std::string("b"), ""); }), "s2s demo: option --c expects one of a, got 'b'");
  ASSERT_TRUE(a.parse(std::vector<std::string>{}));
  EXPECT_EQ(error_of([&] { a.get_string("n"); }), "args: option --n read with the wrong type");
  EXPECT_EQ(error_of([&] { a.get_int("m"); }), "args: option --m was never declared");
}

}  // namespace
}  // namespace s2s::cli
