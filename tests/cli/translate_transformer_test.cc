// The Transformer through the commands: a tiny one trained by `s2s train` on
// string reversal decodes correctly, its outputs with alignments (from the
// cross-attention) do not depend on --batch or --threads, byte for byte, and
// alignments feed --replace-unk and the attention plot.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <cstdio>
#include <sstream>
#include <string>

#include "s2s/cli/commands.h"
#include "s2s/core/rng.h"
#include "support/temp_dir.h"
#include "support/text_file.h"

namespace s2s::cli {
namespace {

class TranslateTransformer : public ::testing::Test {
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
      if (i % 20 == 0) w[rng.below(w.size())] = 'g';  // rarer than data.min_freq: <unk> on both sides
      train << w << '\t' << std::string(w.rbegin(), w.rend()) << '\n';
    }
    for (int i = 0; i < 40; ++i) input << word() << '\n';
    input << "abgce\n";
    train.close();
    input.close();
    std::vector<std::string> args = {"--train", file("train.tsv"), "--save-dir", file("model"), "--steps", "600",
                                     "--lr", "0.003", "--batch-sentences", "32", "--model.type", "transformer",
                                     "--model.embedding_size", "32", "--model.transformer.d_model", "32",
                                     "--model.transformer.heads", "4", "--model.transformer.ffn_size", "64",
                                     "--model.transformer.layers", "2", "--data.min_freq", "200", "--threads", "1",
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
testing::TempDir* TranslateTransformer::dir_ = nullptr;

TEST_F(TranslateTransformer, ReversesStringsAfterTraining) {
  auto out = testing::text_lines(translate("beam.txt", {}));
  auto in = testing::text_lines(testing::read_text(file("input.txt")));
  ASSERT_EQ(out.size(), in.size());
  int right = 0;
  for (std::size_t i = 0; i + 1 < in.size(); ++i) right += out[i] == std::string(in[i].rbegin(), in[i].rend());
  EXPECT_GE(right, 36) << "of 40 reversed exactly";
}

TEST_F(TranslateTransformer, AlignmentsAndScoresAreBatchAndThreadInvariant) {
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
  // Reversal: output position j should mostly be aligned with source position n-1-j.
  auto aligned = testing::text_lines(translate("aligned.txt", {"--alignments"}));
  auto in = testing::text_lines(testing::read_text(file("input.txt")));
  int pairs = 0, mirrored = 0;
  for (std::size_t i = 0; i < aligned.size(); ++i) {
    std::size_t bar = aligned[i].find(" ||| ");
    ASSERT_NE(bar, std::string::npos) << aligned[i];
    std::stringstream links(aligned[i].substr(bar + 5));
    for (std::string link; links >> link;) {
      int src = std::stoi(link.substr(0, link.find('-'))), out = std::stoi(link.substr(link.find('-') + 1));
      ++pairs;
      mirrored += src + out + 1 == static_cast<int>(in[i].size());
    }
  }
  std::printf("  %d of %d alignment links mirrored\n", mirrored, pairs);
  EXPECT_GE(mirrored, pairs * 8 / 10);
}

TEST_F(TranslateTransformer, UnknownWordsAreReplacedThroughTheAlignments) {
  auto plain = testing::text_lines(translate("unk_plain.txt", {}));
  auto replaced = testing::text_lines(translate("unk_replaced.txt", {"--replace-unk"}));
  ASSERT_EQ(plain.size(), replaced.size());
  EXPECT_NE(plain.back().find("<unk>"), std::string::npos) << plain.back();
  EXPECT_EQ(replaced.back().find("<unk>"), std::string::npos) << replaced.back();
  EXPECT_EQ(replaced.back(), "ecgba");
}

TEST_F(TranslateTransformer, AttentionPlotPerSentence) {
  translate("plot_run.txt", {"--attention-plot", file("plots/att.svg")});
  std::string svg = testing::read_text(file("plots/att.0.svg"));
  EXPECT_TRUE(svg.starts_with("<?xml")) << svg.substr(0, 40);
  EXPECT_TRUE(std::filesystem::exists(file("plots/att.40.svg")));
}

}  // namespace
}  // namespace s2s::cli
