#include "s2s/search/batch_setup.h"

#include <algorithm>

#include "s2s/core/error.h"

namespace s2s::search {

BatchSetup setup_batch(std::span<const models::TokenBatch> sources, const SearchOptions& options) {
  validate(options);
  S2S_CHECK(!sources.empty(), "search: no source batch");
  const models::TokenBatch& src = sources[0];
  S2S_CHECK(src.ids.defined() && src.ids.dtype() == DType::I32 && src.ids.ndim() == 2 && src.lengths.defined() &&
                src.lengths.dtype() == DType::I32 && src.lengths.ndim() == 1 && src.lengths.dim(0) == src.size(),
            "search: expected I32 source ids [T, B] and lengths [B]");
  BatchSetup s;
  s.cancelled = options.cancelled;
  s.batch = src.size();
  s.width = src.steps();
  S2S_CHECK(s.batch > 0, "search: empty batch");
  for (std::int64_t b = 0; b < s.batch; ++b) {
    std::int64_t len = src.lengths.i32()[b];
    S2S_CHECK(len >= 1 && len <= s.width, "search: source length ", len, " of sentence ", b, " outside 1..", s.width);
    s.src_len.push_back(len);
    s.limits.push_back(length_limits(options, len));
    s.max_steps = std::max(s.max_steps, s.limits.back().max + 1);
  }
  return s;
}

Hypothesis make_hypothesis(const Trace& trace, const Finished& f, std::int64_t src_len, bool keep_attention) {
  Hypothesis h;
  h.tokens.resize(static_cast<std::size_t>(f.t));
  trace.history(f.t, f.row, h.tokens);
  h.score = f.score;
  h.log_prob = f.log_prob;
  if (keep_attention) {
    h.attention.resize(static_cast<std::size_t>((f.t + 1) * src_len));
    trace.attention_path(f.t, f.row, src_len, h.attention);
  }
  return h;
}

std::vector<SentenceResult> collect_results(const Trace& trace, std::span<Finished> finished, const BatchSetup& setup,
                                            std::int64_t n, bool keep_attention, std::span<const std::int64_t> failed_at) {
  std::sort(finished.begin(), finished.end(), [](const Finished& a, const Finished& b) {
    if (a.sentence != b.sentence) return a.sentence < b.sentence;
    if (a.score != b.score) return a.score > b.score;
    return a.order < b.order;
  });
  std::vector<SentenceResult> out(static_cast<std::size_t>(setup.batch));
  for (std::int64_t b = 0; b < setup.batch; ++b) {
    const auto ub = static_cast<std::size_t>(b);
    out[ub].src_len = setup.src_len[ub];
    if (failed_at[ub] >= 0) out[ub].error = non_finite_scores_error(failed_at[ub]);
  }
  for (const Finished& f : finished) {
    SentenceResult& r = out[static_cast<std::size_t>(f.sentence)];
    if (r.error.empty() && static_cast<std::int64_t>(r.hypotheses.size()) < n)
      r.hypotheses.push_back(make_hypothesis(trace, f, r.src_len, keep_attention));
  }
  return out;
}

double finished_score(const SearchOptions& options, const Trace& trace, std::int64_t t, std::int64_t row,
                      double log_prob, std::int64_t src_len, std::span<float> coverage_scratch) {
  std::span<const float> coverage;
  if (options.coverage_beta > 0.0f) {
    std::span<float> cov = coverage_scratch.first(static_cast<std::size_t>(src_len));
    trace.coverage(t, row, cov);
    coverage = cov;
  }
  return normalized_score(options, log_prob, t + 1, coverage);
}

void step_and_trace(Ensemble& ens, autograd::Graph& g, const BatchSetup& setup, const Tensor& prev, std::int64_t rows,
                    std::int64_t t, Tensor& logp, Tensor& att, Trace& trace) {
  S2S_CHECK(t < setup.max_steps, "search: ran past the length limit");  // the trace's size
  if (setup.cancelled && setup.cancelled()) throw Cancelled("search: decoding cancelled at step " + std::to_string(t));
  ens.step(g, prev, logp, att);
  g.clear();
  if (!trace.keeps_attention()) return;
  S2S_CHECK(att.defined(), "search: the model has no attention, which alignments, UNK replacement and the coverage "
                            "penalty need");
  S2S_CHECK(att.ndim() == 2 && att.dim(1) == setup.width, "search: attention ", att.shape().str(), " for ", setup.width,
            " source positions");
  for (std::int64_t r = 0; r < rows; ++r) std::copy_n(att.f32() + r * att.dim(1), att.dim(1), trace.attention(t, r));
}

std::span<float> constrained_row(const BatchSetup& setup, const Trace& trace, Tensor& logp, std::int64_t t,
                                 std::int64_t r, std::int64_t sentence, std::span<std::int32_t> hist,
                                 std::int64_t no_repeat_ngram) {
  const std::int64_t V = logp.dim(1);
  std::span<float> row(logp.f32() + r * V, static_cast<std::size_t>(V));
  std::span<std::int32_t> h;
  if (!hist.empty()) {
    h = hist.subspan(static_cast<std::size_t>(r * setup.max_steps), static_cast<std::size_t>(t));
    trace.history(t, r, h);
  }
  constrain_row(row, t, h, setup.limits[static_cast<std::size_t>(sentence)], no_repeat_ngram);
  return row;
}

}  // namespace s2s::search
