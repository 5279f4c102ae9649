// Text-level decoding: tokenization, input order, empty lines, UNK
// replacement, alignments, output formats and attention plots.
#include <gtest/gtest.h>

#include <fstream>
#include <limits>

#include "s2s/search/attention_svg.h"
#include "s2s/search/output_format.h"
#include "s2s/search/scoring.h"
#include "s2s/search/translator.h"
#include "search/search_test_util.h"
#include "search/toy_model.h"
#include "support/temp_dir.h"

namespace s2s::testing {
namespace {

// Word vocabulary: ids 4.. for a b c d e (the toy's token ids).
data::Vocab words() {
  data::Vocab v;
  for (const char* w : {"a", "b", "c", "d", "e"}) v.add(w, 1);
  return v;
}

constexpr std::int32_t a = 4, b = 5, c = 6, d = 7;

struct Fixture {
  data::Vocab vocab = words();
  std::unique_ptr<data::Tokenizer> tok = data::make_simple_tokenizer(data::TokenizerType::Word);
  // <s> -> a, a -> <unk>, <unk> -> b, b -> </s>: every input translates to "a <unk> b".
  ToyModel model{9, bigram_table(9, {{models::kBos, a, 0.9}, {a, models::kUnk, 0.9}, {models::kUnk, b, 0.9},
                                     {b, models::kEos, 0.9}})};
  search::Translator make(search::TranslatorOptions o) {
    return search::Translator({{&model, tok.get(), &vocab, tok.get(), &vocab, false}}, o);
  }
};

TEST(Translator, KeepsInputOrderAndHandlesEmptyLines) {
  Fixture f;
  search::TranslatorOptions o;
  o.search.beam_size = 2;
  o.batch_size = 2;
  auto t = f.make(o);
  std::vector<std::string> in{"a b c", "", "d", "a zz b c d"};
  auto out = t.translate(in, 10);
  ASSERT_EQ(out.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(out[i].id, static_cast<std::int64_t>(10 + i));
    EXPECT_EQ(out[i].source, in[i]);
    ASSERT_EQ(out[i].hypotheses.size(), 1u);
  }
  EXPECT_EQ(out[0].hypotheses[0].text, "a <unk> b");
  EXPECT_EQ(out[1].hypotheses[0].text, "");  // empty in, empty out
  EXPECT_EQ(out[1].hypotheses[0].score, 0.0);
  EXPECT_EQ(out[3].src_tokens, (std::vector<std::string>{"a", "zz", "b", "c", "d"}));
  EXPECT_EQ(t.sentences(), 4);
  // Batch size changes nothing.
  o.batch_size = 1;
  auto one = f.make(o).translate(in, 10);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(one[i].hypotheses[0].text, out[i].hypotheses[0].text);
}

TEST(Translator, ReplacesUnknownsWithTheAttendedSourceToken) {
  // The step fed "a" (id 4) attends to source position 4 mod len: for the
  // 5-token input that is position 4 ("zz" is at 1, so use a 3-token input:
  // 4 mod 3 = 1).
  Fixture f;
  search::TranslatorOptions o;
  o.search.beam_size = 1;
  o.replace_unk = true;
  o.alignments = true;
  auto t = f.make(o);
  auto out = t.translate(std::vector<std::string>{"c zz d"});
  const auto& h = out[0].hypotheses[0];
  EXPECT_EQ(h.text, "a zz b");
  // Alignments: <s> fed at step 0 -> 1 mod 3 = 1; a (4) -> 1; <unk> (3) -> 0.
  EXPECT_EQ(h.alignment, (std::vector<std::pair<std::int32_t, std::int32_t>>{{1, 0}, {1, 1}, {0, 2}}));
  EXPECT_EQ(search::alignment_string(h), "1-0 1-1 0-2");

  search::PhraseTable table;
  table.add("zz", "ZED");
  o.phrase_table = &table;
  EXPECT_EQ(f.make(o).translate(std::vector<std::string>{"c zz d"})[0].hypotheses[0].text, "a ZED b");
  o.replace_unk = false;
  EXPECT_EQ(f.make(o).translate(std::vector<std::string>{"c zz d"})[0].hypotheses[0].text, "a <unk> b");
}

TEST(Translator, SourceEosIsAppendedAndNeverAligned) {
  Fixture f;
  search::TranslatorOptions o;
  o.search.beam_size = 1;
  o.alignments = true;
  o.keep_attention = true;
  search::Translator t({{&f.model, f.tok.get(), &f.vocab, f.tok.get(), &f.vocab, true}}, o);
  auto out = t.translate(std::vector<std::string>{"c d"});
  EXPECT_EQ(out[0].src_tokens, (std::vector<std::string>{"c", "d", "</s>"}));
  const auto& h = out[0].hypotheses[0];
  ASSERT_EQ(h.attention.size(), 4u * 3u);  // a <unk> b </s> x c d </s>
  // Step fed a (4): 4 mod 3 = 1; fed <unk> (3): 3 mod 3 = 0; fed b (5): position 2 is </s>, so the
  // alignment falls back to the best real token (first on ties: 0).
  EXPECT_EQ(search::alignment_string(h), "1-0 1-1 0-2");
}

TEST(Translator, RefusesEnsemblesWithDifferentTargetVocabularies) {
  Fixture f;
  data::Vocab other;
  for (const char* w : {"a", "b", "x", "d", "e"}) other.add(w, 1);
  try {
    search::Translator t({{&f.model, f.tok.get(), &f.vocab, f.tok.get(), &f.vocab, false},
                          {&f.model, f.tok.get(), &f.vocab, f.tok.get(), &other, false}},
                         {});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("first difference at id 6"), std::string::npos) << e.what();
  }
}

TEST(Translator, ScoresReferences) {
  Fixture f;
  auto t = f.make({});
  auto s = t.score(std::vector<std::string>{"a b", "c"}, std::vector<std::string>{"a <unk> b", "a"});
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].tokens, 4);
  EXPECT_NEAR(s[0].log_prob, 4 * std::log(0.9), 1e-4);
  EXPECT_EQ(s[1].tokens, 2);
  EXPECT_NEAR(s[1].log_prob, std::log(0.9) - 30.0, 1e-4);  // the table's a -> </s> is -30
}

// Lines whose first word has an odd id ("b") get NaN scores: only they fail,
// with Translation::error, in translation and in forced scoring.
TEST(Translator, NonFiniteScoresFailOnlyTheirLine) {
  Fixture f;
  const std::vector<float> table = bigram_table(9, {{models::kBos, a, 0.9}, {a, b, 0.9}, {b, models::kEos, 0.9}});
  ToyModel poisoned(9, table, std::vector<float>(81, std::numeric_limits<float>::quiet_NaN()));
  for (std::int64_t beam : {1, 3}) {
    search::TranslatorOptions o;
    o.search.beam_size = beam;
    search::Translator t({{&poisoned, f.tok.get(), &f.vocab, f.tok.get(), &f.vocab, false}}, o);
    auto out = t.translate(std::vector<std::string>{"a", "b c", "", "c"});
    ASSERT_EQ(out.size(), 4u);
    EXPECT_EQ(out[1].error, search::non_finite_scores_error(0));
    EXPECT_TRUE(out[1].hypotheses.empty());
    for (std::size_t i : {0u, 2u, 3u}) {
      EXPECT_EQ(out[i].error, "") << i;
      ASSERT_EQ(out[i].hypotheses.size(), 1u) << i;
    }
    EXPECT_EQ(out[0].hypotheses[0].text, "a b");
    EXPECT_EQ(out[2].hypotheses[0].text, "");
    std::string e;
    try {
      t.score(std::vector<std::string>{"a", "c", "b"}, std::vector<std::string>{"a b", "a b", "a b"});
    } catch (const Error& x) {
      e = x.what();
    }
    EXPECT_EQ(e.rfind("score: pair 3: the model's log-probability of the reference is ", 0), 0u) << e;
  }
}

TEST(OutputFormat, TextNBestAndJson) {
  search::Translation t;
  t.id = 7;
  t.source = "x \"y\"";
  t.src_tokens = {"x", "\"y\""};
  search::TranslatedHypothesis h;
  h.tokens = {"p", "q"};
  h.text = "p q";
  h.score = -0.5;
  h.log_prob = -1.25;
  h.alignment = {{0, 0}, {1, 1}};
  h.attention = {1, 0, 0.25, 0.75, 0.5, 0.5};
  t.hypotheses = {h, h};
  t.hypotheses[1].text = "p";
  t.hypotheses[1].score = -2.0;
  search::FormatOptions o;
  EXPECT_EQ(search::format_translation(t, o), "p q\n");
  o.alignments = true;
  EXPECT_EQ(search::format_translation(t, o), "p q ||| 0-0 1-1\n");
  o.format = search::OutputFormat::NBest;
  o.alignments = false;
  EXPECT_EQ(search::format_translation(t, o), "7 ||| p q ||| -0.500000\n7 ||| p ||| -2.000000\n");
  o.format = search::OutputFormat::Json;
  o.alignments = true;
  o.json_attention = true;
  t.hypotheses.resize(1);
  EXPECT_EQ(search::format_translation(t, o),
            "{\"id\":7,\"source\":\"x \\\"y\\\"\",\"source_tokens\":[\"x\",\"\\\"y\\\"\"],\"hypotheses\":[{\"text\":\"p q\","
            "\"tokens\":[\"p\",\"q\"],\"score\":-0.5,\"log_prob\":-1.25,\"alignment\":\"0-0 1-1\","
            "\"attention\":[[1,0],[0.25,0.75],[0.5,0.5]]}]}\n");
}

TEST(AttentionSvg, StandaloneHeatmap) {
  std::vector<std::string> src{"a", "<b>"}, out{"x", "&", "</s>"};
  std::string svg = search::attention_svg(src, out, std::vector<float>{1, 0, 0.5f, 0.5f, 0, 1}, "t");
  EXPECT_TRUE(svg.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\""));
  EXPECT_TRUE(svg.ends_with("</svg>\n"));
  EXPECT_NE(svg.find(">&lt;b&gt;</text>"), std::string::npos);
  EXPECT_NE(svg.find(">&amp;</text>"), std::string::npos);
  EXPECT_NE(svg.find(">&lt;/s&gt;</text>"), std::string::npos);
  std::size_t cells = 0;
  for (std::size_t at = svg.find("<title>"); at != std::string::npos; at = svg.find("<title>", at + 1)) ++cells;
  EXPECT_EQ(cells, 6u);
  EXPECT_NE(svg.find("fill=\"rgb(0,0,0)\" stroke=\"#ddd\"><title>1.0000"), std::string::npos);
  EXPECT_NE(svg.find("fill=\"rgb(128,128,128)\" stroke=\"#ddd\"><title>0.5000"), std::string::npos);
  EXPECT_NE(svg.find("fill=\"rgb(255,255,255)\" stroke=\"#ddd\"><title>0.0000"), std::string::npos);
  EXPECT_THROW(search::attention_svg(src, out, std::vector<float>{1, 0}), Error);
}

TEST(PhraseTable, LoadsAndReportsErrors) {
  TempDir dir;
  std::ofstream(dir.file("ok.txt")) << "# comment\nzz ||| ZED\n\n  qq|||Q Q  \nzz ||| other\n";
  auto t = search::PhraseTable::load(dir.file("ok.txt"));
  EXPECT_EQ(t.size(), 2u);
  EXPECT_EQ(*t.find("zz"), "ZED");
  EXPECT_EQ(*t.find("qq"), "Q Q");
  EXPECT_EQ(t.find("x"), nullptr);
  std::ofstream(dir.file("bad.txt")) << "a ||| b\nno bars here\n";
  try {
    search::PhraseTable::load(dir.file("bad.txt"));
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("bad.txt:2"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace s2s::testing
