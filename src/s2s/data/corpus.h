#pragma once
// Corpus readers. A corpus is one TSV file (source<TAB>target per line) or
// two parallel files (line i of the source file pairs with line i of the
// target file), each plain or gzip-compressed. Pairs are streamed: nothing
// here holds more than the current line.
//
// Malformed lines (no TAB, several TABs, invalid UTF-8, parallel files of
// different lengths, an empty file) are errors naming file:line. Pairs that
// are merely unusable for training (an empty side, a line over the length
// limit) come back to the caller, which skips and counts them (SkipStats).
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "s2s/data/line_reader.h"

namespace s2s::data {

struct CorpusSpec {
  std::vector<std::string> paths;  // 1: TSV; 2: parallel source, target (multi-ref: more)

  // "train.tsv" or "train.src,train.tgt". A path that exists as written is
  // taken whole even if it contains a comma.
  static CorpusSpec parse(std::string_view arg);
  std::string str() const;
};

struct RawPair {
  std::string_view src, tgt;  // valid until the next call to next()
  std::uint64_t line = 0;     // 1-based
  bool too_long = false;      // over max_line_bytes: src and tgt are empty
};

class PairReader {
 public:
  virtual ~PairReader() = default;
  // The next pair; false at the end of the corpus.
  virtual bool next(RawPair& pair) = 0;
  // "file:line" of `side` (0 source, 1 target) of line `line`, for messages.
  virtual std::string where(std::uint64_t line, int side) const = 0;
  // Skips up to n lines without checking them (resuming a stream).
  virtual std::uint64_t skip(std::uint64_t n) = 0;
};

std::unique_ptr<PairReader> open_pairs(const CorpusSpec& spec, const LineReaderOptions& options = {});

// Why a training pair was left out.
enum class SkipReason { EmptySide = 0, LineTooLong = 1, OverMaxLength = 2 };

// Counted skips with the first place each happened; with strict set, a skip
// is an error instead.
struct SkipStats {
  static constexpr int kReasons = 3;
  bool strict = false;
  std::uint64_t count[kReasons] = {};
  std::string first[kReasons];

  // `where` is file:line, `what` says what is wrong ("empty target side").
  void skip(SkipReason reason, const std::string& where, const std::string& what);
  std::uint64_t total() const { return count[0] + count[1] + count[2]; }
  std::uint64_t of(SkipReason r) const { return count[static_cast<int>(r)]; }
  // One line per reason that happened, e.g.
  // "skipped 3 pairs with an empty side (first at train.tsv:17; --strict makes this an error)".
  std::vector<std::string> warnings() const;
  void merge(const SkipStats& other);
};

}  // namespace s2s::data
