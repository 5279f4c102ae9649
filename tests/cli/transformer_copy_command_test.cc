// Transformer copy attention end to end: `s2s train --model.type transformer
// --model.copy_attention true` with one shared vocabulary capped at 40
// tokens (the usual setup for copying: source tokens in the vocabulary keep
// their ids, the others get copy ids) on a tiny copying corpus of 200 words,
// then `s2s translate`: sentences mostly of words outside the vocabulary come
// out copied, the model directory records the option, and the output (with
// alignments) does not depend on --batch. A model directory written before
// the option existed (no copy_attention key) decodes as it did.
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

// A copying corpus (train.tsv, 2000 pairs) and 40 input sentences in dir.
void write_corpus(const testing::TempDir& dir) {
  Rng rng(5);
  std::vector<std::string> words;
  for (int k = 0; k < 200; ++k) words.push_back(random_word(rng));
  std::ofstream train(dir.file("train.tsv")), input(dir.file("input.txt"));
  for (int i = 0; i < 2000; ++i) {
    std::string s = random_sentence(rng, words);
    train << s << '\t' << s << '\n';
  }
  for (int i = 0; i < 40; ++i) input << random_sentence(rng, words) << '\n';
}

std::vector<std::string> transformer_args(const testing::TempDir& dir, const std::string& model, const char* steps) {
  return {"--train", dir.file("train.tsv"), "--save-dir", dir.file(model), "--tokenizer", "word", "--steps", steps,
          "--lr", "0.003", "--batch-sentences", "32", "--model.type", "transformer", "--model.embedding_size", "32",
          "--model.transformer.d_model", "32", "--model.transformer.heads", "4", "--model.transformer.ffn_size", "64",
          "--model.transformer.layers", "2", "--threads", "1", "--report-every", "1000"};
}

std::string translate(const testing::TempDir& dir, const std::string& model, const std::string& out,
                      std::vector<std::string> extra) {
  std::vector<std::string> args = {"-m", dir.file(model), "--input", dir.file("input.txt"), "--output", dir.file(out)};
  args.insert(args.end(), extra.begin(), extra.end());
  EXPECT_EQ(translate_command(args), 0);
  return testing::read_text(dir.file(out));
}

TEST(TransformerCopyCommand, TrainsAndCopiesWordsOutsideASharedVocabulary) {
  testing::TempDir dir;
  write_corpus(dir);
  std::vector<std::string> args = transformer_args(dir, "model", "600");
  for (const char* a : {"--model.copy_attention", "true", "--data.shared_vocab", "true", "--data.vocab_size", "40",
                        "--model.share_embeddings", "true", "--label-smoothing", "0.1"})
    args.push_back(a);
  ASSERT_EQ(train_command(args), 0);
  EXPECT_NE(testing::read_text(dir.file("model/config.yaml")).find("copy_attention: true"), std::string::npos);
  io::ModelDir d = io::load_model_dir(dir.file("model"));
  EXPECT_TRUE(d.model->copies_source());
  EXPECT_EQ(d.model_config.type, "transformer");
  EXPECT_EQ(d.model_config.tgt_vocab_size, 40);

  const std::string out = translate(dir, "model", "out.txt", {"--beam", "3", "--batch", "16"});
  EXPECT_EQ(translate(dir, "model", "out1.txt", {"--beam", "3", "--batch", "1"}), out);
  const std::string aligned = translate(dir, "model", "aligned.txt", {"--beam", "3", "--alignments", "--batch", "16"});
  EXPECT_EQ(translate(dir, "model", "aligned1.txt", {"--beam", "3", "--alignments", "--batch", "1"}), aligned);
  auto in = testing::text_lines(testing::read_text(dir.file("input.txt"))), got = testing::text_lines(out);
  ASSERT_EQ(got.size(), in.size());
  int copied = 0;
  for (std::size_t i = 0; i < in.size(); ++i) copied += got[i] == in[i];
  EXPECT_GE(copied, 30) << "of 40 sentences copied exactly; first output: " << got[0];
}

TEST(TransformerCopyCommand, ModelDirectoryWithoutTheOptionDecodesUnchanged) {
  testing::TempDir dir;
  write_corpus(dir);
  ASSERT_EQ(train_command(transformer_args(dir, "model", "30")), 0);
  const std::string config = testing::read_text(dir.file("model/config.yaml"));
  ASSERT_NE(config.find("copy_attention: false"), std::string::npos);
  const std::string before = translate(dir, "model", "before.txt", {"--beam", "2"});
  // As written before the option existed: the line left out.
  std::string old;
  for (const std::string& line : testing::text_lines(config))
    if (line.find("copy_attention") == std::string::npos) old += line + '\n';
  {
    std::ofstream f(dir.file("model/config.yaml"), std::ios::trunc);
    f << old;
  }
  io::ModelDir d = io::load_model_dir(dir.file("model"));
  EXPECT_FALSE(d.model->copies_source());
  EXPECT_EQ(translate(dir, "model", "after.txt", {"--beam", "2"}), before);
}

}  // namespace
}  // namespace s2s::cli
