#pragma once
// The tokenizers and vocabularies of a training run, from its data options:
// loaded from the files they name, or built from the training corpus (and for
// spm, a SentencePiece model trained on it).
#include <memory>
#include <string>
#include <vector>

#include "s2s/data/tokenizer.h"
#include "s2s/data/vocab.h"
#include "s2s/train/run_config.h"

namespace s2s::train {

// Both sides. With shared set, src and tgt point to the same objects.
struct Vocabularies {
  bool shared = false;
  std::shared_ptr<data::Tokenizer> src_tokenizer, tgt_tokenizer;
  std::shared_ptr<data::Vocab> src_vocab, tgt_vocab;
};

// `messages` receives one line per side saying what was loaded or built.
Vocabularies prepare_vocabularies(const DataOptions& options, std::vector<std::string>* messages = nullptr);

}  // namespace s2s::train
