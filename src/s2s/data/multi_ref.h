#pragma once
// Multi-reference dev/test sets, read whole (they are small).
//
// Formats:
//   one file:  source<TAB>ref1[<TAB>ref2 ...]   (at least one reference; lines
//              may have different numbers of references)
//   one file with ref_separator '|':  source<TAB>ref1|ref2|...  (as CMUdict's
//              dev/test.refs files)
//   several files "test.src,test.ref1,test.ref2": line i of every reference
//              file is a reference for line i of the source file.
// Evaluation data is never skipped silently: an empty source or reference,
// or a line over the length limit, is an error naming file:line.
#include <cstdint>
#include <string>
#include <vector>

#include "s2s/data/corpus.h"

namespace s2s::data {

struct MultiRefPair {
  std::string src;
  std::vector<std::string> refs;
  std::uint64_t line = 0;
};

struct MultiRefOptions {
  char ref_separator = '\t';
  LineReaderOptions lines;
};

std::vector<MultiRefPair> read_multi_ref(const CorpusSpec& spec, const MultiRefOptions& options = {});

}  // namespace s2s::data
