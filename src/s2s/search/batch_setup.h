#pragma once
// Per-batch bookkeeping shared by the search strategies (internal to search/).
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "s2s/models/batch.h"
#include "s2s/autograd/graph.h"
#include "s2s/search/ensemble.h"
#include "s2s/search/hypothesis.h"
#include "s2s/search/options.h"
#include "s2s/search/scoring.h"
#include "s2s/search/trace.h"

namespace s2s::search {

struct BatchSetup {
  std::int64_t batch = 0;      // sentences
  std::int64_t width = 0;      // padded source length (attention columns)
  std::int64_t max_steps = 0;  // steps the longest-allowed sentence can take (its max + 1 for </s>)
  std::vector<std::int64_t> src_len;
  std::vector<LengthLimits> limits;
  std::function<bool()> cancelled;  // SearchOptions::cancelled, polled by step_and_trace
};

BatchSetup setup_batch(std::span<const models::TokenBatch> sources, const SearchOptions& options);

// An output that took its last token at step t on row r of the trace.
struct Finished {
  std::int64_t sentence = 0;
  std::int64_t t = 0, row = 0;
  std::int64_t order = 0;  // creation order within the sentence (breaks score ties)
  double log_prob = 0.0;
  double score = 0.0;
};

// Reads a finished output back from the trace (its last token is </s>).
Hypothesis make_hypothesis(const Trace& trace, const Finished& f, std::int64_t src_len, bool keep_attention);

// The outputs of each sentence ranked by score (ties: earlier first), at most
// n of them. failed_at[b] >= 0: sentence b's scores were not usable at that
// step, so it gets non_finite_scores_error and no outputs.
std::vector<SentenceResult> collect_results(const Trace& trace, std::span<Finished> finished, const BatchSetup& setup,
                                            std::int64_t n, bool keep_attention, std::span<const std::int64_t> failed_at);

// Score of a finished output (coverage read from the trace when the options use it).
double finished_score(const SearchOptions& options, const Trace& trace, std::int64_t t, std::int64_t row,
                      double log_prob, std::int64_t src_len, std::span<float> coverage_scratch);

// One decoding step for the rows of prev (Cancelled first when the options'
// cancelled hook says so; every strategy steps through here): log-probabilities into logp and,
// when the trace keeps attention, the attention of step t recorded for each row.
void step_and_trace(Ensemble& ens, autograd::Graph& g, const BatchSetup& setup, const Tensor& prev, std::int64_t rows,
                    std::int64_t t, Tensor& logp, Tensor& att, Trace& trace);

// Row r of step t's log-probabilities (logp [rows, V]) with its sentence's
// constraints applied (constrain_row); with no_repeat_ngram > 0 the row's
// history is first read from the trace into hist (max_steps values per row).
std::span<float> constrained_row(const BatchSetup& setup, const Trace& trace, Tensor& logp, std::int64_t t,
                                 std::int64_t r, std::int64_t sentence, std::span<std::int32_t> hist,
                                 std::int64_t no_repeat_ngram);

}  // namespace s2s::search
