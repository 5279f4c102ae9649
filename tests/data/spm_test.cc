// SentencePiece: training (unigram and BPE) with the project's reserved ids,
// round trips, save/load, model-directory helpers, and corrupt models.
#include <regex>

#include "data/data_test_util.h"
#include "s2s/core/rng.h"
#include "s2s/data/spm_tokenizer.h"
#include "s2s/data/vocab.h"
#include "s2s/data/vocab_build.h"

namespace s2s::data {
namespace {

using s2s::testing::fixture;
using s2s::testing::TempDir;

// Sentences of pseudo-words built from syllables: enough distinct substrings
// for a few hundred pieces.
std::vector<std::string> corpus_sentences() {
  const char* syllables[] = {"ka", "ri", "mo", "te", "su", "na", "lo", "pe", "vi", "du", "ge", "ba"};
  Rng rng(3);
  std::vector<std::string> out;
  for (int i = 0; i < 600; ++i) {
    std::string s;
    for (std::uint64_t w = 0, words = 3 + rng.below(8); w < words; ++w) {
      if (w) s += ' ';
      for (std::uint64_t k = 0, n = 1 + rng.below(3); k < n; ++k) s += syllables[rng.below(w % 2 ? 12 : 5)];
    }
    out.push_back(s);
  }
  return out;
}

std::unique_ptr<SpmTokenizer> train(const std::string& type, int size) {
  auto sentences = corpus_sentences();
  std::size_t i = 0;
  SpmTrainOptions o;
  o.model_type = type;
  o.vocab_size = size;
  return SpmTokenizer::train(
      [&](std::string& s) {
        if (i == sentences.size()) return false;
        s = sentences[i++];
        return true;
      },
      o);
}

class SpmModelType : public ::testing::TestWithParam<std::string> {};

TEST_P(SpmModelType, TrainsWithReservedIdsAndRoundTrips) {
  auto spm = train(GetParam(), 60);
  ASSERT_EQ(spm->piece_count(), 60);
  for (int id = 0; id < kNumReserved; ++id) EXPECT_EQ(spm->piece(id), kReservedTokens[id]);
  for (const std::string& s : corpus_sentences()) ASSERT_EQ(spm->detokenize(spm->tokenize(s)), s);
  // Unseen words still round-trip through smaller pieces.
  EXPECT_EQ(spm->detokenize(spm->tokenize("bakage kavi sutemo")), "bakage kavi sutemo");
  auto pieces = spm->tokenize("kari mote");
  EXPECT_EQ(pieces.front().substr(0, 3), "▁");  // word starts carry the ▁ meta symbol
}

INSTANTIATE_TEST_SUITE_P(Types, SpmModelType, ::testing::Values("unigram", "bpe"));

TEST(Spm, SaveLoadAndModelDirectory) {
  TempDir t;
  auto spm = train("unigram", 50);
  spm->save(t.path("m.spm"));
  auto loaded = SpmTokenizer::load(t.path("m.spm"));
  EXPECT_EQ(loaded->serialized(), spm->serialized());
  EXPECT_EQ(loaded->tokenize("kari mote suna"), spm->tokenize("kari mote suna"));

  copy_spm_model(t.path("m.spm"), t.dir());
  EXPECT_EQ(load_spm_from_dir(t.dir())->serialized(), spm->serialized());
  EXPECT_ERROR_HAS(copy_spm_model(fixture("corrupt.spm"), t.dir()), "not a valid SentencePiece model");
}

TEST(Spm, CorruptOrMissingModelIsAnError) {
  std::string bad = fixture("corrupt.spm");
  EXPECT_ERROR(SpmTokenizer::load(bad), bad + ": not a valid SentencePiece model");  // none of its internals
  EXPECT_ERROR(SpmTokenizer::load("/nonexistent.spm"), "cannot open /nonexistent.spm: No such file or directory");
  TempDir t;
  // A truncated model: a real one cut in half.
  auto spm = train("bpe", 50);
  std::string bytes = spm->serialized();
  std::string half = t.file("half.spm", bytes.substr(0, bytes.size() / 2));
  EXPECT_ERROR(SpmTokenizer::load(half), half + ": not a valid SentencePiece model");
}

// Found by fuzz/models/spm_model_fuzz.cc: a model with an empty piece made
// SentencePiece's trie builder throw through the loader (std::terminate in
// the fuzzer, "internal error" in s2s) instead of a one-line error.
TEST(Spm, ModelWithAnEmptyPieceIsAnError) {
  std::string bad = fixture("empty_piece.spm");
  EXPECT_ERROR(SpmTokenizer::load(bad), bad + ": not a valid SentencePiece model (" +
                                            "./third_party/darts_clone/darts.h:1143: exception: failed to insert key: zero-length key)");
}

TEST(Spm, TrainingErrorsAreReported) {
  EXPECT_ERROR(train("word", 50), "spm: unknown model type 'word' (expected unigram or bpe)");
}

// SentencePiece's own messages name its source files and its flags
// (--character_coverage); ours say what to set, and following them works.
TEST(Spm, SizeErrorsNameTheSizeToSetAndThatSizeTrains) {
  for (const std::string type : {"unigram", "bpe"}) {
    std::string high = s2s::testing::error_of([&] { train(type, 100000); });
    std::smatch m;
    ASSERT_TRUE(std::regex_match(high, m, std::regex("SentencePiece: the corpus yields at most ([0-9]+) pieces, fewer than the "
                                                     "100000 asked for: set the vocabulary size to \\1 or less")))
        << high;
    EXPECT_EQ(train(type, std::stoi(m[1]))->piece_count(), std::stoi(m[1]));

    std::string low = s2s::testing::error_of([&] { train(type, 10); });
    ASSERT_TRUE(std::regex_match(low, m, std::regex("SentencePiece: 10 pieces cannot hold every character of the corpus and "
                                                    "the reserved tokens: set the vocabulary size to at least ([0-9]+)")))
        << low;
    EXPECT_EQ(train(type, std::stoi(m[1]))->piece_count(), std::stoi(m[1]));
  }
}

TEST(Spm, VocabularyMustMatchTheModel) {
  auto spm = train("unigram", 50);
  Vocab v;
  for (int id = kNumReserved; id < spm->piece_count(); ++id) v.add(spm->piece(id), 1);
  check_vocab_matches_spm(v, *spm, "v.txt", "m.spm");
  Vocab shorter;
  shorter.add("x", 1);
  EXPECT_ERROR(check_vocab_matches_spm(shorter, *spm, "v.txt", "m.spm"),
               "v.txt has 5 tokens but SentencePiece model m.spm has 50 pieces");
  Vocab swapped;
  for (int id = kNumReserved; id < spm->piece_count(); ++id)
    swapped.add(spm->piece(id == 4 ? 5 : id == 5 ? 4 : id), 1);
  EXPECT_ERROR(check_vocab_matches_spm(swapped, *spm, "v.txt", "m.spm"),
               "v.txt does not match SentencePiece model m.spm: id 4 is '" + spm->piece(5) +
                   "' in the vocabulary and '" + spm->piece(4) + "' in the model");
}

TEST(Spm, BuildVocabListsPiecesInIdOrderWithCounts) {
  TempDir t;
  std::string tsv;
  for (const std::string& s : corpus_sentences()) tsv += s + "\t" + s + "\n";
  VocabBuildOptions o;
  o.type = TokenizerType::Spm;
  o.side = Side::Src;
  o.spm.vocab_size = 40;
  auto r = build_vocab(CorpusSpec::parse(t.file("c.tsv", tsv)), o);
  ASSERT_TRUE(r.spm);
  check_vocab_matches_spm(r.vocab, *r.spm, "built", "trained");
  std::uint64_t total = 0;
  for (int id = 0; id < r.vocab.size(); ++id) total += r.vocab.count(id);
  std::uint64_t expected = 0;
  for (const std::string& s : corpus_sentences()) expected += r.spm->tokenize(s).size();
  EXPECT_EQ(total, expected);
  EXPECT_EQ(r.sentences, corpus_sentences().size());
}

}  // namespace
}  // namespace s2s::data
