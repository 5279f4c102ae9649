// s2s translate and s2s eval end to end: a tiny model trained by `s2s train`
// on string reversal, then decoded through the commands. Output must not
// depend on --batch or --threads, byte for byte.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "s2s/cli/commands.h"
#include "s2s/core/error.h"
#include "s2s/core/rng.h"
#include "s2s/io/model_dir.h"
#include "support/temp_dir.h"
#include "support/text_file.h"

namespace s2s::cli {
namespace {

std::string random_word(Rng& rng) {
  std::string w;
  for (std::uint64_t n = 3 + rng.below(4); n > 0; --n) w += static_cast<char>('a' + rng.below(6));
  return w;
}

int run(int (*command)(std::span<const std::string>), std::vector<std::string> args) { return command(args); }

std::string error_of(int (*command)(std::span<const std::string>), std::vector<std::string> args) {
  try {
    command(args);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// One trained model shared by the tests (training takes a few seconds).
class TranslateCommand : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    Rng rng(3);
    std::ofstream train(file("train.tsv")), input(file("input.txt")), test(file("test.tsv")), ref(file("ref.txt"));
    for (int i = 0; i < 2000; ++i) {
      std::string w = random_word(rng);
      train << w << '\t' << std::string(w.rbegin(), w.rend()) << '\n';
    }
    for (int i = 0; i < 60; ++i) {
      std::string w = random_word(rng), r(w.rbegin(), w.rend());
      input << (i == 7 ? std::string() : w) << '\n';  // one empty line
      if (i != 7) {
        test << w << '\t' << r << '\n';
        ref << r << '\n';
      }
    }
    train.close();
    ASSERT_EQ(run(train_command, {"--train", file("train.tsv"), "--save-dir", file("model"), "--steps", "400", "--lr",
                                  "0.003", "--batch-sentences", "64", "--model.hidden_size", "32",
                                  "--model.embedding_size", "16", "--threads", "1", "--report-every", "1000"}),
              0);
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static std::string file(const std::string& name) { return dir_->file(name); }

  // Translates input.txt with extra options into `out` and returns its text.
  static std::string translate(const std::string& out, std::vector<std::string> extra) {
    std::vector<std::string> args = {"-m", file("model"), "--input", file("input.txt"), "--output", file(out)};
    args.insert(args.end(), extra.begin(), extra.end());
    EXPECT_EQ(run(translate_command, args), 0);
    return testing::read_text(file(out));
  }

  // --batch 1 vs 64 and 5, --threads 1 vs 2: byte for byte.
  static void expect_invariant(const std::string& name, const std::vector<std::string>& options) {
    auto with = [&](const char* batch, const char* threads) {
      std::vector<std::string> o = options;
      o.insert(o.end(), {"--batch", batch, "--threads", threads});
      return o;
    };
    std::string ref = translate(name + ".1.txt", with("1", "1"));
    EXPECT_FALSE(ref.empty());
    EXPECT_EQ(first_difference(translate(name + ".64.txt", with("64", "1")), ref), "") << name << ", batch 64 vs 1";
    EXPECT_EQ(first_difference(translate(name + ".64t2.txt", with("64", "2")), ref), "") << name << ", 2 threads";
    EXPECT_EQ(first_difference(translate(name + ".5t2.txt", with("5", "2")), ref), "") << name << ", batch 5";
  }

  // "" when equal, else the first differing line of each.
  static std::string first_difference(const std::string& a, const std::string& b) {
    if (a == b) return "";
    auto la = testing::text_lines(a), lb = testing::text_lines(b);
    for (std::size_t i = 0; i < std::max(la.size(), lb.size()); ++i) {
      std::string x = i < la.size() ? la[i] : "<none>", y = i < lb.size() ? lb[i] : "<none>";
      if (x != y) return "line " + std::to_string(i + 1) + ":\n  " + x.substr(0, 300) + "\n  " + y.substr(0, 300);
    }
    return "trailing bytes differ";
  }

  static testing::TempDir* dir_;
};
testing::TempDir* TranslateCommand::dir_ = nullptr;

TEST_F(TranslateCommand, ReversesStringsAfterTraining) {
  auto out = testing::text_lines(translate("beam.txt", {}));
  auto in = testing::text_lines(testing::read_text(file("input.txt")));
  ASSERT_EQ(out.size(), in.size());
  int right = 0;
  for (std::size_t i = 0; i < in.size(); ++i) right += out[i] == std::string(in[i].rbegin(), in[i].rend());
  EXPECT_EQ(out[7], "");
  EXPECT_GE(right, 54) << "of 60 reversed exactly";
}

TEST_F(TranslateCommand, TextIsBatchAndThreadInvariant) {
  expect_invariant("text_greedy", {"--beam", "1"});
  expect_invariant("text_beam", {"--beam", "4", "--alignments"});
  expect_invariant("text_sampling", {"--sampling", "--seed", "5", "--top-k", "4"});
}

TEST_F(TranslateCommand, NBestIsBatchAndThreadInvariant) {
  expect_invariant("nbest", {"--format", "nbest", "--beam", "4", "--n-best", "3", "--length-penalty", "gnmt"});
}

TEST_F(TranslateCommand, JsonWithAttentionIsBatchAndThreadInvariant) {
  // Scores and attention weights printed to the last bit.
  expect_invariant("json", {"--format", "json", "--json-attention", "--beam", "3", "--n-best", "2"});
}

TEST_F(TranslateCommand, NBestAndJsonFormats) {
  auto nbest = testing::text_lines(translate("nbest3.txt", {"--format", "nbest", "--beam", "3", "--n-best", "3"}));
  // 59 non-empty inputs with 3 hypotheses each, the empty one with one.
  ASSERT_EQ(nbest.size(), 59u * 3 + 1);
  EXPECT_TRUE(nbest[0].starts_with("0 ||| ")) << nbest[0];
  std::size_t bars = 0;
  for (std::size_t at = nbest[0].find(" ||| "); at != std::string::npos; at = nbest[0].find(" ||| ", at + 1)) ++bars;
  EXPECT_EQ(bars, 2u);
  auto json = testing::text_lines(translate("out.json", {"--format", "json"}));
  ASSERT_EQ(json.size(), 60u);
  EXPECT_TRUE(json[0].starts_with("{\"id\":0,\"source\":")) << json[0];
  EXPECT_NE(json[0].find("\"alignment\":\""), std::string::npos) << json[0];  // on by default with attention
  EXPECT_NE(json[0].find("\"score\":"), std::string::npos);
}

TEST_F(TranslateCommand, Int8IsBatchAndThreadInvariantAndCloseToFp32) {
  expect_invariant("int8_beam", {"--beam", "4", "--compute-type", "int8"});
  auto fp32 = testing::text_lines(translate("fp32_greedy.txt", {"--beam", "1"}));
  auto int8 = testing::text_lines(translate("int8_greedy.txt", {"--beam", "1", "--compute-type", "int8"}));
  ASSERT_EQ(fp32.size(), int8.size());
  int same = 0;
  for (std::size_t i = 0; i < fp32.size(); ++i) same += fp32[i] == int8[i];
  EXPECT_GE(same, 54) << "of 60 int8 outputs equal to fp32's";
  // auto is fp32 for now; a list gives each model of an ensemble its type.
  EXPECT_EQ(translate("auto_greedy.txt", {"--beam", "1", "--compute-type", "auto"}), translate("fp32_greedy.txt", {"--beam", "1"}));
  EXPECT_EQ(testing::text_lines(translate("mixed.txt", {"-m", file("model"), "--compute-type", "int8,fp32"})).size(), 60u);
  EXPECT_EQ(run(eval_command, {"-m", file("model"), "--test", file("test.tsv"), "--metrics", "chrf", "--compute-type",
                               "int8", "--output", file("eval_int8.txt")}),
            0);
}

TEST_F(TranslateCommand, ComputeTypeErrorsAreOneLine) {
  EXPECT_NE(error_of(translate_command, {"-m", file("model"), "--compute-type", "int4"})
                .find("s2s translate: --compute-type: unknown compute type 'int4' (expected fp32, int8, bf16 or auto)"),
            std::string::npos);
  EXPECT_NE(error_of(translate_command, {"-m", file("model"), "--compute-type", "int8,fp32"})
                .find("--compute-type lists 2 types for 1 models"),
            std::string::npos);
  EXPECT_NE(error_of(eval_command, {"--hyp", file("ref.txt"), "--ref", file("ref.txt"), "--compute-type", "int8"})
                .find("--compute-type is a decoding option"),
            std::string::npos);
}

// Translates input.txt with the model directory `model` alone.
std::string translate_with(const std::string& model, const std::string& input, const std::string& out,
                           std::vector<std::string> extra) {
  std::vector<std::string> args = {"-m", model, "--input", input, "--output", out};
  args.insert(args.end(), extra.begin(), extra.end());
  EXPECT_EQ(run(translate_command, args), 0);
  return testing::read_text(out);
}

// s2s quantize --to int8: the copy decodes (in int8, its default) to the bytes
// --compute-type int8 gives on the fp32 model, greedy and beam; it cannot be
// quantized again or trained, and an output that exists is not replaced.
TEST_F(TranslateCommand, QuantizedCopyDecodesLikeInt8AtLoad) {
  const std::string q = file("model-int8"), in = file("input.txt"), out = file("q.txt");
  if (!std::filesystem::exists(q)) {
    ASSERT_EQ(run(quantize_command, {"-m", file("model"), "--to", "int8", "-o", q}), 0);
  }
  for (const char* beam : {"1", "5"}) {
    SCOPED_TRACE(std::string("beam ") + beam);
    const std::string want = translate_with(file("model"), in, out, {"--beam", beam, "--compute-type", "int8"});
    EXPECT_EQ(translate_with(q, in, out, {"--beam", beam}), want);
    EXPECT_EQ(translate_with(q, in, out, {"--beam", beam, "--compute-type", "auto"}), want);
    EXPECT_EQ(translate_with(q, in, out, {"--beam", beam, "--compute-type", "int8"}), want);
  }
  // The copy's batch and thread invariance, byte for byte.
  auto with = [&](const char* batch, const char* threads) {
    return translate_with(q, in, out, {"--beam", "4", "--batch", batch, "--threads", threads});
  };
  const std::string ref = with("1", "1");
  EXPECT_EQ(with("64", "2"), ref);
  EXPECT_EQ(with("5", "1"), ref);
  EXPECT_EQ(error_of(quantize_command, {"-m", q, "--to", "int8", "-o", file("model-int8-again")}),
            "s2s quantize: " + q + " is already stored in int8: quantize the fp32 model directory it was made from");
  EXPECT_EQ(error_of(quantize_command, {"-m", file("model"), "--to", "int8", "-o", q}),
            "s2s quantize: " + q + " already exists; the quantized model goes to a new directory");
  const std::string refusal =
      q + ": its weights are stored in int8 (s2s quantize), for decoding only: train or resume from the fp32 model "
          "directory it was made from";
  EXPECT_EQ(error_of(train_command, {"--resume", q}), refusal);
  EXPECT_EQ(error_of(train_command, {"--train", file("train.tsv"), "--save-dir", q, "--steps", "1"}), refusal);
}

// s2s quantize --to bf16: the copy decodes like --compute-type bf16 on the
// fp32 model (bf16-rounded weights, fp32 arithmetic on this CPU).
TEST_F(TranslateCommand, Bf16CopyDecodesLikeBf16AtLoad) {
  const std::string q = file("model-bf16"), in = file("input.txt"), out = file("b.txt");
  if (!std::filesystem::exists(q)) {
    ASSERT_EQ(run(quantize_command, {"-m", file("model"), "--to", "bf16", "-o", q}), 0);
  }
  EXPECT_EQ(translate_with(q, in, out, {"--beam", "5"}),
            translate_with(file("model"), in, out, {"--beam", "5", "--compute-type", "bf16"}));
  EXPECT_EQ(error_of(quantize_command, {"-m", q, "--to", "int8", "-o", file("model-bf16-int8")}),
            "s2s quantize: " + q + " is already stored in bf16: quantize the fp32 model directory it was made from");
}

TEST_F(TranslateCommand, EnsembleOfOneModelTwiceEqualsTheModel) {
  std::string one = translate("single.txt", {"--format", "nbest", "--n-best", "2"});
  std::string two = translate("double.txt", {"-m", file("model"), "--format", "nbest", "--n-best", "2"});
  EXPECT_EQ(one, two);
}

TEST_F(TranslateCommand, AttentionPlotPerSentence) {
  translate("plot_run.txt", {"--attention-plot", file("plots/att.svg")});
  std::string svg = testing::read_text(file("plots/att.0.svg"));
  EXPECT_TRUE(svg.starts_with("<?xml")) << svg.substr(0, 40);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(file("plots/att.59.svg")));
  EXPECT_FALSE(std::filesystem::exists(file("plots/att.7.svg")));  // the empty line
}

TEST_F(TranslateCommand, EvalScoresFilesAndModels) {
  translate("hyp.txt", {});
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(run(eval_command, {"--hyp", file("hyp.txt"), "--ref", file("input.txt"), "--metrics", "bleu,wer"}), 1 - 1);
  std::string files = ::testing::internal::GetCapturedStdout();
  EXPECT_TRUE(files.starts_with("BLEU|nrefs:1|")) << files;
  EXPECT_NE(files.find("\nWER"), std::string::npos) << files;

  ::testing::internal::CaptureStdout();
  EXPECT_EQ(run(eval_command, {"-m", file("model"), "--test", file("test.tsv"), "--metrics", "chrf,ppl", "--output",
                               file("eval_hyps.txt")}),
            0);
  std::string model = ::testing::internal::GetCapturedStdout();
  EXPECT_TRUE(model.starts_with("chrF2|nrefs:1|")) << model;
  EXPECT_NE(model.find("\nPPL = "), std::string::npos) << model;
  EXPECT_EQ(testing::text_lines(testing::read_text(file("eval_hyps.txt"))).size(), 59u);
}

TEST_F(TranslateCommand, UserErrorsAreOneLine) {
  EXPECT_NE(error_of(translate_command, {"--input", file("input.txt")}).find("missing required option -m"),
            std::string::npos);
  EXPECT_NE(error_of(translate_command, {"-m", file("model"), "--sampling", "--beam", "3"}).find("no --beam"),
            std::string::npos);
  EXPECT_NE(error_of(translate_command, {"-m", file("model"), "--top-k", "3"}).find("only with --sampling"),
            std::string::npos);
  EXPECT_NE(error_of(translate_command, {"-m", file("nowhere")}).find("not a model directory"), std::string::npos);
  EXPECT_NE(error_of(eval_command, {"--hyp", file("input.txt")}).find("--ref"), std::string::npos);
  EXPECT_NE(error_of(eval_command, {"--hyp", file("input.txt"), "--ref", file("input.txt"), "--beam", "2"})
                .find("decoding option"),
            std::string::npos);
}

// A copy of the trained model with every weight +-3e38: finite, but every
// dot product overflows, so every score is NaN.
std::string overflowing_copy(const std::string& from, const std::string& to) {
  std::filesystem::copy(from, to, std::filesystem::copy_options::recursive);
  io::ModelDir d = io::load_model_dir(to);
  for (autograd::Parameter* p : d.model->parameters())
    for (float& x : p->value.span()) x = x >= 0.0f ? 3e38f : -3e38f;
  io::write_model_weights(to, *d.model, d.vocab);
  return to;
}

// Greedy search used to corrupt the heap on such a model (exit 134), beam
// search to print empty lines with exit 0, s2s eval to die with
// vector::_M_range_check. Now each is one error naming the line.
TEST_F(TranslateCommand, NonFiniteScoresAreAnErrorNamingTheLine) {
  const std::string huge = overflowing_copy(file("model"), file("model_huge"));
  const std::string expected = "s2s translate: " + file("input.txt") +
                               ": input line 1: the model's scores became non-finite (NaN or infinite) at output token "
                               "1: its weights hold NaN/Inf or are so large that the logits overflow";
  for (std::vector<std::string> options : {std::vector<std::string>{"--beam", "1"}, {"--beam", "4", "--n-best", "2"},
                                           {"--sampling", "--seed", "3"}, {"--beam", "1", "--format", "json"}}) {
    std::vector<std::string> args = {"-m", huge, "--input", file("input.txt"), "--output", file("huge_out.txt")};
    args.insert(args.end(), options.begin(), options.end());
    EXPECT_EQ(error_of(translate_command, args), expected) << options[1];
  }
  EXPECT_EQ(error_of(eval_command, {"-m", huge, "--test", file("test.tsv"), "--metrics", "chrf"}),
            "s2s eval: " + file("test.tsv") +
                ": pair 1: the model's scores became non-finite (NaN or infinite) at output token 1: its weights hold "
                "NaN/Inf or are so large that the logits overflow");
  // (eval translates before it scores, so ppl alone fails the same way;
  // Translator::score's own check is in tests/search/translator_test.cc.)
  EXPECT_NE(error_of(eval_command, {"-m", huge, "--test", file("test.tsv"), "--metrics", "ppl"}).find(": pair 1: "),
            std::string::npos);
  // Ensembled with a sound model, the average is NaN too.
  EXPECT_EQ(error_of(translate_command, {"-m", file("model"), "-m", huge, "--input", file("input.txt"), "--output",
                                         file("huge_out.txt")}),
            expected);
}

TEST_F(TranslateCommand, NegativeThreadsAreRefused) {
  EXPECT_EQ(error_of(translate_command, {"-m", file("model"), "--threads", "-2"}),
            "s2s translate: --threads must be >= 0 (0: all cores), got -2");
  EXPECT_EQ(error_of(eval_command, {"-m", file("model"), "--test", file("test.tsv"), "--threads", "-1"}),
            "s2s eval: --threads must be >= 0 (0: all cores), got -1");
}

// `--config DIR` used to read as an empty file and train with every default.
TEST_F(TranslateCommand, TrainRefusesADirectoryAsConfig) {
  EXPECT_EQ(error_of(train_command, {"--config", file("model"), "--save-dir", file("unused")}),
            file("model") + ": is a directory, expected a file");
  EXPECT_FALSE(std::filesystem::exists(file("unused")));
}

}  // namespace
}  // namespace s2s::cli
