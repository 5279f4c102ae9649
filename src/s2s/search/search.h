#pragma once
// The search strategies, all driving models through Ensemble (encode + step
// + select) only. Every one decodes a whole batch with one step call per
// output position, and a sentence's outputs depend only on that sentence:
// not on the other sentences of the batch, their padding, or the thread
// count. A sentence whose scores turn NaN or infinite (usable_scores in
// scoring.h) stops there with SentenceResult::error and no outputs; the
// others go on.
#include <cstdint>
#include <span>
#include <vector>

#include "s2s/models/batch.h"
#include "s2s/search/ensemble.h"
#include "s2s/search/hypothesis.h"
#include "s2s/search/options.h"

namespace s2s::search {

// Greedy, beam search or sampling, as options say (beam_size 1: greedy).
// sources: one batch for all models or one per model (Ensemble::encode).
// sentence_ids: a stable id per batch column (e.g. its line number), from
// which sampling draws its random numbers so that a sentence gets the same
// samples in any batch; empty means 0..B-1.
std::vector<SentenceResult> decode(Ensemble& ensemble, std::span<const models::TokenBatch> sources,
                                   const SearchOptions& options, std::span<const std::int64_t> sentence_ids = {});

// Each row takes its most probable allowed token (the first on ties).
std::vector<SentenceResult> greedy_search(Ensemble& ensemble, std::span<const models::TokenBatch> sources,
                                          const SearchOptions& options);

// Beam search over sentences and beams together. At every step each
// sentence's beam_size live hypotheses propose their 2 * beam_size best
// extensions by summed log-probability; a </s> among the best beam_size
// finishes a hypothesis (set aside with its normalised score), the best
// other extensions form the next beam. A sentence stops when beam_size
// hypotheses have finished, when its length limit forces </s>, or when no
// live hypothesis can still reach the n_best-th finished score.
std::vector<SentenceResult> beam_search(Ensemble& ensemble, std::span<const models::TokenBatch> sources,
                                        const SearchOptions& options);

// n_best independent samples per sentence (see SearchOptions), ranked by score.
std::vector<SentenceResult> sample(Ensemble& ensemble, std::span<const models::TokenBatch> sources,
                                   const SearchOptions& options, std::span<const std::int64_t> sentence_ids = {});

}  // namespace s2s::search
