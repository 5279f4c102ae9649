// s2s average end to end, for each model family: a tiny run trained by
// `s2s train` with gradient accumulation and the noam schedule, its last
// checkpoints averaged by `s2s average`, the average decoded by
// `s2s translate`.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "s2s/cli/commands.h"
#include "s2s/core/error.h"
#include "s2s/core/rng.h"
#include "s2s/io/checkpoint.h"
#include "s2s/io/model_dir.h"
#include "support/temp_dir.h"

namespace s2s::cli {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> lines_in(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

std::string error_of(std::vector<std::string> args) {
  try {
    average_command(args);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// The model options of a tiny model of each family (width 32 for noam's model_dim).
std::vector<std::string> model_args(const std::string& family) {
  if (family == "transformer")
    return {"--model.type", "transformer", "--model.embedding_size", "32", "--model.transformer.d_model", "32",
            "--model.transformer.heads", "4", "--model.transformer.ffn_size", "64", "--model.transformer.layers", "2"};
  if (family == "convs2s")
    return {"--model.type", "convs2s", "--model.embedding_size", "16", "--model.convs2s.channels", "32",
            "--model.convs2s.layers", "2"};
  return {"--model.rnn.hidden_size", "32", "--model.embedding_size", "16"};
}

class AverageCommand : public ::testing::TestWithParam<std::string> {};

TEST_P(AverageCommand, AveragesTheLastCheckpointsIntoAModelThatTranslates) {
  testing::TempDir dir;
  Rng rng(5);
  {
    std::ofstream train(dir.file("train.tsv")), input(dir.file("input.txt"));
    for (int i = 0; i < 600; ++i) {
      std::string w;
      for (std::uint64_t n = 3 + rng.below(3); n > 0; --n) w += static_cast<char>('a' + rng.below(5));
      train << w << '\t' << std::string(w.rbegin(), w.rend()) << '\n';
      if (i < 20) input << w << '\n';
    }
  }
  const std::string model = dir.file("model"), avg = dir.file("avg");
  std::vector<std::string> train_args = {
      "--train", dir.file("train.tsv"), "--save-dir", model, "--steps", "90", "--save-every", "30",
      "--train.keep_checkpoints", "5", "--accum-steps", "2", "--batch-sentences", "16", "--schedule", "noam",
      "--lr", "1", "--warmup", "20", "--schedule.model_dim", "32", "--threads", "1", "--report-every", "1000",
      "--train.progress", "false"};
  for (const std::string& a : model_args(GetParam())) train_args.push_back(a);
  ASSERT_EQ(train_command(train_args), 0);
  ASSERT_EQ(io::list_checkpoint_dirs(model).size(), 3u);  // steps 30, 60, 90 (the final one replaces the periodic one at 90)

  std::vector<std::string> args = {"-m", model, "--last", "3", "-o", avg};
  ASSERT_EQ(average_command(args), 0);
  EXPECT_EQ(io::read_model_config(avg).at("model.type"), GetParam());
  for (const char* f : {"config.yaml", "model.safetensors", "src.vocab", "tgt.vocab"})
    EXPECT_TRUE(fs::is_regular_file(avg + "/" + f)) << f;

  std::vector<std::string> translate = {"-m", avg, "--input", dir.file("input.txt"), "--output", dir.file("out.txt")};
  ASSERT_EQ(translate_command(translate), 0);
  EXPECT_EQ(lines_in(dir.file("out.txt")).size(), 20u);

  // Refused: the output exists now; no way to choose; a repeated model.
  EXPECT_EQ(error_of({"-m", model, "--last", "1", "-o", avg}),
            "s2s average: " + avg + " already exists; the average goes to a new model directory");
  EXPECT_EQ(error_of({"-m", model, "-o", dir.file("x")}),
            "s2s average: give either --last N or --checkpoints A B ..., not neither");
  EXPECT_EQ(error_of({"-m", model, "-m", model, "--last", "1", "-o", dir.file("x")}),
            "s2s average: option -m/--model given more than once");
  EXPECT_EQ(error_of({"--last", "1", "-o", dir.file("x")}),
            "s2s average: missing required option -m DIR (the training run's model directory)");
  EXPECT_EQ(error_of({"-m", model, "--checkpoints", "-o", dir.file("x")}),
            "s2s average: option --checkpoints expects one or more checkpoints");
  // --checkpoints takes several values.
  const std::string first = fs::path(io::list_checkpoint_dirs(model)[0]).filename().string();
  const std::string second = fs::path(io::list_checkpoint_dirs(model)[1]).filename().string();
  std::vector<std::string> listed = {"-m", model, "--checkpoints", first, second, "-o", dir.file("avg2")};
  ASSERT_EQ(average_command(listed), 0);
  EXPECT_TRUE(fs::is_regular_file(dir.file("avg2/model.safetensors")));
}

INSTANTIATE_TEST_SUITE_P(Families, AverageCommand, ::testing::Values("rnn", "transformer", "convs2s"),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace s2s::cli
