// The model directory and checkpoints: everything loads back, and every kind
// of damage or mismatch is one clear error naming the file.
#include "s2s/io/model_dir.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "s2s/io/atomic_file.h"
#include "s2s/io/checkpoint.h"
#include "s2s/io/training_run.h"
#include "support/error_of.h"
#include "support/temp_dir.h"
#include "train/tiny_run.h"

namespace s2s::io {
namespace {

namespace fs = std::filesystem;

using s2s::testing::error_of;

class ModelDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::write_tiny_corpus(dir_.path());
    train::RunConfig c = testing::tiny_config(dir_.path());
    c.train.steps = 20;
    c.train.log = "none";
    TrainingRunOptions o;
    o.console = nullptr;
    run_training(c, o);
    model_ = dir_.file("model");
  }
  void replace_in(const std::string& file, const std::string& from, const std::string& to) {
    std::string text = read_file(file);
    auto pos = text.find(from);
    ASSERT_NE(pos, std::string::npos) << from;
    write_file_atomic(file, text.replace(pos, from.size(), to));
  }

  testing::TempDir dir_;
  std::string model_;
};

TEST_F(ModelDirTest, LoadsBackWithTheFilesWeights) {
  ModelDir d = load_model_dir(model_);
  EXPECT_EQ(d.model_config.src_vocab_size, 12);
  EXPECT_EQ(d.vocab.src_vocab->token(4).size(), 1u);
  EXPECT_EQ(d.weights_metadata.at("format"), "s2s");
  // The weights are the file's: a second load gives identical parameters.
  ModelDir again = load_model_dir(model_);
  auto a = d.model->parameters(), b = again.model->parameters();
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i]->value.to_vector(), b[i]->value.to_vector()) << a[i]->name;
}

TEST_F(ModelDirTest, MissingPiecesAreNamed) {
  EXPECT_EQ(error_of([&] { load_model_dir(dir_.file("none")); }),
            dir_.file("none") + ": not a model directory (it does not exist or is not a directory)");
  EXPECT_EQ(error_of([&] { load_model_dir(dir_.path()); }), dir_.path() + ": not a model directory (no config.yaml)");
  fs::remove(model_ + "/model.safetensors");
  EXPECT_EQ(error_of([&] { load_model_dir(model_); }), model_ + ": no model.safetensors (training has not saved a model yet)");
}

TEST_F(ModelDirTest, ShapeMismatchNamesTheTensor) {
  replace_in(model_ + "/config.yaml", "hidden_size: 16", "hidden_size: 24");
  std::string e = error_of([&] { load_model_dir(model_); });
  EXPECT_NE(e.find(model_ + "/model.safetensors: tensor '"), std::string::npos) << e;
  EXPECT_NE(e.find("the model expects ["), std::string::npos) << e;
  EXPECT_EQ(e.find('\n'), std::string::npos);
}

TEST_F(ModelDirTest, VocabularySizeMustMatchTheConfig) {
  std::ofstream(model_ + "/src.vocab", std::ios::app) << "zz\t1\n";
  EXPECT_EQ(error_of([&] { load_model_dir(model_); }),
            model_ + "/src.vocab has 13 tokens, " + model_ + "/config.yaml says model.src_vocab_size 12");
}

TEST_F(ModelDirTest, CorruptFilesGiveOneLine) {
  std::string w = model_ + "/model.safetensors";
  std::string bytes = read_file(w);
  write_file_atomic(w, bytes.substr(0, bytes.size() / 2));
  std::string e = error_of([&] { load_model_dir(model_); });
  EXPECT_EQ(e.rfind(w + ": truncated (tensor '", 0), 0u) << e;
  write_file_atomic(model_ + "/config.yaml", "model:\n  cell: [gru\n");
  e = error_of([&] { load_model_dir(model_); });
  EXPECT_EQ(e.rfind(model_ + "/config.yaml:3: ", 0), 0u) << e;
  write_file_atomic(model_ + "/config.yaml", "model:\n  cell: tree\n");
  EXPECT_EQ(error_of([&] { load_model_dir(model_); }),
            model_ + "/config.yaml: model.cell: expected one of rnn_tanh|rnn_relu|gru|lstm, got 'tree'");
}

TEST_F(ModelDirTest, CheckpointDamageAndMismatchAreNamed) {
  std::string ckpt = find_checkpoint(model_);
  EXPECT_EQ(checkpoint_step(ckpt), 20);
  EXPECT_EQ(find_checkpoint(ckpt), ckpt);  // a checkpoint directory names itself
  // A half-written checkpoint (still under its temporary name) is never picked.
  fs::create_directories(model_ + "/checkpoints/000009-step-999.tmp123");
  EXPECT_EQ(find_checkpoint(model_), ckpt);

  train::RunConfig sgd = resume_config(model_, {{"optim.optimizer", "sgd"}, {"train.steps", "30"}});
  TrainingRunOptions o;
  o.console = nullptr;
  o.resume = model_;
  EXPECT_EQ(error_of([&] { run_training(sgd, o); }),
            ckpt + "/optimizer.safetensors: the checkpoint holds adam state, this run uses sgd (optim.optimizer)");

  write_file_atomic(ckpt + "/trainer.json", "{\"format\": 1, \"step\": ");
  std::string e = error_of([&] { checkpoint_step(ckpt); });
  EXPECT_EQ(e.rfind(ckpt + "/trainer.json: corrupt checkpoint state, not valid JSON (", 0), 0u) << e;
  write_file_atomic(ckpt + "/trainer.json", "{\"format\": 1, \"step\": 3}");
  e = error_of([&] { checkpoint_step(ckpt); });
  EXPECT_EQ(e.rfind(ckpt + "/trainer.json: corrupt checkpoint state (", 0), 0u) << e;
}

}  // namespace
}  // namespace s2s::io
