// Coverage end to end: `s2s train --model.coverage true` on the tiny reverse
// task, then `s2s translate` with beam search (which reorders the coverage
// vectors with the beams): the model directory records the option and the
// loss weight, the training log reports the coverage loss as its own field,
// and the output does not depend on --batch.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "s2s/cli/commands.h"
#include "s2s/core/rng.h"
#include "s2s/io/model_dir.h"
#include "support/temp_dir.h"
#include "support/text_file.h"
#include "train/tiny_run.h"

namespace s2s::cli {
namespace {

TEST(CoverageCommand, TrainsRecordsTheOptionAndDecodesAloneAsInABatch) {
  testing::TempDir dir;
  testing::write_reverse_tsv(dir.file("train.tsv"), 300, 1);
  {
    std::ofstream input(dir.file("input.txt"));
    Rng rng(2);
    for (int i = 0; i < 12; ++i) {
      std::string s(3 + rng.below(4), 'a');
      for (char& c : s) c = static_cast<char>('a' + rng.below(8));
      input << s << '\n';
    }
  }
  ASSERT_EQ(train_command(std::vector<std::string>{
                "--train", dir.file("train.tsv"), "--save-dir", dir.file("model"), "--steps", "40", "--batch-sentences",
                "16", "--model.hidden_size", "16", "--model.embedding_size", "8", "--model.coverage", "true",
                "--train.coverage_weight", "0.5", "--threads", "1", "--report-every", "10"}),
            0);
  const std::string config = testing::read_text(dir.file("model/config.yaml"));
  EXPECT_NE(config.find("coverage: true"), std::string::npos) << config;
  EXPECT_NE(config.find("coverage_weight: 0.5"), std::string::npos) << config;
  int reports = 0;
  for (const std::string& line : testing::text_lines(testing::read_text(dir.file("model/train.log.jsonl"))))
    if (line.find("\"event\":\"train\"") != std::string::npos) {
      ++reports;
      EXPECT_NE(line.find("\"coverage_loss\":"), std::string::npos) << line;
    }
  EXPECT_EQ(reports, 4);
  io::ModelDir d = io::load_model_dir(dir.file("model"));
  EXPECT_TRUE(d.model_config.rnn.coverage);

  auto translate = [&](const std::string& out, const char* batch) {
    EXPECT_EQ(translate_command(std::vector<std::string>{"-m", dir.file("model"), "--input", dir.file("input.txt"),
                                                         "--output", dir.file(out), "--beam", "3", "--batch", batch}),
              0);
    return testing::read_text(dir.file(out));
  };
  const std::string out = translate("out.txt", "16");
  EXPECT_EQ(translate("out1.txt", "1"), out);
  EXPECT_EQ(testing::text_lines(out).size(), 12u);
}

}  // namespace
}  // namespace s2s::cli
