// Vocabularies of a run: built from the corpus, loaded from files, shared,
// SentencePiece; and the model directory keeps what the run used.
#include "s2s/train/vocab_setup.h"

#include <gtest/gtest.h>

#include "s2s/data/spm_tokenizer.h"
#include "s2s/io/atomic_file.h"
#include "s2s/io/model_dir.h"
#include "s2s/app/training_run.h"
#include "support/temp_dir.h"
#include "train/tiny_run.h"

namespace s2s::train {
namespace {

TEST(VocabSetup, BuildsFromTheCorpusPerSideOrShared) {
  testing::TempDir dir;
  testing::write_tiny_corpus(dir.path());
  RunConfig c = testing::tiny_config(dir.path());
  std::vector<std::string> messages;
  Vocabularies v = prepare_vocabularies(c.data, &messages);
  EXPECT_FALSE(v.shared);
  EXPECT_EQ(v.src_vocab->size(), 12);  // 4 reserved + a..h
  EXPECT_NE(v.src_vocab, v.tgt_vocab);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].rfind("source: built a char vocabulary of 12 tokens", 0), 0u) << messages[0];

  c.data.shared_vocab = true;
  Vocabularies s = prepare_vocabularies(c.data);
  EXPECT_TRUE(s.shared);
  EXPECT_EQ(s.src_vocab, s.tgt_vocab);
  EXPECT_EQ(s.src_tokenizer, s.tgt_tokenizer);

  c.data.shared_vocab = false;
  c.data.src_vocab_size = 7;  // the 4 reserved ids + the 3 most frequent letters
  EXPECT_EQ(prepare_vocabularies(c.data).src_vocab->size(), 7);
}

TEST(VocabSetup, LoadsGivenFiles) {
  testing::TempDir dir;
  testing::write_tiny_corpus(dir.path());
  data::Vocab words;
  for (const char* w : {"x", "y"}) words.add(w, 3);
  words.save(dir.file("given.vocab"));
  RunConfig c = testing::tiny_config(dir.path());
  c.data.tgt_vocab = dir.file("given.vocab");
  c.data.tgt_tokenizer = "word";
  std::vector<std::string> messages;
  Vocabularies v = prepare_vocabularies(c.data, &messages);
  EXPECT_EQ(v.tgt_vocab->size(), 6);
  EXPECT_EQ(v.tgt_vocab->id("y"), 5);
  EXPECT_EQ(v.tgt_tokenizer->type(), data::TokenizerType::Word);
  EXPECT_EQ(messages[1], "target: word vocabulary " + dir.file("given.vocab") + ", 6 tokens");
}

TEST(VocabSetup, SharedSentencePieceRunsAndReloads) {
  testing::TempDir dir;
  testing::write_tiny_corpus(dir.path());
  RunConfig c = testing::tiny_config(dir.path());
  c.data.src_tokenizer = c.data.tgt_tokenizer = "spm";
  c.data.shared_vocab = true;
  c.data.src_vocab_size = 16;
  c.train.steps = 5;
  app::TrainingRunOptions o;
  o.console = nullptr;
  app::run_training(c, o);
  io::ModelDir m = io::load_model_dir(c.train.save_dir);
  EXPECT_TRUE(m.vocab.shared);
  EXPECT_EQ(m.vocab.src_vocab->size(), 16);
  EXPECT_EQ(m.vocab.src_tokenizer->type(), data::TokenizerType::Spm);
  EXPECT_TRUE(io::file_exists(c.train.save_dir + "/spm.model"));
  EXPECT_TRUE(io::file_exists(c.train.save_dir + "/shared.vocab"));
  EXPECT_FALSE(io::file_exists(c.train.save_dir + "/src.vocab"));
}

}  // namespace
}  // namespace s2s::train
