#pragma once
// Code-point tokenizer; see tokenizer.h for how spaces are represented.
#include "s2s/data/tokenizer.h"

namespace s2s::data {

inline constexpr std::string_view kSpaceToken = "\xE2\x96\x81";  // "▁" U+2581

class CharTokenizer final : public Tokenizer {
 public:
  TokenizerType type() const override { return TokenizerType::Char; }
  using Tokenizer::tokenize;
  void tokenize(std::string_view text, TokenList& out) const override;
  std::string detokenize(std::span<const std::string> tokens) const override;
};

}  // namespace s2s::data
