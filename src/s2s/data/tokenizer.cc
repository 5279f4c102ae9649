#include "s2s/data/tokenizer.h"

#include "s2s/core/error.h"
#include "s2s/data/char_tokenizer.h"
#include "s2s/data/word_tokenizer.h"

namespace s2s::data {

TokenizerType parse_tokenizer_type(std::string_view name) {
  if (name == "char") return TokenizerType::Char;
  if (name == "word") return TokenizerType::Word;
  if (name == "spm") return TokenizerType::Spm;
  fail("unknown tokenizer '", name, "' (expected char, word or spm)");
}

std::string_view tokenizer_type_name(TokenizerType type) {
  switch (type) {
    case TokenizerType::Char: return "char";
    case TokenizerType::Word: return "word";
    case TokenizerType::Spm: return "spm";
  }
  return "?";
}

std::unique_ptr<Tokenizer> make_simple_tokenizer(TokenizerType type) {
  switch (type) {
    case TokenizerType::Char: return std::make_unique<CharTokenizer>();
    case TokenizerType::Word: return std::make_unique<WordTokenizer>();
    case TokenizerType::Spm: break;
  }
  fail("a SentencePiece tokenizer needs its model: use SpmTokenizer::load");
}

}  // namespace s2s::data
