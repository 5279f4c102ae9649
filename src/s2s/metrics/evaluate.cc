#include "s2s/metrics/evaluate.h"

#include <algorithm>
#include <optional>

#include "s2s/core/error.h"
#include "s2s/metrics/bleu.h"
#include "s2s/metrics/chrf.h"
#include "s2s/metrics/error_rate.h"
#include "s2s/metrics/format.h"

namespace s2s::metrics {

std::vector<std::string> parse_metric_list(std::string_view csv) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= csv.size()) {
    std::size_t comma = csv.find(',', pos);
    if (comma == std::string_view::npos) comma = csv.size();
    std::string name;
    for (char c : csv.substr(pos, comma - pos)) {
      if (c == ' ' || c == '\t') continue;
      name.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
    }
    pos = comma + 1;
    if (name.empty()) continue;
    if (name == "chrfpp") name = "chrf++";
    S2S_CHECK(name == "bleu" || name == "chrf" || name == "chrf++" || name == "wer" || name == "ser" || name == "per",
              "unknown metric '", name, "' (expected bleu, chrf, chrf++, wer, ser or per)");
    S2S_CHECK(std::find(out.begin(), out.end(), name) == out.end(), "metric '", name, "' is listed twice");
    out.push_back(name);
  }
  S2S_CHECK(!out.empty(), "no metric named (expected a list such as bleu,chrf,wer)");
  return out;
}

struct Evaluator::State {
  std::vector<std::string> metrics;
  std::optional<Bleu> bleu;
  std::optional<Chrf> chrf;
  std::optional<Chrf> chrfpp;
  std::optional<ErrorRates> rates;
  std::int64_t segments = 0;
  int nrefs = 0;  // -1 once segments disagree
};

Evaluator::Evaluator(std::span<const std::string> metrics) : s_(std::make_unique<State>()) {
  S2S_CHECK(!metrics.empty(), "no metric named (expected a list such as bleu,chrf,wer)");
  for (const std::string& m : metrics) {
    if (m == "bleu") s_->bleu.emplace();
    else if (m == "chrf") s_->chrf.emplace();
    else if (m == "chrf++") s_->chrfpp.emplace(ChrfOptions::plus_plus());
    else if (m == "wer" || m == "ser" || m == "per") s_->rates.emplace();
    else fail("unknown metric '", m, "' (expected bleu, chrf, chrf++, wer, ser or per)");
    s_->metrics.push_back(m);
  }
}

Evaluator::~Evaluator() = default;
Evaluator::Evaluator(Evaluator&&) noexcept = default;
Evaluator& Evaluator::operator=(Evaluator&&) noexcept = default;

void Evaluator::add(std::string_view hyp, std::span<const std::string> refs) {
  S2S_CHECK(!refs.empty(), "eval: each hypothesis needs at least one reference");
  if (s_->bleu) s_->bleu->add(hyp, refs);
  if (s_->chrf) s_->chrf->add(hyp, refs);
  if (s_->chrfpp) s_->chrfpp->add(hyp, refs);
  if (s_->rates) s_->rates->add(hyp, refs);
  const int n = static_cast<int>(refs.size());
  if (s_->segments == 0) s_->nrefs = n;
  else if (s_->nrefs != n) s_->nrefs = -1;
  ++s_->segments;
}

std::int64_t Evaluator::segments() const { return s_->segments; }

std::vector<MetricScore> Evaluator::scores() const {
  S2S_CHECK(s_->segments > 0, "eval: no segments were scored");
  const std::string nrefs = "nrefs:" + (s_->nrefs < 0 ? std::string("var") : std::to_string(s_->nrefs));
  std::vector<MetricScore> out;
  for (const std::string& m : s_->metrics) {
    MetricScore r;
    r.metric = m;
    if (m == "bleu") {
      const BleuScore b = s_->bleu->score();
      r.name = "BLEU", r.score = b.score, r.signature = s_->bleu->signature();
      r.line = r.name + "|" + r.signature + " = " + fixed(b.score, 2) + " " + b.verbose();
    } else if (m == "chrf" || m == "chrf++") {
      const Chrf& c = m == "chrf" ? *s_->chrf : *s_->chrfpp;
      r.name = c.name(), r.score = c.score(), r.signature = c.signature(), r.line = c.format();
    } else {
      const ErrorRateStats& st = s_->rates->stats();
      r.higher_is_better = false;
      r.signature = nrefs + "|tok:space";
      std::string detail;
      if (m == "wer") {
        r.name = "WER", r.score = wer(st);
        detail = "(edits = " + std::to_string(st.edits) + " ref_len = " + std::to_string(st.edit_ref_len) + ")";
      } else if (m == "ser") {
        r.name = "SER", r.score = ser(st);
        detail = "(wrong = " + std::to_string(st.wrong_segments) + " segments = " + std::to_string(st.segments) + ")";
      } else {
        r.name = "PER", r.score = per(st);
        detail = "(errors = " + std::to_string(st.per_errors) + " ref_len = " + std::to_string(st.per_ref_len) + ")";
      }
      r.line = r.name + "|" + r.signature + " = " + fixed(r.score, 2) + " " + detail;
    }
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<MetricScore> evaluate(std::span<const std::string> hyps,
                                  std::span<const std::vector<std::string>> ref_streams,
                                  std::span<const std::string> metrics) {
  S2S_CHECK(!ref_streams.empty(), "eval: need at least one reference stream");
  for (std::size_t k = 0; k < ref_streams.size(); ++k) {
    S2S_CHECK(ref_streams[k].size() == hyps.size(), "eval: reference ", k + 1, " has ", ref_streams[k].size(),
              " lines but the hypotheses have ", hyps.size());
  }
  Evaluator ev(metrics);
  std::vector<std::string> refs(ref_streams.size());
  for (std::size_t i = 0; i < hyps.size(); ++i) {
    for (std::size_t k = 0; k < ref_streams.size(); ++k) refs[k] = ref_streams[k][i];
    ev.add(hyps[i], refs);
  }
  return ev.scores();
}

}  // namespace s2s::metrics
