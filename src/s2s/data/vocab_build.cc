#include "s2s/data/vocab_build.h"

#include "s2s/core/error.h"

namespace s2s::data {

Side parse_side(std::string_view name) {
  if (name == "src") return Side::Src;
  if (name == "tgt") return Side::Tgt;
  if (name == "both") return Side::Both;
  fail("unknown side '", name, "' (expected src, tgt or both)");
}

namespace {

bool blank(std::string_view s) { return s.find_first_not_of(" \t") == std::string_view::npos; }

// The sentences of the chosen side(s), one at a time.
class SentenceReader {
 public:
  SentenceReader(const CorpusSpec& corpus, Side side, const LineReaderOptions& lines, SkipStats& skips)
      : side_(side), lines_(lines), skips_(skips) {
    if (corpus.paths.size() == 2 && side != Side::Both)
      single_ = std::make_unique<LineReader>(corpus.paths[side == Side::Src ? 0 : 1], lines);
    else
      pairs_ = open_pairs(corpus, lines);
  }

  bool next(std::string_view& text) {
    for (;;) {
      if (pending_) {
        text = pending_text_;
        pending_ = false;
        return true;
      }
      if (single_) {
        if (!single_->next(text)) {
          S2S_CHECK(single_->line_number() > 0, single_->path(), ": empty file");
          return false;
        }
        if (single_->too_long()) {
          skip_too_long(single_->where());
          continue;
        }
        if (blank(text)) {
          skips_.skip(SkipReason::EmptySide, single_->where(), "empty sentence");
          continue;
        }
        return true;
      }
      RawPair pair;
      if (!pairs_->next(pair)) return false;
      if (pair.too_long) {
        skip_too_long(pairs_->where(pair.line, 0));
        continue;
      }
      bool want_src = side_ != Side::Tgt, want_tgt = side_ != Side::Src;
      if ((want_src && blank(pair.src)) || (want_tgt && blank(pair.tgt))) {
        int s = want_src && blank(pair.src) ? 0 : 1;
        skips_.skip(SkipReason::EmptySide, pairs_->where(pair.line, s), s == 0 ? "empty source side" : "empty target side");
        continue;
      }
      if (want_src && want_tgt) {
        pending_text_.assign(pair.tgt);  // the view dies at the next read
        pending_ = true;
      }
      text = want_src ? pair.src : pair.tgt;
      return true;
    }
  }

 private:
  void skip_too_long(const std::string& where) {
    skips_.skip(SkipReason::LineTooLong, where,
                "line over the length limit of " + std::to_string(lines_.max_line_bytes) + " bytes");
  }

  Side side_;
  LineReaderOptions lines_;
  SkipStats& skips_;
  std::unique_ptr<LineReader> single_;
  std::unique_ptr<PairReader> pairs_;
  std::string pending_text_;
  bool pending_ = false;
};

}  // namespace

VocabBuildResult build_vocab(const CorpusSpec& corpus, const VocabBuildOptions& o) {
  VocabBuildResult result;
  result.skips.strict = o.strict;
  std::string_view text;
  TokenList tokens;
  VocabBuilder builder;

  if (o.type != TokenizerType::Spm) {
    auto tokenizer = make_simple_tokenizer(o.type);
    SentenceReader reader(corpus, o.side, o.lines, result.skips);
    while (reader.next(text)) {
      tokenizer->tokenize(text, tokens);
      builder.add(tokens.span());
      ++result.sentences;
    }
    S2S_CHECK(builder.distinct() > 0, corpus.str(), ": no tokens to build a vocabulary from");
    result.vocab = builder.build(o.limits, &result.report);
    return result;
  }

  {  // Pass 1: train the model.
    SentenceReader reader(corpus, o.side, o.lines, result.skips);
    std::uint64_t fed = 0;
    result.spm = SpmTokenizer::train(
        [&](std::string& out) {
          if (!reader.next(text)) return false;
          out.assign(text);
          ++fed;
          return true;
        },
        o.spm);
    result.sentences = fed;
  }
  // Pass 2: count pieces, so the vocabulary file carries real counts.
  SkipStats ignored;  // pass 1 already counted (or refused) every skip
  SentenceReader reader(corpus, o.side, o.lines, ignored);
  std::vector<std::uint64_t> counts(static_cast<std::size_t>(result.spm->piece_count()), 0);
  Vocab pieces;
  for (int id = kNumReserved; id < result.spm->piece_count(); ++id) pieces.add(result.spm->piece(id), 0);
  while (reader.next(text)) {
    result.spm->tokenize(text, tokens);
    for (const std::string& t : tokens) ++counts[static_cast<std::size_t>(pieces.id(t))];
  }
  for (int id = 0; id < kNumReserved; ++id)
    S2S_CHECK(result.spm->piece(id) == kReservedTokens[id], "spm: trained model has piece '", result.spm->piece(id),
              "' at reserved id ", id);
  Vocab vocab;
  VocabReport& r = result.report;
  for (int id = kNumReserved; id < result.spm->piece_count(); ++id) {
    std::uint64_t c = counts[static_cast<std::size_t>(id)];
    vocab.add(result.spm->piece(id), c);
    r.occurrences += c;
    r.covered += c;
  }
  r.occurrences += counts[kUnkId];
  r.distinct = r.kept = static_cast<std::uint64_t>(result.spm->piece_count() - kNumReserved);
  result.vocab = std::move(vocab);
  return result;
}

}  // namespace s2s::data
