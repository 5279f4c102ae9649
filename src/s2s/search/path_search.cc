// Greedy search and sampling: one path per row, each row choosing one token
// per step. Rows that emit </s> are set aside and dropped from the states;
// so are the rows of a sentence whose scores are not usable (scoring.h).
#include <algorithm>
#include <cmath>

#include "s2s/core/parallel.h"
#include "s2s/kernels/argmax.h"
#include "s2s/search/batch_setup.h"
#include "s2s/search/sampler.h"
#include "s2s/search/search.h"

namespace s2s::search {

namespace {

// The first most probable token (NaN never wins; </s> when all are NaN).
std::int32_t argmax(std::span<const float> row) {
  const std::int64_t best = kernels::argmax(row.data(), static_cast<std::int64_t>(row.size()));
  return best < 0 ? models::kEos : static_cast<std::int32_t>(best);
}

struct PathConfig {
  std::int64_t copies = 1;  // rows per sentence
  bool sampling = false;
  std::span<const std::int64_t> ids;
};

std::vector<SentenceResult> path_search(Ensemble& ens, std::span<const models::TokenBatch> sources,
                                        const SearchOptions& o, const PathConfig& pc) {
  const BatchSetup setup = setup_batch(sources, o);
  const std::int64_t B = setup.batch, N = pc.copies, cap = B * N;
  const bool keep_att = o.keep_attention || o.coverage_beta > 0.0f;
  S2S_CHECK(pc.ids.empty() || static_cast<std::int64_t>(pc.ids.size()) == B, "search: ", pc.ids.size(),
            " sentence ids for ", B, " sentences");
  autograd::Graph g(/*grad_enabled=*/false);
  ens.encode(g, sources);
  g.clear();
  const std::int64_t V = ens.columns();

  Trace trace;
  trace.reset(setup.max_steps, cap, setup.width, keep_att);
  // Row bookkeeping, double-buffered; nothing below allocates per step.
  std::vector<std::int64_t> sent(static_cast<std::size_t>(cap)), copy(sent), next_sent(sent), next_copy(sent);
  std::vector<double> cum(static_cast<std::size_t>(cap), 0.0), next_cum(cum);
  std::vector<std::int32_t> choice(static_cast<std::size_t>(cap));
  std::vector<std::uint8_t> unusable(static_cast<std::size_t>(cap));
  std::vector<std::int64_t> failed_at(static_cast<std::size_t>(B), -1);
  std::vector<std::int32_t> hist(o.no_repeat_ngram > 0 ? static_cast<std::size_t>(cap * setup.max_steps) : 0);
  std::vector<std::int32_t> scratch_ids(pc.sampling ? static_cast<std::size_t>(cap * V) : 0);
  std::vector<float> scratch_w(scratch_ids.size()), coverage(static_cast<std::size_t>(setup.width));
  std::vector<Finished> finished;
  finished.reserve(static_cast<std::size_t>(cap));
  std::vector<std::int64_t> order(static_cast<std::size_t>(B), 0);
  const SamplerOptions so{o.temperature, o.top_k, o.top_p};

  std::int64_t rows = cap;
  Tensor prev = Tensor::empty({cap}, DType::I32), index = Tensor::empty({cap}, DType::I32), logp, att;
  for (std::int64_t r = 0; r < cap; ++r) {
    sent[static_cast<std::size_t>(r)] = r / N;
    copy[static_cast<std::size_t>(r)] = r % N;
    prev.i32()[r] = models::kBos;
    index.i32()[r] = static_cast<std::int32_t>(r / N);
    trace.tokens(0)[r] = models::kBos;
  }
  if (N > 1) ens.select(index);  // N copies of every sentence, adjacent
  for (std::int64_t t = 0; rows > 0; ++t) {
    step_and_trace(ens, g, setup, prev, rows, t, logp, att, trace);
    const std::int64_t grain = std::max<std::int64_t>(1, 32768 / V);
    parallel_for(0, rows, grain, [&](std::int64_t lo, std::int64_t hi) {
      for (std::int64_t r = lo; r < hi; ++r) {
        const auto ur = static_cast<std::size_t>(r);
        std::span<float> row = constrained_row(setup, trace, logp, t, r, sent[ur], hist, o.no_repeat_ngram);
        unusable[ur] = !usable_scores(row);
        if (unusable[ur]) continue;  // the sentence fails below; nothing is chosen from NaN
        std::int32_t tok;
        if (pc.sampling) {
          std::int64_t id = pc.ids.empty() ? sent[ur] : pc.ids[static_cast<std::size_t>(sent[ur])];
          float u = sampling_uniform(o.seed, id, copy[ur], t);
          auto off = ur * static_cast<std::size_t>(V);
          tok = sample_token(row, so, u, std::span<std::int32_t>(scratch_ids).subspan(off, static_cast<std::size_t>(V)),
                             std::span<float>(scratch_w).subspan(off, static_cast<std::size_t>(V)));
        } else {
          tok = argmax(row);
        }
        choice[ur] = tok;
        cum[ur] += static_cast<double>(row[static_cast<std::size_t>(tok)]);
      }
    });
    // A sentence with an unusable row fails as a whole, its other copies included.
    for (std::int64_t r = 0; r < rows; ++r) {
      const auto ur = static_cast<std::size_t>(r);
      if (unusable[ur] && failed_at[static_cast<std::size_t>(sent[ur])] < 0) failed_at[static_cast<std::size_t>(sent[ur])] = t;
    }
    std::int64_t next = 0;
    for (std::int64_t r = 0; r < rows; ++r) {
      const auto ur = static_cast<std::size_t>(r);
      if (failed_at[static_cast<std::size_t>(sent[ur])] >= 0) continue;
      if (choice[ur] == models::kEos) {
        Finished f{sent[ur], t, r, order[static_cast<std::size_t>(sent[ur])]++, cum[ur], 0.0};
        f.score = finished_score(o, trace, t, r, f.log_prob, setup.src_len[static_cast<std::size_t>(f.sentence)], coverage);
        finished.push_back(f);
        continue;
      }
      // constrain_row leaves only </s> at the limit and usable_scores made sure it can be chosen.
      S2S_CHECK(t < setup.limits[static_cast<std::size_t>(sent[ur])].max, "search: sentence ", sent[ur],
                " passed its length limit of ", setup.limits[static_cast<std::size_t>(sent[ur])].max, " tokens");
      const auto un = static_cast<std::size_t>(next);
      index.i32()[next] = static_cast<std::int32_t>(r);
      next_sent[un] = sent[ur];
      next_copy[un] = copy[ur];
      next_cum[un] = cum[ur];
      trace.tokens(t + 1)[next] = choice[ur];
      trace.parents(t + 1)[next] = static_cast<std::int32_t>(r);
      prev.i32()[next] = choice[ur];
      ++next;
    }
    if (next == 0) break;
    if (next < rows) ens.select(index.narrow0(0, next));
    rows = next;
    prev = prev.narrow0(0, rows);
    std::swap(sent, next_sent);
    std::swap(copy, next_copy);
    std::swap(cum, next_cum);
  }
  return collect_results(trace, finished, setup, N, o.keep_attention, failed_at);
}

}  // namespace

std::vector<SentenceResult> greedy_search(Ensemble& ens, std::span<const models::TokenBatch> sources,
                                          const SearchOptions& options) {
  return path_search(ens, sources, options, {1, false, {}});
}

std::vector<SentenceResult> sample(Ensemble& ens, std::span<const models::TokenBatch> sources,
                                   const SearchOptions& options, std::span<const std::int64_t> sentence_ids) {
  return path_search(ens, sources, options, {options.n_best, true, sentence_ids});
}

}  // namespace s2s::search
