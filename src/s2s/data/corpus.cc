#include "s2s/data/corpus.h"

#include <sys/stat.h>

#include <algorithm>

#include "s2s/core/error.h"

namespace s2s::data {

CorpusSpec CorpusSpec::parse(std::string_view arg) {
  S2S_CHECK(!arg.empty(), "corpus: empty file name");
  CorpusSpec spec;
  struct stat st {};
  if (arg.find(',') == std::string_view::npos || ::stat(std::string(arg).c_str(), &st) == 0) {
    spec.paths.emplace_back(arg);
    return spec;
  }
  std::size_t start = 0;
  for (;;) {
    std::size_t comma = arg.find(',', start);
    std::string_view part = arg.substr(start, comma == std::string_view::npos ? arg.npos : comma - start);
    S2S_CHECK(!part.empty(), "corpus: empty file name in '", arg, "' (expected FILE or SOURCE,TARGET)");
    spec.paths.emplace_back(part);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return spec;
}

std::string CorpusSpec::str() const {
  std::string s;
  for (std::size_t i = 0; i < paths.size(); ++i) s += (i ? "," : "") + paths[i];
  return s;
}

namespace {

class TsvReader final : public PairReader {
 public:
  TsvReader(const std::string& path, const LineReaderOptions& options) : reader_(path, options) {}

  bool next(RawPair& pair) override {
    std::string_view line;
    if (!reader_.next(line)) {
      S2S_CHECK(reader_.line_number() > 0, reader_.path(), ": empty file");
      return false;
    }
    pair.line = reader_.line_number();
    pair.too_long = reader_.too_long();
    pair.src = pair.tgt = {};
    if (pair.too_long || line.empty()) return true;  // the caller skips these
    std::size_t tab = line.find('\t');
    S2S_CHECK(tab != std::string_view::npos, reader_.where(), ": expected source<TAB>target, found no TAB");
    std::size_t tabs = 1 + static_cast<std::size_t>(std::count(line.begin() + static_cast<std::ptrdiff_t>(tab) + 1, line.end(), '\t'));
    S2S_CHECK(tabs == 1, reader_.where(), ": expected one TAB between source and target, found ", tabs);
    pair.src = line.substr(0, tab);
    pair.tgt = line.substr(tab + 1);
    return true;
  }

  std::string where(std::uint64_t line, int) const override { return reader_.path() + ":" + std::to_string(line); }
  std::uint64_t skip(std::uint64_t n) override { return reader_.skip(n); }

 private:
  LineReader reader_;
};

class ParallelReader final : public PairReader {
 public:
  ParallelReader(const std::string& src, const std::string& tgt, const LineReaderOptions& options)
      : src_(src, options), tgt_(tgt, options) {}

  bool next(RawPair& pair) override {
    bool has_src = src_.next(pair.src);
    bool has_tgt = tgt_.next(pair.tgt);
    if (has_src != has_tgt) mismatch(has_src);
    if (!has_src) {
      S2S_CHECK(src_.line_number() > 0, src_.path(), ": empty file");
      return false;
    }
    pair.line = src_.line_number();
    pair.too_long = src_.too_long() || tgt_.too_long();
    if (pair.too_long) pair.src = pair.tgt = {};
    return true;
  }

  std::string where(std::uint64_t line, int side) const override {
    return (side == 0 ? src_.path() : tgt_.path()) + ":" + std::to_string(line);
  }
  std::uint64_t skip(std::uint64_t n) override {
    std::uint64_t a = src_.skip(n), b = tgt_.skip(n);
    if (a != b) mismatch(a > b);
    return a;
  }

 private:
  [[noreturn]] void mismatch(bool src_longer) {
    LineReader& longer = src_longer ? src_ : tgt_;
    LineReader& shorter = src_longer ? tgt_ : src_;
    std::uint64_t longer_lines = longer.line_number() + longer.skip(UINT64_MAX);
    std::uint64_t src_lines = src_longer ? longer_lines : shorter.line_number();
    std::uint64_t tgt_lines = src_longer ? shorter.line_number() : longer_lines;
    fail("parallel files differ in length: ", src_.path(), " has ", src_lines, " lines, ", tgt_.path(), " has ",
         tgt_lines, " (", shorter.path(), " ran out first)");
  }

  LineReader src_, tgt_;
};

const char* reason_text(int r) {
  static const char* texts[] = {"with an empty side", "over the line length limit", "over the maximum length"};
  return texts[r];
}

}  // namespace

std::unique_ptr<PairReader> open_pairs(const CorpusSpec& spec, const LineReaderOptions& options) {
  if (spec.paths.size() == 1) return std::make_unique<TsvReader>(spec.paths[0], options);
  S2S_CHECK(spec.paths.size() == 2, "corpus '", spec.str(),
            "': expected one TSV file or two parallel files SOURCE,TARGET, got ", spec.paths.size(), " files");
  return std::make_unique<ParallelReader>(spec.paths[0], spec.paths[1], options);
}

void SkipStats::skip(SkipReason reason, const std::string& where, const std::string& what) {
  if (strict) fail(where, ": ", what, " (--strict)");
  int r = static_cast<int>(reason);
  if (count[r]++ == 0) first[r] = where;
}

std::vector<std::string> SkipStats::warnings() const {
  std::vector<std::string> out;
  for (int r = 0; r < kReasons; ++r)
    if (count[r])
      out.push_back("skipped " + std::to_string(count[r]) + (count[r] == 1 ? " pair " : " pairs ") + reason_text(r) +
                    " (first at " + first[r] + "; --strict makes this an error)");
  return out;
}

void SkipStats::merge(const SkipStats& other) {
  for (int r = 0; r < kReasons; ++r) {
    if (count[r] == 0) first[r] = other.first[r];
    count[r] += other.count[r];
  }
}

}  // namespace s2s::data
