#pragma once
// SentencePiece tokenizer (Debian libsentencepiece). Models are trained with
// the project's reserved ids (<pad>=0, <s>=1, </s>=2, <unk>=3), so a vocabulary
// written from a model's pieces in id order gives every piece the same id in
// s2s as in SentencePiece.
//
// A trained model travels with the s2s model directory as kSpmModelFile:
// copy_spm_model puts it there and load_spm_from_dir reads it back.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "s2s/data/tokenizer.h"

namespace sentencepiece {
class SentencePieceProcessor;
}

namespace s2s::data {

class Vocab;

inline constexpr const char* kSpmModelFile = "spm.model";

struct SpmTrainOptions {
  std::string model_type = "unigram";  // unigram | bpe
  int vocab_size = 8000;               // pieces, the four reserved ones included
  double character_coverage = 1.0;     // 1.0 suits alphabetic scripts; ~0.9995 for CJK
  std::uint64_t max_sentences = 1000000;  // sentences sampled for training (0: all)
  std::uint32_t seed = 1;
  // The option that sets vocab_size, named in training errors ("--size", "data.vocab_size").
  std::string size_option = "the vocabulary size";
};

class SpmTokenizer final : public Tokenizer {
 public:
  ~SpmTokenizer() override;

  // Errors name the file and say it is not a SentencePiece model.
  static std::unique_ptr<SpmTokenizer> load(const std::string& path);
  static std::unique_ptr<SpmTokenizer> from_serialized(const std::string& bytes, const std::string& origin);
  // Trains on the sentences `next` yields (false at the end). Training runs on
  // one thread: SentencePiece's multi-threaded EM sums in thread order, and
  // the model must not depend on the thread count.
  static std::unique_ptr<SpmTokenizer> train(const std::function<bool(std::string&)>& next,
                                             const SpmTrainOptions& options);

  TokenizerType type() const override { return TokenizerType::Spm; }
  using Tokenizer::tokenize;
  void tokenize(std::string_view text, TokenList& out) const override;
  std::string detokenize(std::span<const std::string> tokens) const override;

  int piece_count() const;
  std::string piece(int id) const;
  std::string serialized() const;
  void save(const std::string& path) const;

 private:
  explicit SpmTokenizer(std::unique_ptr<sentencepiece::SentencePieceProcessor> sp);
  std::unique_ptr<sentencepiece::SentencePieceProcessor> sp_;
};

// Where `s2s vocab --type spm --output PATH` writes the model: PATH + ".spm".
std::string spm_model_path_for(const std::string& vocab_path);

// Copies a model file into a model directory as kSpmModelFile (written whole
// to a temporary name, then renamed, so a crash never leaves half a model).
void copy_spm_model(const std::string& model_path, const std::string& model_dir);
std::unique_ptr<SpmTokenizer> load_spm_from_dir(const std::string& model_dir);

// Fails, naming both files and the first difference, unless `vocab` lists
// exactly the model's pieces in id order.
void check_vocab_matches_spm(const Vocab& vocab, const SpmTokenizer& spm, const std::string& vocab_origin,
                             const std::string& spm_origin);

}  // namespace s2s::data
