// ConvS2S through the commands: a tiny one trained by `s2s train` on string
// reversal decodes correctly through `s2s translate`, and its outputs with
// alignments (the decoder layers' attention averaged) do not depend on
// --batch or --threads, byte for byte. (`s2s serve`, resume, averaging and
// data-parallel runs take every family: tests/serve, tests/train, tests/app.)
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "s2s/cli/commands.h"
#include "s2s/core/rng.h"
#include "s2s/io/model_dir.h"
#include "support/temp_dir.h"
#include "support/text_file.h"

namespace s2s::cli {
namespace {

class TranslateConvS2S : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    Rng rng(4);
    auto word = [&] {
      std::string w;
      for (std::uint64_t n = 3 + rng.below(4); n > 0; --n) w += static_cast<char>('a' + rng.below(6));
      return w;
    };
    std::ofstream train(file("train.tsv")), input(file("input.txt"));
    for (int i = 0; i < 2000; ++i) {
      std::string w = word();
      train << w << '\t' << std::string(w.rbegin(), w.rend()) << '\n';
    }
    for (int i = 0; i < 40; ++i) input << word() << '\n';
    train.close();
    input.close();
    std::vector<std::string> args = {"--train", file("train.tsv"), "--save-dir", file("model"), "--steps", "500",
                                     "--lr", "0.003", "--batch-sentences", "32", "--model.type", "convs2s",
                                     "--model.embedding_size", "32", "--model.convs2s.channels", "32",
                                     "--model.convs2s.layers", "2", "--model.dropout", "0.1", "--threads", "1",
                                     "--report-every", "1000"};
    ASSERT_EQ(train_command(args), 0);
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static std::string file(const std::string& name) { return dir_->file(name); }

  static std::string translate(const std::string& out, std::vector<std::string> extra) {
    std::vector<std::string> args = {"-m", file("model"), "--input", file("input.txt"), "--output", file(out)};
    args.insert(args.end(), extra.begin(), extra.end());
    EXPECT_EQ(translate_command(args), 0);
    return testing::read_text(file(out));
  }

  static testing::TempDir* dir_;
};
testing::TempDir* TranslateConvS2S::dir_ = nullptr;

TEST_F(TranslateConvS2S, TheModelDirectoryNamesTheFamily) {
  auto config = io::read_model_config(file("model"));
  EXPECT_EQ(config.at("model.type"), "convs2s");
  EXPECT_EQ(config.at("model.convs2s.channels"), "32");
  EXPECT_EQ(config.at("model.convs2s.encoder_layers"), "2");
}

TEST_F(TranslateConvS2S, ReversesStringsAfterTraining) {
  auto out = testing::text_lines(translate("beam.txt", {}));
  auto in = testing::text_lines(testing::read_text(file("input.txt")));
  ASSERT_EQ(out.size(), in.size());
  int right = 0;
  for (std::size_t i = 0; i < in.size(); ++i) right += out[i] == std::string(in[i].rbegin(), in[i].rend());
  EXPECT_GE(right, 36) << "of 40 reversed exactly";
}

TEST_F(TranslateConvS2S, AlignmentsAndScoresAreBatchAndThreadInvariant) {
  for (const std::vector<std::string>& options :
       {std::vector<std::string>{"--beam", "4", "--alignments", "--format", "nbest", "--n-best", "2"},
        std::vector<std::string>{"--beam", "1", "--format", "json", "--json-attention"}}) {
    auto with = [&](const char* batch, const char* threads) {
      std::vector<std::string> o = options;
      o.insert(o.end(), {"--batch", batch, "--threads", threads});
      return o;
    };
    std::string ref = translate("ref.txt", with("1", "1"));
    ASSERT_FALSE(ref.empty());
    EXPECT_EQ(translate("b64.txt", with("64", "1")), ref) << options[1];
    EXPECT_EQ(translate("b5t2.txt", with("5", "2")), ref) << options[1];
  }
}

}  // namespace
}  // namespace s2s::cli
