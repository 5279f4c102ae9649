// A model directory written by s2s 0.1.0 (before model families: flat
// model.* keys in config.yaml) loads and decodes exactly as it did then. The
// expected n-best lists, scores and alignments were written by that release.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "s2s/cli/commands.h"
#include "s2s/io/model_dir.h"
#include "support/temp_dir.h"
#include "support/text_file.h"

namespace s2s::cli {
namespace {

const std::string kFixtures = std::string(S2S_SOURCE_DIR) + "/tests/cli/fixtures/";

TEST(ModelCompat, ModelDirectoryOfRelease010DecodesAsItDidThen) {
  const std::string model = kFixtures + "rnn-model-v0.1";
  io::ModelDir d = io::load_model_dir(model);
  EXPECT_EQ(d.model_config.type, "rnn");
  EXPECT_FALSE(d.model_config.rnn.coverage);  // written before the option existed: reads as off
  EXPECT_EQ(d.model->describe(), "rnn lstm 1+1 layers, hidden 16, attention bahdanau, vocab 31/43");
  testing::TempDir tmp;
  const std::string out = tmp.file("nbest.txt");
  ASSERT_EQ(translate_command(std::vector<std::string>{"-m", model, "--beam", "3", "--n-best", "2", "--format", "nbest",
                                                       "--alignments", "--threads", "1", "--input",
                                                       kFixtures + "rnn-model-v0.1.in.txt", "--output", out}),
            0);
  EXPECT_EQ(testing::read_text(out), testing::read_text(kFixtures + "rnn-model-v0.1.nbest.txt"));
}

}  // namespace
}  // namespace s2s::cli
