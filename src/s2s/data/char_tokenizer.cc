#include "s2s/data/char_tokenizer.h"

#include "s2s/data/utf8.h"

namespace s2s::data {

namespace {
// A literal "▁" is doubled so that it cannot be confused with a space.
const std::string kEscapedSpaceToken = std::string(kSpaceToken) + std::string(kSpaceToken);
}  // namespace

void CharTokenizer::tokenize(std::string_view text, TokenList& out) const {
  out.clear();
  for (std::size_t i = 0; i < text.size();) {
    std::size_t len = std::min(utf8_char_length(static_cast<unsigned char>(text[i])), text.size() - i);
    std::string_view cp = text.substr(i, len);
    if (cp == " ")
      out.push(kSpaceToken);
    else if (cp == kSpaceToken)
      out.push(kEscapedSpaceToken);
    else
      out.push(cp);
    i += len;
  }
}

std::string CharTokenizer::detokenize(std::span<const std::string> tokens) const {
  std::string text;
  text.reserve(tokens.size());
  for (const std::string& t : tokens) {
    if (t == kSpaceToken)
      text += ' ';
    else if (t == kEscapedSpaceToken)
      text += kSpaceToken;
    else
      text += t;
  }
  return text;
}

}  // namespace s2s::data
