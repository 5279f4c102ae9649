#include "s2s/metrics/chrf.h"

#include <algorithm>
#include <unordered_map>

#include "s2s/core/error.h"
#include "s2s/metrics/format.h"
#include "s2s/metrics/ngram_counts.h"
#include "s2s/metrics/sacrebleu_compat.h"
#include "s2s/metrics/text.h"

namespace s2s::metrics {
namespace {

// Keys view into SegmentNgrams::line, so an n-gram costs no allocation; a
// SegmentNgrams is therefore filled in place and never moved.
using CharCounts = std::unordered_map<std::u32string_view, std::int64_t>;

// One n-gram multiset per order: char orders first, then word orders.
struct SegmentNgrams {
  std::u32string line;
  std::vector<CharCounts> chars;
  std::vector<NgramCounts> words;

  SegmentNgrams() = default;
  SegmentNgrams(const SegmentNgrams&) = delete;
  SegmentNgrams& operator=(const SegmentNgrams&) = delete;
};

void check_options(const ChrfOptions& o) {
  S2S_CHECK(o.char_order >= 0 && o.word_order >= 0 && o.char_order + o.word_order >= 1,
            "chrF: character and word n-gram orders must be >= 0 and not both 0, got ", o.char_order, " and ",
            o.word_order);
  S2S_CHECK(o.beta >= 0, "chrF: beta must be >= 0, got ", o.beta);
}

// CHRF._PUNCTS (Python's string.punctuation).
bool is_punct(char32_t c) {
  return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) || (c >= 0x7B && c <= 0x7E);
}

// CHRF._remove_punctuation: splits one leading or trailing punctuation mark
// off words longer than one character (a trailing one wins).
std::vector<std::string> words_for_chrf(const std::u32string& sent) {
  std::vector<std::string> out;
  for (std::u32string_view w : split_py_whitespace(std::u32string_view(sent))) {
    if (w.size() == 1) {
      out.push_back(encode_utf8(w));
    } else if (is_punct(w.back())) {
      out.push_back(encode_utf8(w.substr(0, w.size() - 1)));
      out.push_back(encode_utf8(w.substr(w.size() - 1)));
    } else if (is_punct(w.front())) {
      out.push_back(encode_utf8(w.substr(0, 1)));
      out.push_back(encode_utf8(w.substr(1)));
    } else {
      out.push_back(encode_utf8(w));
    }
  }
  return out;
}

void extract(std::string_view text, const ChrfOptions& opts, SegmentNgrams& g) {
  const std::u32string sent = decode_utf8(text);
  g.line.clear();
  if (opts.whitespace) {
    g.line = sent;
  } else {
    for (std::u32string_view w : split_py_whitespace(std::u32string_view(sent))) g.line.append(w);
  }
  const std::u32string_view line(g.line);
  g.chars.resize(static_cast<std::size_t>(opts.char_order));
  for (int n = 1; n <= opts.char_order; ++n) {
    CharCounts& c = g.chars[static_cast<std::size_t>(n - 1)];
    c.clear();
    for (std::size_t i = 0; i + static_cast<std::size_t>(n) <= line.size(); ++i) ++c[line.substr(i, n)];
  }
  g.words.resize(static_cast<std::size_t>(opts.word_order));
  if (opts.word_order > 0) {
    const std::vector<std::string> words = words_for_chrf(sent);
    for (int n = 1; n <= opts.word_order; ++n) {
      NgramCounts& c = g.words[static_cast<std::size_t>(n - 1)];
      c.clear();
      add_word_ngrams(words, n, n, c);
    }
  }
}

// CHRF._get_match_statistics for one order, appended as [hyp, ref, match].
template <typename Counts>
void match_stats(const Counts& hyp, const Counts& ref, std::vector<std::int64_t>& out) {
  std::int64_t hyp_count = 0, match = 0, ref_count = 0;
  for (const auto& [ng, count] : hyp) {
    hyp_count += count;
    if (auto it = ref.find(ng); it != ref.end()) match += std::min(count, it->second);
  }
  for (const auto& [ng, count] : ref) ref_count += count;
  // Hypothesis n-grams do not count when the reference has none of that order.
  out.push_back(ref.empty() ? 0 : hyp_count);
  out.push_back(ref_count);
  out.push_back(match);
}

}  // namespace

ChrfStats::ChrfStats(const ChrfOptions& opts) : v(static_cast<std::size_t>(3 * (opts.char_order + opts.word_order)), 0) {}

void ChrfStats::add(const ChrfStats& other) {
  S2S_CHECK(other.v.size() == v.size(), "chrF: statistics of size ", other.v.size(), " cannot be added to size ",
            v.size());
  for (std::size_t i = 0; i < v.size(); ++i) v[i] += other.v[i];
}

double chrf_f_score(const ChrfStats& stats, const ChrfOptions& opts) {
  check_options(opts);
  const int order = opts.char_order + opts.word_order;
  S2S_CHECK(static_cast<int>(stats.v.size()) == 3 * order, "chrF: statistics of size ", stats.v.size(),
            " do not match the options (", 3 * order, ")");
  const double eps = 1e-16;
  const double factor = static_cast<double>(opts.beta * opts.beta);
  double score = 0.0, avg_prec = 0.0, avg_rec = 0.0;
  int effective_order = 0;
  for (int i = 0; i < order; ++i) {
    const auto n_hyp = static_cast<double>(stats.v[static_cast<std::size_t>(3 * i)]);
    const auto n_ref = static_cast<double>(stats.v[static_cast<std::size_t>(3 * i + 1)]);
    const auto n_match = static_cast<double>(stats.v[static_cast<std::size_t>(3 * i + 2)]);
    const double prec = n_hyp > 0 ? n_match / n_hyp : eps;
    const double rec = n_ref > 0 ? n_match / n_ref : eps;
    const double denom = factor * prec + rec;
    score += denom > 0 ? (1 + factor) * prec * rec / denom : eps;
    if (n_hyp > 0 && n_ref > 0) {
      avg_prec += prec;
      avg_rec += rec;
      ++effective_order;
    }
  }
  if (opts.eps_smoothing) return 100 * score / order;
  if (effective_order == 0) {
    avg_prec = avg_rec = 0.0;
  } else {
    avg_prec /= effective_order;
    avg_rec /= effective_order;
  }
  if (avg_prec + avg_rec != 0.0) {
    double s = (1 + factor) * avg_prec * avg_rec;
    s /= (factor * avg_prec) + avg_rec;
    return 100 * s;
  }
  return 0.0;
}

ChrfStats chrf_segment_stats(std::string_view hyp, std::span<const std::string> refs, const ChrfOptions& opts) {
  check_options(opts);
  S2S_CHECK(!refs.empty(), "chrF: each hypothesis needs at least one reference");
  SegmentNgrams h, r;
  extract(hyp, opts, h);
  ChrfStats best(opts);
  double best_f = -1.0;
  ChrfStats cur(opts);
  for (const std::string& ref_text : refs) {
    extract(ref_text, opts, r);
    cur.v.clear();
    for (std::size_t n = 0; n < h.chars.size(); ++n) match_stats(h.chars[n], r.chars[n], cur.v);
    for (std::size_t n = 0; n < h.words.size(); ++n) match_stats(h.words[n], r.words[n], cur.v);
    // The first reference with the strictly highest sentence F wins.
    const double f = chrf_f_score(cur, opts);
    if (f > best_f) {
      best_f = f;
      best = cur;
    }
  }
  return best;
}

std::string chrf_name(const ChrfOptions& opts) {
  return "chrF" + std::to_string(opts.beta) + std::string(static_cast<std::size_t>(opts.word_order), '+');
}

std::string chrf_signature(const ChrfOptions& opts, int nrefs) {
  return "nrefs:" + (nrefs < 0 ? std::string("var") : std::to_string(nrefs)) +
         "|case:mixed|eff:" + (opts.eps_smoothing ? "no" : "yes") + "|nc:" + std::to_string(opts.char_order) +
         "|nw:" + std::to_string(opts.word_order) + "|space:" + (opts.whitespace ? "yes" : "no") +
         "|version:" + kSacrebleuVersion;
}

Chrf::Chrf(ChrfOptions opts) : opts_(opts), stats_(opts_) { check_options(opts_); }

void Chrf::add(std::string_view hyp, std::span<const std::string> refs) {
  add_stats(chrf_segment_stats(hyp, refs, opts_), static_cast<int>(refs.size()));
}

void Chrf::add_stats(const ChrfStats& stats, int nrefs) {
  stats_.add(stats);
  if (segments_ == 0) nrefs_ = nrefs;
  else if (nrefs_ != nrefs) nrefs_ = -1;
  ++segments_;
}

std::string Chrf::format() const { return name() + "|" + signature() + " = " + fixed(score(), 2); }

double sentence_chrf(std::string_view hyp, std::span<const std::string> refs, const ChrfOptions& opts) {
  return chrf_f_score(chrf_segment_stats(hyp, refs, opts), opts);
}

}  // namespace s2s::metrics
