#include "s2s/data/word_tokenizer.h"

namespace s2s::data {

void WordTokenizer::tokenize(std::string_view text, TokenList& out) const {
  out.clear();
  std::size_t i = 0, n = text.size();
  while (i < n) {
    while (i < n && (text[i] == ' ' || text[i] == '\t')) ++i;
    std::size_t start = i;
    while (i < n && text[i] != ' ' && text[i] != '\t') ++i;
    if (i > start) out.push(text.substr(start, i - start));
  }
}

std::string WordTokenizer::detokenize(std::span<const std::string> tokens) const {
  std::string text;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (i) text += ' ';
    text += tokens[i];
  }
  return text;
}

}  // namespace s2s::data
