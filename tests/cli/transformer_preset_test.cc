// examples/configs/transformer-small.yaml end to end on the shipped demo data
// (data/g2p.*.tsv): `s2s train --config` with it trains; the s2s binary
// killed with SIGKILL mid-run and continued with --resume gives bitwise the
// model of an uninterrupted run; `s2s translate --beam 5 --alignments` and
// `s2s average` work with the result. The preset's layers, heads, schedule,
// label smoothing and tying are kept; the test narrows d_model to 64 and
// shortens the warm-up so that the runs take seconds.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "s2s/cli/commands.h"
#include "s2s/io/atomic_file.h"
#include "s2s/io/checkpoint.h"
#include "s2s/io/model_dir.h"
#include "support/temp_dir.h"

namespace s2s::cli {
namespace {

namespace fs = std::filesystem;

std::string source_file(const std::string& name) { return std::string(S2S_SOURCE_DIR) + "/" + name; }

std::vector<std::string> lines_in(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

std::size_t words_in(const std::string& text) {
  std::stringstream s(text);
  std::size_t n = 0;
  for (std::string w; s >> w;) ++n;
  return n;
}

// The preset, narrowed for a test: 200 updates of about 32 words, a
// checkpoint every 10, one thread (the same model needs the same threads).
std::vector<std::string> preset_args(const std::string& save_dir) {
  return {"--config", source_file("examples/configs/transformer-small.yaml"), "--train",
          source_file("data/g2p.train.tsv"), "--save-dir", save_dir, "--model.embedding_size", "64",
          "--model.transformer.d_model", "64", "--model.transformer.ffn_size", "128", "--data.batch_tokens", "256",
          "--schedule.warmup", "20", "--steps", "200", "--save-every", "10", "--train.keep_checkpoints", "4",
          "--threads", "1", "--report-every", "10", "--train.progress", "false"};
}

// The commands with their arguments as a list.
int train(const std::vector<std::string>& args) { return train_command(args); }
int translate(const std::vector<std::string>& args) { return translate_command(args); }
int average(const std::vector<std::string>& args) { return average_command(args); }

// The s2s binary next to the tests directory of this build.
std::string s2s_binary() { return (fs::read_symlink("/proc/self/exe").parent_path().parent_path() / "s2s").string(); }

class TransformerPreset : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    std::ofstream input(file("input.txt"));
    for (const std::string& line : lines_in(source_file("data/g2p.dev.tsv"))) {
      input << line.substr(0, line.find('\t')) << '\n';
      if (++inputs_ == 20) break;
    }
    input.close();
    ASSERT_EQ(train(preset_args(file("straight"))), 0);
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static std::string file(const std::string& name) { return dir_->file(name); }

  static testing::TempDir* dir_;
  static int inputs_;
};
testing::TempDir* TransformerPreset::dir_ = nullptr;
int TransformerPreset::inputs_ = 0;

TEST_F(TransformerPreset, TrainsOnTheDemoData) {
  io::ModelDir m = io::load_model_dir(file("straight"));
  EXPECT_EQ(m.model->describe().rfind("transformer 3+3 layers, d_model 64, 4 heads, ffn 128 relu, pre-norm", 0), 0u)
      << m.model->describe();
  EXPECT_EQ(m.config.at("train.label_smoothing"), "0.1");
  EXPECT_EQ(m.config.at("schedule.kind"), "inverse_sqrt");
  // The training loss falls: the mean of the last five reports well under that of the first five.
  std::vector<double> losses;
  for (const std::string& line : lines_in(file("straight/train.log.jsonl"))) {
    auto j = nlohmann::json::parse(line);
    if (j.at("event") == "train") losses.push_back(j.at("loss").get<double>());
  }
  ASSERT_EQ(losses.size(), 20u);
  double first = 0, last = 0;
  for (int k = 0; k < 5; ++k) first += losses[k], last += losses[losses.size() - 1 - k];
  EXPECT_LT(last, 0.9 * first) << "first five " << first / 5 << ", last five " << last / 5;
}

// The preset as it is (d_model 256, ffn 1024) trains and validates on the demo data.
TEST_F(TransformerPreset, FullSizeTrainsAFewUpdates) {
  std::vector<std::string> args = {"--config", source_file("examples/configs/transformer-small.yaml"),
                                   "--train", source_file("data/g2p.train.tsv"), "--dev",
                                   source_file("data/g2p.dev.tsv"), "--save-dir", file("full"), "--steps", "3",
                                   "--data.batch_tokens", "128", "--threads", "1", "--train.progress", "false"};
  ASSERT_EQ(train(args), 0);
  io::ModelDir m = io::load_model_dir(file("full"));
  EXPECT_EQ(m.model->describe().rfind("transformer 3+3 layers, d_model 256, 4 heads, ffn 1024 relu, pre-norm", 0), 0u)
      << m.model->describe();
  std::string log = io::read_file(file("full/train.log.jsonl"));
  EXPECT_NE(log.find("\"event\":\"valid\""), std::string::npos);
}

// kill -9 at any point after the first checkpoint, then --resume: the same
// bits as the uninterrupted run, in the final weights and in the newest
// checkpoint (weights, optimizer state, trainer state but wall time).
TEST_F(TransformerPreset, ResumeAfterSigkillIsBitwiseTheUninterruptedRun) {
  if (!fs::exists(s2s_binary())) GTEST_SKIP() << "s2s binary not built at " << s2s_binary();
  const std::string split = file("split");
  pid_t pid = fork();
  if (pid == 0) {
    if (!std::freopen("/dev/null", "w", stdout) || !std::freopen("/dev/null", "w", stderr)) _exit(99);
    std::vector<std::string> args = preset_args(split);
    args.insert(args.begin(), {s2s_binary(), "train"});
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(98);
  }
  ASSERT_GT(pid, 0);
  // Kill once a checkpoint beyond the first is complete (mid-run, possibly mid-write of the next).
  int status = 0;
  bool exited = false;
  for (int i = 0; i < 60000; ++i) {
    if (waitpid(pid, &status, WNOHANG) == pid) {
      exited = true;
      break;
    }
    if (fs::exists(split + "/checkpoints") && io::list_checkpoint_dirs(split).size() >= 2) break;
    usleep(1000);
  }
  if (!exited) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
  }
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "the run ended before it was killed (exit status " << status << ")";
  const std::int64_t at = io::checkpoint_step(io::find_checkpoint(split));
  EXPECT_GE(at, 20);
  EXPECT_LT(at, 200);
  EXPECT_FALSE(fs::exists(split + "/model.safetensors") &&
               io::read_file(split + "/model.safetensors") == io::read_file(file("straight/model.safetensors")));

  ASSERT_EQ(train({"--resume", split}), 0);
  EXPECT_TRUE(io::read_file(split + "/model.safetensors") == io::read_file(file("straight/model.safetensors")))
      << "final weights differ after resuming from step " << at;
  std::string a = io::find_checkpoint(file("straight")), b = io::find_checkpoint(split);
  EXPECT_EQ(io::checkpoint_step(b), 200);
  EXPECT_TRUE(io::read_file(a + "/model.safetensors") == io::read_file(b + "/model.safetensors"));
  EXPECT_TRUE(io::read_file(a + "/optimizer.safetensors") == io::read_file(b + "/optimizer.safetensors"));
  auto trainer_state = [](const std::string& ckpt) {
    auto j = nlohmann::json::parse(io::read_file(ckpt + "/trainer.json"));
    for (const char* k : {"elapsed_s", "saved_metric", "saved_step"}) j.erase(k);
    return j;
  };
  EXPECT_EQ(trainer_state(a), trainer_state(b));
}

// Beam search with alignments: one line per input, "output ||| i-j ..." with
// every source index i inside the input and every output index j inside the output.
TEST_F(TransformerPreset, TranslatesWithBeamFiveAndAlignments) {
  std::vector<std::string> args = {"-m", file("straight"), "--input", file("input.txt"), "--output",
                                   file("beam5.txt"), "--beam", "5", "--alignments"};
  ASSERT_EQ(translate(args), 0);
  std::vector<std::string> in = lines_in(file("input.txt")), out = lines_in(file("beam5.txt"));
  ASSERT_EQ(out.size(), in.size());
  ASSERT_EQ(in.size(), static_cast<std::size_t>(inputs_));
  int links = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    std::size_t bar = out[i].find(" ||| ");
    ASSERT_NE(bar, std::string::npos) << out[i];
    const std::size_t src_words = words_in(in[i]), out_words = words_in(out[i].substr(0, bar));
    EXPECT_GT(out_words, 0u) << in[i];
    std::stringstream s(out[i].substr(bar + 5));
    for (std::string link; s >> link; ++links) {
      const std::size_t dash = link.find('-');
      ASSERT_NE(dash, std::string::npos) << link;
      EXPECT_LT(std::stoul(link.substr(0, dash)), src_words) << out[i];
      EXPECT_LT(std::stoul(link.substr(dash + 1)), out_words) << out[i];
    }
  }
  EXPECT_GT(links, inputs_);
  // Greedy decoding of the same model agrees in line count and is a different search.
  ASSERT_EQ(translate({"-m", file("straight"), "--input", file("input.txt"), "--output", file("greedy.txt"),
                               "--beam", "1"}),
            0);
  EXPECT_EQ(lines_in(file("greedy.txt")).size(), in.size());
}

TEST_F(TransformerPreset, AveragesItsCheckpoints) {
  ASSERT_GE(io::list_checkpoint_dirs(file("straight")).size(), 3u);  // keep_checkpoints 4
  ASSERT_EQ(average({"-m", file("straight"), "--last", "3", "-o", file("avg")}), 0);
  io::ModelDir avg = io::load_model_dir(file("avg")), last = io::load_model_dir(file("straight"));
  EXPECT_EQ(avg.model->describe(), last.model->describe());
  // The averaged weights are not the last checkpoint's.
  auto pa = avg.model->parameters(), pl = last.model->parameters();
  ASSERT_EQ(pa.size(), pl.size());
  bool differs = false;
  for (std::size_t i = 0; i < pa.size(); ++i)
    for (std::int64_t k = 0; k < pa[i]->value.numel() && !differs; ++k) differs = pa[i]->value.f32()[k] != pl[i]->value.f32()[k];
  EXPECT_TRUE(differs);
  ASSERT_EQ(translate({"-m", file("avg"), "--input", file("input.txt"), "--output", file("avg.txt"),
                               "--beam", "5", "--alignments"}),
            0);
  EXPECT_EQ(lines_in(file("avg.txt")).size(), static_cast<std::size_t>(inputs_));
}

}  // namespace
}  // namespace s2s::cli
