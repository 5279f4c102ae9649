#pragma once
// Building a vocabulary (and for spm, training the SentencePiece model) from
// one or both sides of a training corpus: what `s2s vocab` runs.
//
// Sentences that are empty (or only spaces and TABs) and lines over the line
// length limit are skipped and counted; with strict set they are errors.
// With a parallel corpus and one side, only that side's file is read.
#include <cstdint>
#include <memory>
#include <string_view>

#include "s2s/data/corpus.h"
#include "s2s/data/spm_tokenizer.h"
#include "s2s/data/tokenizer.h"
#include "s2s/data/vocab.h"

namespace s2s::data {

enum class Side { Src, Tgt, Both };
// "src" | "tgt" | "both"
Side parse_side(std::string_view name);

struct VocabBuildOptions {
  TokenizerType type = TokenizerType::Word;
  Side side = Side::Both;
  VocabLimits limits;   // char and word
  SpmTrainOptions spm;  // spm: the vocabulary is the model's pieces, in id order
  bool strict = false;
  LineReaderOptions lines;
};

struct VocabBuildResult {
  Vocab vocab;
  std::unique_ptr<SpmTokenizer> spm;  // set for spm
  VocabReport report;
  SkipStats skips;
  std::uint64_t sentences = 0;  // sentences counted (both sides count separately)
};

VocabBuildResult build_vocab(const CorpusSpec& corpus, const VocabBuildOptions& options);

}  // namespace s2s::data
