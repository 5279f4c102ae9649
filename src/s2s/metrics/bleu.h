#pragma once
// BLEU exactly as sacreBLEU 2.x computes it (sacrebleu/metrics/bleu.py):
// per-segment n-gram statistics summed over the corpus, clipped counts against
// the element-wise max over references, "closest" effective reference length
// (ties go to the shorter reference), smoothing as Chen & Cherry (2014).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace s2s::metrics {

enum class BleuSmooth { None, Floor, AddK, Exp };
enum class BleuTokenize { T13a, None };  // "13a" (default) or "none" (split only)

struct BleuOptions {
  int max_ngram_order = 4;
  BleuSmooth smooth = BleuSmooth::Exp;
  std::optional<double> smooth_value;  // unset: floor 0.1, add-k 1 (sacreBLEU's defaults)
  BleuTokenize tokenize = BleuTokenize::T13a;
  bool effective_order = false;  // true for sentence-level BLEU (sentence_bleu's default)

  // sacreBLEU's sentence_bleu() defaults: as above but with effective order.
  static BleuOptions sentence() {
    BleuOptions o;
    o.effective_order = true;
    return o;
  }
};

// Sufficient statistics; sums of per-segment values form the corpus's.
struct BleuStats {
  std::int64_t hyp_len = 0;
  std::int64_t ref_len = 0;
  std::vector<std::int64_t> correct;  // matched n-grams per order 1..N
  std::vector<std::int64_t> total;    // hypothesis n-grams per order 1..N

  explicit BleuStats(int max_order = 4) : correct(static_cast<std::size_t>(max_order), 0), total(correct) {}
  void add(const BleuStats& other);
};

struct BleuScore {
  double score = 0.0;                // 0..100
  std::vector<double> precisions;    // per order, 0..100, after smoothing
  double bp = 0.0;                   // brevity penalty
  double ratio = 0.0;                // hyp_len / ref_len (0 when ref_len is 0)
  std::int64_t hyp_len = 0;
  std::int64_t ref_len = 0;
  std::vector<std::int64_t> counts;  // matched n-grams per order
  std::vector<std::int64_t> totals;  // hypothesis n-grams per order

  // sacreBLEU's verbose part: "60.1/32.4/19.7/12.5 (BP = 0.960 ratio = 0.961 hyp_len = 1234 ref_len = 1284)".
  std::string verbose() const;
};

// Statistics of one hypothesis against its references (at least one; an
// empty string is a reference of length 0, as in sacreBLEU's API).
BleuStats bleu_segment_stats(std::string_view hyp, std::span<const std::string> refs, const BleuOptions& opts = {});

// BLEU.compute_bleu: the score from (summed) statistics.
BleuScore compute_bleu(const BleuStats& stats, const BleuOptions& opts = {});

// sacreBLEU's signature, e.g. "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0".
// nrefs < 0 means a varying number of references per segment ("var").
std::string bleu_signature(const BleuOptions& opts, int nrefs);

// Corpus BLEU, fed one segment at a time (nothing but the statistics is kept).
class Bleu {
 public:
  explicit Bleu(BleuOptions opts = {});

  void add(std::string_view hyp, std::span<const std::string> refs);
  void add_stats(const BleuStats& stats, int nrefs);

  BleuScore score() const;
  std::string signature() const;
  // sacreBLEU's text output line: "BLEU|<signature> = 25.43 <verbose>".
  std::string format() const;
  const BleuStats& stats() const { return stats_; }
  const BleuOptions& options() const { return opts_; }
  std::int64_t segments() const { return segments_; }

 private:
  BleuOptions opts_;
  BleuStats stats_;
  std::int64_t segments_ = 0;
  int nrefs_ = 0;  // -1 once segments disagree
};

// sacrebleu.sentence_bleu(hyp, refs) with its defaults (effective order on).
BleuScore sentence_bleu(std::string_view hyp, std::span<const std::string> refs,
                        const BleuOptions& opts = BleuOptions::sentence());

}  // namespace s2s::metrics
