#pragma once
// Turns raw pairs into a Dataset: tokenize, map to ids, filter.
//
// Pairs with an empty side (after tokenization), a line over the line length
// limit, or more tokens than max_src_len / max_tgt_len are skipped and counted
// (LoadStats::skips); with strict set, the first one is an error naming
// file:line instead. Lengths count tokens only, not BOS/EOS.
#include <cstdint>
#include <string>
#include <vector>

#include "s2s/data/corpus.h"
#include "s2s/data/dataset.h"
#include "s2s/data/source_copy.h"
#include "s2s/data/tokenizer.h"
#include "s2s/data/vocab.h"

namespace s2s::data {

// Tokenizer and vocabulary of one side.
struct SideCodec {
  const Tokenizer* tokenizer = nullptr;
  const Vocab* vocab = nullptr;
};

// Encodes text to ids, reusing its buffers between calls.
// With copy (a model with copy attention): the target side is encoded in the
// pair's extended vocabulary (data/source_copy.h: a target token outside the
// target vocabulary that the source has gets its copy id), so encode the
// source first; copy_ids() then holds the source's copy ids.
class PairEncoder {
 public:
  PairEncoder(SideCodec src, SideCodec tgt, bool copy = false);
  // side 0: source, 1: target. Replaces `ids`; unknown tokens are counted in `unk`.
  void encode(int side, std::string_view text, std::vector<std::int32_t>& ids, UnkStats* unk = nullptr);
  // One more than the largest id either side can produce (with copy: any id).
  std::int64_t max_vocab_size() const;
  bool copies() const { return copy_; }
  // The last source's copy ids (copy only).
  const std::vector<std::int32_t>& copy_ids() const { return source_copy_.ids(); }

 private:
  SideCodec codec_[2];
  TokenList tokens_;
  bool copy_;
  SourceCopy source_copy_;
};

struct LoadOptions {
  std::int64_t max_src_len = 0;  // tokens; 0: no limit
  std::int64_t max_tgt_len = 0;
  bool strict = false;
  LineReaderOptions lines;
};

struct LoadStats {
  std::uint64_t pairs_read = 0;
  std::uint64_t pairs_kept = 0;
  std::uint64_t src_tokens = 0, tgt_tokens = 0;  // in kept pairs
  UnkStats unk[2];                                 // in kept pairs, per side
  SkipStats skips;

  // One line for the training log, e.g. "read 1000 pairs, kept 998 (12000 /
  // 11000 tokens, <unk> 0.10% / 0.20%)".
  std::string summary() const;
  void merge(const LoadStats& other);
};

// Reads pairs until `max_pairs` are kept or the corpus ends (then returns false).
bool load_pairs(PairReader& reader, PairEncoder& encoder, const LoadOptions& options, Dataset& out, LoadStats& stats,
                std::size_t max_pairs = SIZE_MAX);

// Loads a whole corpus; a corpus in which no pair survives is an error.
Dataset load_dataset(const CorpusSpec& spec, PairEncoder& encoder, const LoadOptions& options, LoadStats* stats = nullptr);

}  // namespace s2s::data
