#include "s2s/metrics/bleu.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "s2s/core/error.h"
#include "s2s/metrics/format.h"
#include "s2s/metrics/ngram_counts.h"
#include "s2s/metrics/sacrebleu_compat.h"
#include "s2s/metrics/text.h"
#include "s2s/metrics/tokenizer_13a.h"

namespace s2s::metrics {
namespace {

void check_options(const BleuOptions& opts) {
  S2S_CHECK(opts.max_ngram_order >= 1, "BLEU: max n-gram order must be >= 1, got ", opts.max_ngram_order);
}

// BLEU._preprocess_segment: the tokenizer sees the right-stripped segment.
std::vector<std::string> bleu_tokens(std::string_view s, const BleuOptions& opts) {
  const std::string_view stripped = rstrip_py(s);
  if (opts.tokenize == BleuTokenize::T13a) return tokenize_13a(stripped);
  return split_py_whitespace(stripped);
}

double smooth_value_or_default(const BleuOptions& opts) {
  if (opts.smooth_value) return *opts.smooth_value;
  return opts.smooth == BleuSmooth::Floor ? 0.1 : 1.0;
}

// utils.my_log: log floored for zero precisions.
double my_log(double x) { return x == 0.0 ? -9999999999.0 : std::log(x); }

}  // namespace

void BleuStats::add(const BleuStats& other) {
  S2S_CHECK(other.correct.size() == correct.size(), "BLEU: statistics of n-gram order ", other.correct.size(),
            " cannot be added to order ", correct.size());
  hyp_len += other.hyp_len;
  ref_len += other.ref_len;
  for (std::size_t n = 0; n < correct.size(); ++n) {
    correct[n] += other.correct[n];
    total[n] += other.total[n];
  }
}

std::string BleuScore::verbose() const {
  std::string prec;
  for (std::size_t n = 0; n < precisions.size(); ++n) {
    if (n > 0) prec.push_back('/');
    prec += fixed(precisions[n], 1);
  }
  return prec + " (BP = " + fixed(bp, 3) + " ratio = " + fixed(ratio, 3) + " hyp_len = " + std::to_string(hyp_len) +
         " ref_len = " + std::to_string(ref_len) + ")";
}

BleuStats bleu_segment_stats(std::string_view hyp, std::span<const std::string> refs, const BleuOptions& opts) {
  check_options(opts);
  S2S_CHECK(!refs.empty(), "BLEU: each hypothesis needs at least one reference");
  const int order = opts.max_ngram_order;

  // Reference n-grams merged by element-wise max; lengths kept for "closest".
  NgramCounts ref_ngrams;
  std::vector<std::int64_t> ref_lens;
  NgramCounts one;
  for (const std::string& ref : refs) {
    const std::vector<std::string> tokens = bleu_tokens(ref, opts);
    ref_lens.push_back(static_cast<std::int64_t>(tokens.size()));
    one.clear();
    add_word_ngrams(tokens, 1, order, one);
    for (const auto& [ngram, count] : one) {
      std::int64_t& slot = ref_ngrams[ngram];
      slot = std::max(slot, count);
    }
  }

  const std::vector<std::string> hyp_tokens = bleu_tokens(hyp, opts);
  NgramCounts hyp_ngrams;
  add_word_ngrams(hyp_tokens, 1, order, hyp_ngrams);

  BleuStats st(order);
  st.hyp_len = static_cast<std::int64_t>(hyp_tokens.size());
  // _get_closest_ref_len: smallest |hyp - ref|, ties to the shorter reference.
  std::int64_t closest_diff = -1, closest_len = -1;
  for (std::int64_t len : ref_lens) {
    const std::int64_t diff = std::llabs(st.hyp_len - len);
    if (closest_diff == -1 || diff < closest_diff) {
      closest_diff = diff;
      closest_len = len;
    } else if (diff == closest_diff && len < closest_len) {
      closest_len = len;
    }
  }
  st.ref_len = closest_len;

  for (const auto& [ngram, count] : hyp_ngrams) {
    const auto n = static_cast<std::size_t>(ngram_order(ngram) - 1);
    st.total[n] += count;
    if (auto it = ref_ngrams.find(ngram); it != ref_ngrams.end()) st.correct[n] += std::min(count, it->second);
  }
  return st;
}

BleuScore compute_bleu(const BleuStats& stats, const BleuOptions& opts) {
  check_options(opts);
  const int order = opts.max_ngram_order;
  S2S_CHECK(static_cast<int>(stats.correct.size()) == order, "BLEU: statistics have n-gram order ",
            stats.correct.size(), " but the options say ", order);
  BleuScore r;
  r.hyp_len = stats.hyp_len;
  r.ref_len = stats.ref_len;
  r.counts = stats.correct;
  r.totals = stats.total;
  r.ratio = stats.ref_len != 0 ? static_cast<double>(stats.hyp_len) / static_cast<double>(stats.ref_len) : 0.0;
  r.precisions.assign(static_cast<std::size_t>(order), 0.0);

  const double sys_len = static_cast<double>(stats.hyp_len);
  const double ref_len = static_cast<double>(stats.ref_len);
  r.bp = 1.0;
  if (stats.hyp_len < stats.ref_len) r.bp = stats.hyp_len > 0 ? std::exp(1.0 - ref_len / sys_len) : 0.0;

  // Early stop when nothing matches (sacreBLEU #141).
  if (std::all_of(stats.correct.begin(), stats.correct.end(), [](std::int64_t c) { return c == 0; })) return r;

  const double smooth_value = smooth_value_or_default(opts);
  std::vector<double> correct(stats.correct.begin(), stats.correct.end());
  std::vector<double> total(stats.total.begin(), stats.total.end());
  double smooth_mteval = 1.0;
  int eff_order = order;
  for (int n = 1; n <= order; ++n) {
    const auto k = static_cast<std::size_t>(n - 1);
    if (opts.smooth == BleuSmooth::AddK && n > 1) {
      correct[k] += smooth_value;
      total[k] += smooth_value;
    }
    if (total[k] == 0.0) break;
    if (opts.effective_order) eff_order = n;
    if (correct[k] == 0.0) {
      if (opts.smooth == BleuSmooth::Exp) {
        smooth_mteval *= 2.0;
        r.precisions[k] = 100.0 / (smooth_mteval * total[k]);
      } else if (opts.smooth == BleuSmooth::Floor) {
        r.precisions[k] = 100.0 * smooth_value / total[k];
      }
    } else {
      r.precisions[k] = 100.0 * correct[k] / total[k];
    }
  }
  // Python's sum() adds left to right from 0; so does this.
  double log_sum = 0.0;
  for (int n = 0; n < eff_order; ++n) log_sum += my_log(r.precisions[static_cast<std::size_t>(n)]);
  r.score = r.bp * std::exp(log_sum / eff_order);
  return r;
}

std::string bleu_signature(const BleuOptions& opts, int nrefs) {
  std::string smooth;
  switch (opts.smooth) {
    case BleuSmooth::None: smooth = "none"; break;
    case BleuSmooth::Exp: smooth = "exp"; break;
    case BleuSmooth::Floor: smooth = "floor[" + fixed(smooth_value_or_default(opts), 2) + "]"; break;
    case BleuSmooth::AddK: smooth = "add-k[" + fixed(smooth_value_or_default(opts), 2) + "]"; break;
  }
  return "nrefs:" + (nrefs < 0 ? std::string("var") : std::to_string(nrefs)) + "|case:mixed|eff:" +
         (opts.effective_order ? "yes" : "no") + "|tok:" + (opts.tokenize == BleuTokenize::T13a ? "13a" : "none") +
         "|smooth:" + smooth + "|version:" + kSacrebleuVersion;
}

Bleu::Bleu(BleuOptions opts) : opts_(std::move(opts)), stats_(opts_.max_ngram_order) { check_options(opts_); }

void Bleu::add(std::string_view hyp, std::span<const std::string> refs) {
  add_stats(bleu_segment_stats(hyp, refs, opts_), static_cast<int>(refs.size()));
}

void Bleu::add_stats(const BleuStats& stats, int nrefs) {
  stats_.add(stats);
  if (segments_ == 0) nrefs_ = nrefs;
  else if (nrefs_ != nrefs) nrefs_ = -1;
  ++segments_;
}

BleuScore Bleu::score() const { return compute_bleu(stats_, opts_); }

std::string Bleu::signature() const { return bleu_signature(opts_, nrefs_); }

std::string Bleu::format() const {
  const BleuScore s = score();
  return "BLEU|" + signature() + " = " + fixed(s.score, 2) + " " + s.verbose();
}

BleuScore sentence_bleu(std::string_view hyp, std::span<const std::string> refs, const BleuOptions& opts) {
  return compute_bleu(bleu_segment_stats(hyp, refs, opts), opts);
}

}  // namespace s2s::metrics
