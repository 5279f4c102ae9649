// Checkpoint averaging: the element-wise mean of the chosen checkpoints,
// written as a complete model directory; one checkpoint comes back bit for
// bit; bad requests are refused before anything is written.
#include "s2s/io/checkpoint_average.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

#include "s2s/io/atomic_file.h"
#include "s2s/io/checkpoint.h"
#include "s2s/io/model_dir.h"
#include "s2s/app/training_run.h"
#include "support/error_of.h"
#include "support/temp_dir.h"
#include "train/tiny_run.h"

namespace s2s::io {
namespace {

namespace fs = std::filesystem;
using s2s::testing::error_of;

// One training run shared by the tests: checkpoints at steps 20, 40 and 50.
class Average : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    testing::write_tiny_corpus(dir_->path());
    train::RunConfig c = testing::tiny_config(dir_->path());
    c.train.steps = 50;
    c.train.save_every = 20;
    c.train.keep_checkpoints = 5;
    app::TrainingRunOptions o;
    o.console = nullptr;
    app::run_training(c, o);
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static std::string model() { return dir_->file("model"); }
  static std::string out(const std::string& name) { return dir_->file(name); }
  static std::vector<std::string> checkpoints() { return list_checkpoint_dirs(model()); }
  static SafetensorsFile weights(const std::string& dir) { return load_safetensors(join_path(dir, kWeightsFile)); }
  // A request on the shared run's model directory.
  static AverageOptions request(std::int64_t last, std::vector<std::string> listed, const std::string& output) {
    AverageOptions o;
    o.model_dir = model();
    o.last = last;
    o.checkpoints = std::move(listed);
    o.output = output;
    return o;
  }

  static testing::TempDir* dir_;
};
testing::TempDir* Average::dir_ = nullptr;

TEST_F(Average, TheRunLeftThreeCheckpoints) {
  std::vector<std::string> c = checkpoints();
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(checkpoint_step(c[0]), 20);
  EXPECT_EQ(checkpoint_step(c[2]), 50);
}

TEST_F(Average, TwoCheckpointsGiveTheElementwiseMean) {
  AverageResult r = average_checkpoints(request(2, {}, out("avg2")));
  std::vector<std::string> c = checkpoints();
  ASSERT_EQ(r.checkpoints, (std::vector<std::string>{c[1], c[2]}));
  SafetensorsFile a = weights(c[1]), b = weights(c[2]), avg = weights(r.output);
  ASSERT_EQ(avg.tensors.size(), a.tensors.size());
  std::int64_t elements = 0, differing_inputs = 0;
  for (const NamedTensor& t : avg.tensors) {
    const Tensor *x = a.find(t.name), *y = b.find(t.name);
    ASSERT_TRUE(x && y) << t.name;
    ASSERT_TRUE(t.tensor.shape() == x->shape()) << t.name;
    for (std::int64_t k = 0; k < t.tensor.numel(); ++k, ++elements) {
      const double xv = x->f32()[k], yv = y->f32()[k];
      differing_inputs += xv != yv;
      ASSERT_EQ(t.tensor.f32()[k], static_cast<float>((xv + yv) / 2.0)) << t.name << "[" << k << "]";
    }
  }
  EXPECT_GT(differing_inputs, elements / 2);  // the two checkpoints really differ
  EXPECT_EQ(avg.metadata.at("averaged_checkpoints"), fs::path(c[1]).filename().string() + "," + fs::path(c[2]).filename().string());
  EXPECT_EQ(avg.metadata.at("step"), "50");
  // The same configuration and vocabularies; nothing else of the run.
  EXPECT_EQ(read_model_config(r.output), read_model_config(model()));
  for (const char* f : {"src.vocab", "tgt.vocab"}) EXPECT_EQ(read_file(join_path(r.output, f)), read_file(join_path(model(), f))) << f;
  EXPECT_FALSE(fs::exists(join_path(r.output, kCheckpointsDir)));
  // A complete model directory: it loads, with the averaged weights.
  ModelDir loaded = load_model_dir(r.output);
  for (autograd::Parameter* p : loaded.model->parameters())
    EXPECT_EQ(std::memcmp(p->value.f32(), avg.find(p->name)->f32(), p->value.nbytes()), 0) << p->name;
  // Nothing temporary is left beside it.
  for (const auto& e : fs::directory_iterator(dir_->path()))
    EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << e.path();
}

TEST_F(Average, OneCheckpointComesBackBitForBit) {
  std::vector<std::string> c = checkpoints();
  const std::string name = fs::path(c[1]).filename().string();
  AverageResult r = average_checkpoints(request(0, {name}, out("avg1")));
  ASSERT_EQ(r.checkpoints.size(), 1u);
  SafetensorsFile in = weights(c[1]), avg = weights(r.output);
  ASSERT_EQ(avg.tensors.size(), in.tensors.size());
  for (const NamedTensor& t : in.tensors) {
    const Tensor* got = avg.find(t.name);
    ASSERT_TRUE(got) << t.name;
    ASSERT_EQ(got->nbytes(), t.tensor.nbytes());
    EXPECT_EQ(std::memcmp(got->f32(), t.tensor.f32(), t.tensor.nbytes()), 0) << t.name;
  }
}

TEST_F(Average, ListedCheckpointsByPathOrNameInTheirOrder) {
  std::vector<std::string> c = checkpoints();
  AverageResult r = average_checkpoints(request(0, {c[2], fs::path(c[0]).filename().string(), c[1]}, out("avg3")));
  EXPECT_EQ(r.checkpoints, (std::vector<std::string>{c[2], join_path(join_path(model(), kCheckpointsDir), fs::path(c[0]).filename().string()), c[1]}));
  SafetensorsFile x = weights(c[2]), y = weights(c[0]), z = weights(c[1]), avg = weights(r.output);
  for (const NamedTensor& t : avg.tensors)
    for (std::int64_t k = 0; k < t.tensor.numel(); ++k) {
      const double sum = (static_cast<double>(x.find(t.name)->f32()[k]) + y.find(t.name)->f32()[k]) + z.find(t.name)->f32()[k];
      ASSERT_EQ(t.tensor.f32()[k], static_cast<float>(sum / 3.0)) << t.name << "[" << k << "]";
    }
}

TEST_F(Average, RefusesBadRequestsBeforeWritingAnything) {
  std::vector<std::string> c = checkpoints();
  const std::string name = fs::path(c[0]).filename().string();
  fs::create_directories(out("taken"));
  EXPECT_EQ(error_of([&] { average_checkpoints(request(1, {}, out("taken"))); }),
            "s2s average: " + out("taken") + " already exists; the average goes to a new model directory");
  EXPECT_EQ(error_of([&] { average_checkpoints(request(1, {}, model() + "/")); }),
            "s2s average: the output " + model() + "/ is the input model directory; write the average to a new one");
  EXPECT_EQ(error_of([&] { average_checkpoints(request(0, {name}, c[0])); }),
            "s2s average: the output " + c[0] + " is an input checkpoint");
  EXPECT_EQ(error_of([&] { average_checkpoints(request(4, {}, out("x"))); }),
            "s2s average: --last 4 asks for more checkpoints than " + model() +
                "/checkpoints holds (3 of distinct steps; train.keep_checkpoints keeps more)");
  EXPECT_EQ(error_of([&] { average_checkpoints(request(0, {}, out("x"))); }),
            "s2s average: give either --last N or --checkpoints A B ..., not neither");
  EXPECT_EQ(error_of([&] { average_checkpoints(request(1, {name}, out("x"))); }),
            "s2s average: give either --last N or --checkpoints A B ..., not both");
  EXPECT_EQ(error_of([&] { average_checkpoints(request(0, {name, c[0]}, out("x"))); }),
            "s2s average: checkpoint " + c[0] + " is listed twice");
  EXPECT_EQ(error_of([&] { average_checkpoints(request(0, {"nope"}, out("x"))); }),
            "s2s average: no checkpoint 'nope' (a checkpoint directory, or a name under " + model() + "/checkpoints)");
  fs::copy(c[0], out("elsewhere"), fs::copy_options::recursive);
  EXPECT_EQ(error_of([&] { average_checkpoints(request(0, {out("elsewhere")}, out("x"))); }),
            "s2s average: " + out("elsewhere") + " is not a checkpoint of " + model() +
                " (its config and vocabularies are the ones written)");
  EXPECT_FALSE(fs::exists(out("x")));
}

// The end-of-run checkpoint of a step a periodic one already saved replaces
// it (io/checkpoint.h), so --last N averages N distinct steps.
TEST(AverageSteps, OneCheckpointPerStep) {
  testing::TempDir dir;
  testing::write_tiny_corpus(dir.path());
  train::RunConfig c = testing::tiny_config(dir.path());
  c.train.steps = 40;
  c.train.save_every = 20;
  c.train.keep_checkpoints = 5;
  app::TrainingRunOptions o;
  o.console = nullptr;
  app::run_training(c, o);
  std::vector<std::string> all = list_checkpoint_dirs(c.train.save_dir);
  ASSERT_EQ(all.size(), 2u);
  ASSERT_EQ(checkpoint_step(all[0]), 20);
  ASSERT_EQ(checkpoint_step(all[1]), 40);
  AverageOptions request;
  request.model_dir = c.train.save_dir;
  request.last = 2;
  request.output = dir.file("avg");
  EXPECT_EQ(average_checkpoints(request).checkpoints, all);
  request.last = 3;
  request.output = dir.file("avg3");
  EXPECT_EQ(error_of([&] { average_checkpoints(request); }),
            "s2s average: --last 3 asks for more checkpoints than " + c.train.save_dir +
                "/checkpoints holds (2 of distinct steps; train.keep_checkpoints keeps more)");
}

}  // namespace
}  // namespace s2s::io
