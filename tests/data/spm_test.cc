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

// Protobuf encoding, enough to append a normalizer spec to a serialized model
// (protobuf merges it into the model's own; its character map replaces theirs).
std::string varint(std::uint64_t v) {
  std::string s;
  for (; v >= 0x80; v >>= 7) s += static_cast<char>((v & 0x7f) | 0x80);
  return s + static_cast<char>(v);
}
std::string length_delimited(std::uint64_t field, const std::string& bytes) {
  return varint(field << 3 | 2) + varint(bytes.size()) + bytes;
}
std::string le32(std::uint32_t v) {
  std::string s;
  for (int b = 0; b < 4; ++b) s += static_cast<char>((v >> (8 * b)) & 0xff);
  return s;
}

// A precompiled character map (SentencePiece's layout: trie byte count, a
// Darts double-array trie, NUL-terminated strings) that maps the byte 'A' to
// "a": the root (unit 0) puts its children at 256 ^ byte; unit 321 = 256 ^ 'A'
// is labelled 'A' and has a leaf, whose value unit is 321 ^ 65 = 256, pointing
// at offset 0 of the strings.
struct CharsMap {
  std::vector<std::uint32_t> units = std::vector<std::uint32_t>(512);
  std::string strings = std::string("a\0", 2);
  std::int64_t claimed_trie_bytes = -1;  // the header's count; -1: the trie's true size

  CharsMap() {
    units[0] = 256u << 10;
    units[321] = (65u << 10) | (1u << 8) | 'A';
    units[256] = (1u << 31) | 0u;
  }
  std::string bytes() const {
    std::string trie;
    for (std::uint32_t u : units) trie += le32(u);
    auto claimed = claimed_trie_bytes < 0 ? trie.size() : static_cast<std::size_t>(claimed_trie_bytes);
    return le32(static_cast<std::uint32_t>(claimed)) + trie + strings;
  }
};

// ModelProto.normalizer_spec = 3, .denormalizer_spec = 5; NormalizerSpec.name = 1, .precompiled_charsmap = 2.
std::string with_map(const std::string& model, const CharsMap& map, std::uint64_t spec = 3) {
  return model + length_delimited(spec, length_delimited(1, "s2s_test") + length_delimited(2, map.bytes()));
}

TEST(Spm, ACharacterMapOfTheModelNormalizes) {
  std::string model = train("unigram", 50)->serialized();
  auto plain = SpmTokenizer::from_serialized(model, "plain");
  auto mapped = SpmTokenizer::from_serialized(with_map(model, CharsMap()), "mapped");
  EXPECT_EQ(mapped->tokenize("kAri motA"), plain->tokenize("kari mota"));
  EXPECT_NE(plain->tokenize("kAri motA"), plain->tokenize("kari mota"));
}

// Found by fuzz/models/spm_model_fuzz.cc: SentencePiece follows a damaged
// character map's offsets wherever they point (an out-of-bounds read at the
// first Encode, or in the self-test while loading).
TEST(Spm, DamagedCharacterMapsAreRefusedNamingWhatIsDamaged) {
  std::string model = train("unigram", 50)->serialized();
  auto refused = [&](const CharsMap& map, std::uint64_t spec = 3) {
    return s2s::testing::error_of([&] { SpmTokenizer::from_serialized(with_map(model, map, spec), "m.spm"); });
  };
  const std::string prefix = "m.spm: not a valid SentencePiece model (";
  CharsMap outside;
  outside.units[0] = 4096u << 10;
  EXPECT_EQ(refused(outside), prefix + "normalizer character map: trie unit 0 points past the trie's 512 units)");
  EXPECT_EQ(refused(outside, 5), prefix + "denormalizer character map: trie unit 0 points past the trie's 512 units)");
  CharsMap child_outside;
  child_outside.units[321] = (700u << 10) | (1u << 8) | 'A';
  EXPECT_EQ(refused(child_outside), prefix + "normalizer character map: trie unit 321 points past the trie's 512 units)");
  CharsMap value_outside;
  value_outside.units[256] = (1u << 31) | 7u;
  EXPECT_EQ(refused(value_outside),
            prefix + "normalizer character map: trie unit 321 maps to offset 7, past its 2 bytes of strings)");
  CharsMap unterminated;
  unterminated.strings = "a";
  EXPECT_EQ(refused(unterminated),
            prefix + "normalizer character map: trie unit 321 maps to offset 0, where no string ends before the map does)");
  CharsMap long_trie;  // one byte short of what SentencePiece's own check catches
  long_trie.claimed_trie_bytes = 512 * 4 + 2 + 3;
  EXPECT_EQ(refused(long_trie), prefix + "normalizer character map: its trie claims 2053 bytes of the 2050 there)");
  CharsMap empty_trie;
  empty_trie.units.clear();
  EXPECT_EQ(refused(empty_trie), prefix + "normalizer character map: its trie is empty)");
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
