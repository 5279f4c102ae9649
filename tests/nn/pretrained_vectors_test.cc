// Pretrained word vectors: word2vec text (with header) and GloVe (without),
// counts of found / missing tokens, freezing, and one clear error per bad file.
#include <gtest/gtest.h>

#include <fstream>

#include "s2s/nn/pretrained_vectors.h"
#include "support/temp_dir.h"

namespace s2s::nn {
namespace {

const std::vector<std::string> kTokens = {"<pad>", "<s>", "</s>", "<unk>", "the", "cat", "sat", "mat"};

std::string write(const testing::TempDir& dir, const std::string& name, const std::string& text) {
  std::string path = dir.file(name);
  std::ofstream(path) << text;
  return path;
}

std::string error_of(Embedding& emb, const std::string& path) {
  try {
    load_pretrained_vectors(emb, path, kTokens, false);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(PretrainedVectors, Word2VecTextWithHeader) {
  testing::TempDir dir;
  std::string path = write(dir, "w2v.txt", "4 3\nthe 0.1 0.2 0.3\ndog 1 1 1\ncat -1 -2 -3\nthe 9 9 9\nmat 0 0.5 1e-2\n");
  Rng rng(1);
  Embedding emb("encoder.embedding", 8, 3, 0, rng);
  Tensor before = emb.weight().value.clone();
  PretrainedStats stats = load_pretrained_vectors(emb, path, kTokens, true);
  EXPECT_EQ(stats.found, 3);    // the, cat, mat
  EXPECT_EQ(stats.missing, 4);  // <s>, </s>, <unk>, sat (padding is neither)
  const float* w = emb.weight().value.f32();
  EXPECT_EQ(std::vector<float>(w + 4 * 3, w + 5 * 3), (std::vector<float>{0.1f, 0.2f, 0.3f}));  // first "the" wins
  EXPECT_EQ(std::vector<float>(w + 5 * 3, w + 6 * 3), (std::vector<float>{-1, -2, -3}));
  EXPECT_EQ(std::vector<float>(w + 7 * 3, w + 8 * 3), (std::vector<float>{0, 0.5f, 0.01f}));
  for (std::int64_t k = 0; k < 3; ++k) EXPECT_EQ(w[k], 0.0f);                    // padding row
  for (std::int64_t k = 18; k < 21; ++k) EXPECT_EQ(w[k], before.f32()[k]);       // "sat" keeps its init
  EXPECT_FALSE(emb.weight().trainable);
}

TEST(PretrainedVectors, GloveWithoutHeaderAndCrlf) {
  testing::TempDir dir;
  std::string path = write(dir, "glove.txt", "sat 1 2\r\ncat 3 4\r\n\r\n");
  Rng rng(1);
  Embedding emb("decoder.embedding", 8, 2, 0, rng);
  PretrainedStats stats = load_pretrained_vectors(emb, path, kTokens, false);
  EXPECT_EQ(stats.found, 2);
  EXPECT_EQ(stats.missing, 5);
  EXPECT_EQ(emb.weight().value.f32()[6 * 2 + 1], 2.0f);
  EXPECT_TRUE(emb.weight().trainable);
}

TEST(PretrainedVectors, BadFilesNameFileAndLine) {
  testing::TempDir dir;
  Rng rng(1);
  Embedding emb("encoder.embedding", 8, 3, 0, rng);
  std::string p = write(dir, "dim.txt", "the 1 2\n");
  EXPECT_EQ(error_of(emb, p), p + ":1: the vectors have 2 dimensions but encoder.embedding has 3");
  p = write(dir, "header.txt", "10 300\nthe 1 2 3\n");
  EXPECT_EQ(error_of(emb, p), p + ":1: the vectors have 300 dimensions but encoder.embedding has 3");
  p = write(dir, "short.txt", "the 1 2 3\ncat 1 2\n");
  EXPECT_EQ(error_of(emb, p), p + ":2: expected a word and 3 numbers, got 3 fields");
  p = write(dir, "number.txt", "dog 1 2 3\nsat 1 x2 3\n");
  EXPECT_NE(error_of(emb, p).find(p + ":2: bad number 'x2'"), std::string::npos);
  p = write(dir, "empty.txt", "\n");
  EXPECT_EQ(error_of(emb, p), p + ": no word vectors found");
  EXPECT_EQ(error_of(emb, dir.file("missing.txt")), dir.file("missing.txt") + ": cannot open the pretrained vectors file");
  Embedding small("e", 4, 3, 0, rng);
  EXPECT_THROW(load_pretrained_vectors(small, write(dir, "ok.txt", "the 1 2 3\n"), kTokens, false), Error);
}

}  // namespace
}  // namespace s2s::nn
