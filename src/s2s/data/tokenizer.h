#pragma once
// One interface for every tokenizer, each with its matching detokenizer.
//
//   char  Unicode code points; a space becomes the visible token "▁" (U+2581)
//         and a literal "▁" in the text becomes "▁▁", so
//         detokenize(tokenize(x)) == x for every valid UTF-8 string x.
//   word  tokens separated by spaces or TABs (input already tokenized, e.g.
//         "l e t t e r s"); detokenize joins with one space, so the round trip
//         holds for text whose tokens are separated by single spaces.
//   spm   SentencePiece (spm_tokenizer.h); the round trip holds for text that
//         the model's normalization leaves unchanged.
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace s2s::data {

enum class TokenizerType { Char, Word, Spm };

// "char" | "word" | "spm"; anything else is an error naming the choices.
TokenizerType parse_tokenizer_type(std::string_view name);
std::string_view tokenizer_type_name(TokenizerType type);

// Tokens of one sentence. Reused between calls, it keeps its strings'
// capacity, so steady-state tokenization does not allocate.
class TokenList {
 public:
  void clear() { n_ = 0; }
  void push(std::string_view token) {
    if (n_ == v_.size()) v_.emplace_back();
    v_[n_++].assign(token.data(), token.size());
  }
  std::size_t size() const { return n_; }
  bool empty() const { return n_ == 0; }
  const std::string& operator[](std::size_t i) const { return v_[i]; }
  std::span<const std::string> span() const { return {v_.data(), n_}; }
  const std::string* begin() const { return v_.data(); }
  const std::string* end() const { return v_.data() + n_; }
  std::vector<std::string> to_vector() const { return {begin(), end()}; }

 private:
  std::vector<std::string> v_;
  std::size_t n_ = 0;
};

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;
  virtual TokenizerType type() const = 0;
  // Replaces the contents of `out` with the tokens of `text` (valid UTF-8).
  virtual void tokenize(std::string_view text, TokenList& out) const = 0;
  virtual std::string detokenize(std::span<const std::string> tokens) const = 0;

  std::vector<std::string> tokenize(std::string_view text) const {
    TokenList list;
    tokenize(text, list);
    return list.to_vector();
  }
};

// char and word tokenizers; spm ones come from SpmTokenizer::load / train.
std::unique_ptr<Tokenizer> make_simple_tokenizer(TokenizerType type);

}  // namespace s2s::data
