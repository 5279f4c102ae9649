#pragma once
// Whitespace tokenizer for text that is already tokenized ("l e t t e r s").
#include "s2s/data/tokenizer.h"

namespace s2s::data {

class WordTokenizer final : public Tokenizer {
 public:
  TokenizerType type() const override { return TokenizerType::Word; }
  using Tokenizer::tokenize;
  // Splits on runs of spaces and TABs; leading and trailing ones are ignored.
  void tokenize(std::string_view text, TokenList& out) const override;
  // Joins with single spaces.
  std::string detokenize(std::span<const std::string> tokens) const override;
};

}  // namespace s2s::data
