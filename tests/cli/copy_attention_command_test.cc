// Copy attention end to end: `s2s train --model.copy_attention true` on a
// tiny copying corpus (200 words) whose target vocabulary is capped at 8
// words, then `s2s translate`: sentences of words outside the target
// vocabulary come out copied, the model directory records the option, and the
// output does not depend on --batch.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "s2s/cli/commands.h"
#include "s2s/core/rng.h"
#include "s2s/io/model_dir.h"
#include "support/temp_dir.h"
#include "support/text_file.h"

namespace s2s::cli {
namespace {

std::string random_word(Rng& rng) {
  std::string w;
  for (int k = 0; k < 4; ++k) w += static_cast<char>('a' + rng.below(26));
  return w;
}

std::string random_sentence(Rng& rng, const std::vector<std::string>& words) {
  std::string s;
  for (std::uint64_t n = 2 + rng.below(4); n > 0; --n) s += (s.empty() ? "" : " ") + words[rng.below(words.size())];
  return s;
}

TEST(CopyAttentionCommand, TrainsAndCopiesWordsOutsideTheTargetVocabulary) {
  testing::TempDir dir;
  Rng rng(5);
  std::vector<std::string> words;
  for (int k = 0; k < 200; ++k) words.push_back(random_word(rng));
  {
    std::ofstream train(dir.file("train.tsv")), input(dir.file("input.txt"));
    for (int i = 0; i < 2000; ++i) {
      std::string s = random_sentence(rng, words);
      train << s << '\t' << s << '\n';
    }
    for (int i = 0; i < 40; ++i) input << random_sentence(rng, words) << '\n';
  }
  ASSERT_EQ(train_command(std::vector<std::string>{
                "--train", dir.file("train.tsv"), "--save-dir", dir.file("model"), "--tokenizer", "word",
                "--data.tgt_vocab_size", "12", "--steps", "600", "--lr", "0.005", "--batch-sentences", "32",
                "--model.hidden_size", "32", "--model.embedding_size", "16", "--model.copy_attention", "true",
                "--label-smoothing", "0.1", "--threads", "1", "--report-every", "1000"}),
            0);
  EXPECT_NE(testing::read_text(dir.file("model/config.yaml")).find("copy_attention: true"), std::string::npos);
  io::ModelDir d = io::load_model_dir(dir.file("model"));
  EXPECT_TRUE(d.model->copies_source());
  EXPECT_EQ(d.model_config.tgt_vocab_size, 12);

  auto translate = [&](const std::string& out, const char* batch) {
    EXPECT_EQ(translate_command(std::vector<std::string>{"-m", dir.file("model"), "--input", dir.file("input.txt"),
                                                         "--output", dir.file(out), "--beam", "3", "--batch", batch}),
              0);
    return testing::read_text(dir.file(out));
  };
  const std::string out = translate("out.txt", "16");
  EXPECT_EQ(translate("out1.txt", "1"), out);
  auto in = testing::text_lines(testing::read_text(dir.file("input.txt"))), got = testing::text_lines(out);
  ASSERT_EQ(got.size(), in.size());
  int copied = 0;
  for (std::size_t i = 0; i < in.size(); ++i) copied += got[i] == in[i];
  EXPECT_GE(copied, 30) << "of 40 sentences copied exactly; first output: " << got[0];
}

}  // namespace
}  // namespace s2s::cli
