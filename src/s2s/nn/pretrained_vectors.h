#pragma once
// Initialising an embedding table from pretrained word vectors in text form:
// word2vec's text format (an optional "count dim" header line, then
// "word v1 ... vdim" per line) or GloVe's (the same without a header).
#include <cstdint>
#include <string>
#include <vector>

#include "s2s/nn/embedding.h"

namespace s2s::nn {

struct PretrainedStats {
  std::int64_t found = 0;    // tokens that got a vector from the file
  std::int64_t missing = 0;  // tokens that kept their random init (the padding row is neither)
};

// tokens[id] is the text of each id (tokens.size() == table.vocab_size()).
// The padding row stays zero. A word listed twice in the file gets its first
// vector. With freeze, the table gets no gradient afterwards. A malformed file
// throws s2s::Error naming file:line.
PretrainedStats load_pretrained_vectors(Embedding& table, const std::string& path,
                                        const std::vector<std::string>& tokens, bool freeze);

}  // namespace s2s::nn
