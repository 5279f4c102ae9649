#pragma once
// chrF / chrF++ exactly as sacreBLEU 2.x computes them (sacrebleu/metrics/
// chrf.py): character n-grams over code points with whitespace removed,
// optional word n-grams (chrF++), per-segment [hyp, ref, match] counts for
// the best-F reference summed over the corpus, then one F-beta over the
// averaged precision and recall of the orders that occur ("eff:yes").
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace s2s::metrics {

struct ChrfOptions {
  int char_order = 6;
  int word_order = 0;  // 2 gives chrF++
  int beta = 2;
  bool whitespace = false;     // keep whitespace inside character n-grams
  bool eps_smoothing = false;  // chrF++.py / NLTK / Moses smoothing (sacreBLEU's "eff:no")

  static ChrfOptions plus_plus() {
    ChrfOptions o;
    o.word_order = 2;
    return o;
  }
};

// Flattened [hyp, ref, match] counts for the char orders 1..char_order
// followed by the word orders 1..word_order.
struct ChrfStats {
  std::vector<std::int64_t> v;

  explicit ChrfStats(const ChrfOptions& opts = {});
  void add(const ChrfStats& other);
};

// Statistics of one hypothesis against its best reference (at least one).
ChrfStats chrf_segment_stats(std::string_view hyp, std::span<const std::string> refs, const ChrfOptions& opts = {});

// CHRF._compute_f_score: 0..100.
double chrf_f_score(const ChrfStats& stats, const ChrfOptions& opts = {});

// "chrF2" or "chrF2++" (one '+' per word order), as sacreBLEU names it.
std::string chrf_name(const ChrfOptions& opts);

// e.g. "nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.6.0"; nrefs < 0 -> "var".
std::string chrf_signature(const ChrfOptions& opts, int nrefs);

// Corpus chrF, fed one segment at a time.
class Chrf {
 public:
  explicit Chrf(ChrfOptions opts = {});

  void add(std::string_view hyp, std::span<const std::string> refs);
  void add_stats(const ChrfStats& stats, int nrefs);

  double score() const { return chrf_f_score(stats_, opts_); }
  std::string name() const { return chrf_name(opts_); }
  std::string signature() const { return chrf_signature(opts_, nrefs_); }
  // sacreBLEU's text output line: "chrF2|<signature> = 55.12".
  std::string format() const;
  const ChrfStats& stats() const { return stats_; }
  const ChrfOptions& options() const { return opts_; }

 private:
  ChrfOptions opts_;
  ChrfStats stats_;
  std::int64_t segments_ = 0;
  int nrefs_ = 0;
};

// sacrebleu.sentence_chrf(hyp, refs) with the given options.
double sentence_chrf(std::string_view hyp, std::span<const std::string> refs, const ChrfOptions& opts = {});

}  // namespace s2s::metrics
