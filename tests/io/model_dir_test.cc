// The model directory and checkpoints: everything loads back, and every kind
// of damage or mismatch is one clear error naming the file.
#include "s2s/io/model_dir.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include "s2s/io/atomic_file.h"
#include "s2s/io/checkpoint.h"
#include "s2s/app/training_run.h"
#include "support/error_of.h"
#include "support/temp_dir.h"
#include "train/tiny_run.h"

namespace s2s::io {
using app::resume_config;
using app::run_training;
using app::TrainingRunOptions;
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
            model_ + "/config.yaml: model.rnn.cell: expected one of rnn_tanh|rnn_relu|gru|lstm, got 'tree'");
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

// Weights with NaN or Inf would make every score NaN: the loader refuses
// them naming the file and the tensor, for model directories and checkpoints.
// Found by fuzz/models/checkpoint_fuzz.cc: a seed past 2^64 parses as a
// double, and converting it to an integer was undefined behaviour.
TEST_F(ModelDirTest, CheckpointIntegersOutOfRangeAreRefusedNamingTheField) {
  const std::string ckpt = find_checkpoint(model_), path = ckpt + "/trainer.json";
  const nlohmann::json good = nlohmann::json::parse(read_file(path));
  auto error_with = [&](auto edit) {
    nlohmann::json j = good;
    edit(j);
    write_file_atomic(path, j.dump());
    return error_of([&] { checkpoint_step(ckpt); });
  };
  EXPECT_EQ(error_with([](nlohmann::json& j) { j["rng"]["seed"] = 81969807538201780235.0; }),
            path + ": corrupt checkpoint state ('seed' must be a non-negative integer, got 8.196980753820179e+19)");
  EXPECT_EQ(error_with([](nlohmann::json& j) { j["step"] = -3.5; }),
            path + ": corrupt checkpoint state ('step' must be an integer, got -3.5)");
  EXPECT_EQ(error_with([](nlohmann::json& j) { j["data"]["batch"] = -1; }),
            path + ": corrupt checkpoint state ('batch' must be a non-negative integer, got -1)");
  EXPECT_EQ(error_with([](nlohmann::json& j) { j["best_step"] = std::numeric_limits<std::uint64_t>::max(); }),
            path + ": corrupt checkpoint state ('best_step' must be an integer, got 18446744073709551615)");
}

TEST_F(ModelDirTest, NonFiniteWeightsAreRefusedNamingTheTensor) {
  ModelDir d = load_model_dir(model_);
  autograd::Parameter* p = d.model->parameters().at(1);
  const std::string n = std::to_string(p->value.numel());
  p->value.f32()[3] = std::numeric_limits<float>::quiet_NaN();
  write_model_weights(model_, *d.model, d.vocab);
  EXPECT_EQ(error_of([&] { load_model_dir(model_); }),
            model_ + "/model.safetensors: tensor '" + p->name + "' holds NaN at element 3 of " + n +
                " (values must be finite: the file is corrupt or was written from a diverged model)");
  p->value.f32()[3] = 0.0f;
  p->value.f32()[0] = -std::numeric_limits<float>::infinity();
  write_model_weights(model_, *d.model, d.vocab);
  EXPECT_NE(error_of([&] { load_model_dir(model_); }).find("' holds -Inf at element 0 of "), std::string::npos);

  // A checkpoint's optimizer state too (NaN moments make every update NaN).
  std::string ckpt = find_checkpoint(model_), opt = ckpt + "/optimizer.safetensors";
  SafetensorsFile f = load_safetensors(opt);
  ASSERT_FALSE(f.tensors.empty());
  f.tensors[0].tensor.f32()[0] = std::numeric_limits<float>::infinity();
  save_safetensors(opt, f.tensors, f.metadata);
  train::RunConfig more = resume_config(model_, {{"train.steps", "30"}});
  TrainingRunOptions o;
  o.console = nullptr;
  o.resume = model_;
  EXPECT_EQ(error_of([&] { run_training(more, o); }).rfind(opt + ": tensor '" + f.tensors[0].name + "' holds +Inf at element 0", 0),
            0u);
}

// Two swapped vocabulary lines would decode every id to the wrong token.
TEST_F(ModelDirTest, VocabulariesAreTiedToTheWeightsByChecksum) {
  EXPECT_EQ(load_model_dir(model_).weights_metadata.count("checksum.src.vocab"), 1u);
  std::string vocab = read_file(model_ + "/src.vocab");
  // Counts do not enter the checksum; which id holds which token does.
  auto first_tab = vocab.find('\t', vocab.find("\n", vocab.find("<unk>")) + 1);
  std::string recounted = vocab;
  recounted.insert(first_tab + 1, "9");
  write_file_atomic(model_ + "/src.vocab", recounted);
  EXPECT_NO_THROW(load_model_dir(model_));

  std::vector<std::string> lines;
  for (std::size_t at = 0; at < vocab.size();) {
    std::size_t end = vocab.find('\n', at);
    lines.push_back(vocab.substr(at, end - at + 1));
    at = end + 1;
  }
  ASSERT_GE(lines.size(), 8u);
  std::swap(lines[lines.size() - 1], lines[lines.size() - 2]);
  std::string swapped;
  for (const auto& l : lines) swapped += l;
  write_file_atomic(model_ + "/src.vocab", swapped);
  std::string e = error_of([&] { load_model_dir(model_); });
  EXPECT_EQ(e.rfind(model_ + "/src.vocab: does not match the vocabulary model.safetensors was trained with (checksum ", 0), 0u)
      << e;
  EXPECT_NE(e.find("the file was edited or comes from another model"), std::string::npos) << e;
  // Resuming the run checks it too, before the run rewrites the model files.
  train::RunConfig more = resume_config(model_, {{"train.steps", "30"}});
  TrainingRunOptions o;
  o.console = nullptr;
  o.resume = model_;
  EXPECT_EQ(error_of([&] { run_training(more, o); }), e);

  // Model directories written before checksums existed load unchecked.
  SafetensorsFile f = load_safetensors(model_ + "/model.safetensors");
  f.metadata.erase("checksum.src.vocab");
  f.metadata.erase("checksum.tgt.vocab");
  save_safetensors(model_ + "/model.safetensors", f.tensors, f.metadata);
  EXPECT_NO_THROW(load_model_dir(model_));
}

// A model directory's config.yaml is checked as `s2s train` checks a run's.
TEST_F(ModelDirTest, UnknownConfigKeysAreRefused) {
  replace_in(model_ + "/config.yaml", "hidden_size: 16", "hidden_size: 16\n    hiden_size: 16");  // in model.rnn
  std::string e = error_of([&] { load_model_dir(model_); });
  EXPECT_EQ(e.rfind(model_ + "/config.yaml: model.rnn.hiden_size: unknown option", 0), 0u) << e;
  replace_in(model_ + "/config.yaml", "\n    hiden_size: 16", "");
  std::ofstream(model_ + "/config.yaml", std::ios::app) << "extras:\n  note: hi\n";
  e = error_of([&] { load_model_dir(model_); });
  EXPECT_EQ(e, model_ + "/config.yaml: extras.note: unknown section 'extras' (expected data, model, optim, schedule or train)");
}

}  // namespace
}  // namespace s2s::io
