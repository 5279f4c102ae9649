// Beam search over all sentences of a batch and all their beams at once: one
// Ensemble::step per position for every live hypothesis, one select to
// reorder, expand and drop rows. See search.h for the rules.
#include <algorithm>
#include <cmath>
#include <limits>

#include "s2s/core/parallel.h"
#include "s2s/kernels/argmax.h"
#include "s2s/search/batch_setup.h"
#include "s2s/search/search.h"

namespace s2s::search {

namespace {

struct Candidate {
  double score;
  std::int32_t row;  // within its sentence
  std::int32_t token;
};

// Total order: higher score, then earlier row, then smaller token.
bool before(const Candidate& a, const Candidate& b) {
  if (a.score != b.score) return a.score > b.score;
  if (a.row != b.row) return a.row < b.row;
  return a.token < b.token;
}

// The best c extensions of one row, best first (equal scores: smaller token first).
// cum + x rises with x, so once the list is full only an x above its last
// entry's can enter: the scan skips to the next such x a vector at a time.
std::int64_t row_top(std::span<const float> logp, double cum, std::int64_t c, double* score, std::int32_t* token) {
  const auto size = static_cast<std::int64_t>(logp.size());
  float floor = -std::numeric_limits<float>::infinity();  // banned (-inf) and NaN never enter
  std::int64_t n = 0;
  for (std::int64_t v = kernels::next_above(logp.data(), size, 0, floor); v < size;
       v = kernels::next_above(logp.data(), size, v + 1, floor)) {
    const float x = logp[static_cast<std::size_t>(v)];
    const double s = cum + static_cast<double>(x);
    if (n == c && !(s > score[n - 1])) continue;
    std::int64_t j = n < c ? n++ : c - 1;
    for (; j > 0 && score[j - 1] < s; --j) {
      score[j] = score[j - 1];
      token[j] = token[j - 1];
    }
    score[j] = s;
    token[j] = static_cast<std::int32_t>(v);
    if (n == c) floor = logp[static_cast<std::size_t>(token[c - 1])];
  }
  return n;
}

}  // namespace

std::vector<SentenceResult> beam_search(Ensemble& ens, std::span<const models::TokenBatch> sources,
                                        const SearchOptions& o) {
  const BatchSetup setup = setup_batch(sources, o);
  autograd::Graph g(/*grad_enabled=*/false);
  ens.encode(g, sources);
  g.clear();
  const std::int64_t B = setup.batch, K = o.beam_size, V = ens.columns(), cap = B * K;
  const std::int64_t C = std::min<std::int64_t>(2 * K, V);  // candidates per row and per sentence
  const bool keep_att = o.keep_attention || o.coverage_beta > 0.0f;

  Trace trace;
  trace.reset(setup.max_steps, cap, setup.width, keep_att);
  // Everything the loop touches is sized here; no step allocates.
  const auto ucap = static_cast<std::size_t>(cap);
  std::vector<std::int64_t> sent(ucap), next_sent(ucap);
  std::vector<double> cum(ucap, 0.0), next_cum(ucap);
  std::vector<double> cand_score(ucap * static_cast<std::size_t>(C));
  std::vector<std::int32_t> cand_token(cand_score.size());
  std::vector<std::int64_t> cand_count(ucap);
  std::vector<std::uint8_t> unusable(ucap);
  std::vector<std::int64_t> failed_at(static_cast<std::size_t>(B), -1);
  std::vector<Candidate> merged(static_cast<std::size_t>(K * C));
  std::vector<std::int32_t> hist(o.no_repeat_ngram > 0 ? ucap * static_cast<std::size_t>(setup.max_steps) : 0);
  std::vector<float> coverage(static_cast<std::size_t>(setup.width));
  std::vector<Finished> finished;
  finished.reserve(static_cast<std::size_t>(B * 2 * K));
  std::vector<std::int64_t> finished_count(static_cast<std::size_t>(B), 0);
  // Per sentence, the best n_best finished scores so far, best first.
  std::vector<double> top(static_cast<std::size_t>(B * o.n_best), -std::numeric_limits<double>::infinity());

  std::int64_t rows = B;  // one row per sentence until the first expansion
  Tensor prev_buf = Tensor::empty({cap}, DType::I32), index = Tensor::empty({cap}, DType::I32), logp, att;
  for (std::int64_t r = 0; r < B; ++r) {
    sent[static_cast<std::size_t>(r)] = r;
    prev_buf.i32()[r] = models::kBos;
    trace.tokens(0)[r] = models::kBos;
  }
  Tensor prev = prev_buf.narrow0(0, rows);
  for (std::int64_t t = 0; rows > 0; ++t) {
    step_and_trace(ens, g, setup, prev, rows, t, logp, att, trace);
    // Every row's constraints and best C extensions: independent, so parallel.
    parallel_for(0, rows, std::max<std::int64_t>(1, 32768 / V), [&](std::int64_t lo, std::int64_t hi) {
      for (std::int64_t r = lo; r < hi; ++r) {
        const auto ur = static_cast<std::size_t>(r);
        std::span<float> row = constrained_row(setup, trace, logp, t, r, sent[ur], hist, o.no_repeat_ngram);
        unusable[ur] = !usable_scores(row);
        cand_count[ur] = unusable[ur] ? 0 : row_top(row, cum[ur], C, cand_score.data() + ur * static_cast<std::size_t>(C),
                                 cand_token.data() + ur * static_cast<std::size_t>(C));
      }
    });
    // Per sentence (rows of a sentence are adjacent): merge, finish, refill.
    std::int64_t next = 0;
    for (std::int64_t first = 0; first < rows;) {
      const std::int64_t b = sent[static_cast<std::size_t>(first)];
      std::int64_t end = first;
      while (end < rows && sent[static_cast<std::size_t>(end)] == b) ++end;
      const auto ub = static_cast<std::size_t>(b);
      // One unusable row fails the sentence: its beam would rank NaN.
      if (std::any_of(unusable.begin() + first, unusable.begin() + end, [](std::uint8_t u) { return u != 0; })) {
        failed_at[ub] = t;
        first = end;
        continue;
      }
      std::size_t m = 0;
      for (std::int64_t r = first; r < end; ++r)
        for (std::int64_t i = 0; i < cand_count[static_cast<std::size_t>(r)]; ++i) {
          auto k = static_cast<std::size_t>(r * C + i);
          merged[m++] = {cand_score[k], static_cast<std::int32_t>(r - first), cand_token[k]};
        }
      const std::size_t take = std::min(m, static_cast<std::size_t>(C));
      std::partial_sort(merged.begin(), merged.begin() + static_cast<std::ptrdiff_t>(take),
                        merged.begin() + static_cast<std::ptrdiff_t>(m), before);
      const std::int64_t first_next = next;
      for (std::size_t i = 0; i < take; ++i) {
        const Candidate& c = merged[i];
        const std::int64_t row = first + c.row;
        if (c.token == models::kEos) {
          if (static_cast<std::int64_t>(i) >= K) continue;  // only the best K may finish
          Finished f{b, t, row, finished_count[ub]++, c.score, 0.0};
          f.score = finished_score(o, trace, t, row, c.score, setup.src_len[ub], coverage);
          finished.push_back(f);
          double* best = top.data() + ub * static_cast<std::size_t>(o.n_best);
          for (std::int64_t j = o.n_best - 1; j >= 0 && f.score > best[j]; --j) {
            if (j + 1 < o.n_best) best[j + 1] = best[j];
            best[j] = f.score;
          }
          continue;
        }
        if (next - first_next == K) continue;
        // At the limit only </s> is open (constrain_row), and it was usable.
        S2S_CHECK(t < setup.limits[ub].max, "search: sentence ", b, " passed its length limit of ", setup.limits[ub].max,
                  " tokens");
        const auto un = static_cast<std::size_t>(next);
        index.i32()[next] = static_cast<std::int32_t>(row);
        next_sent[un] = b;
        next_cum[un] = c.score;
        trace.tokens(t + 1)[next] = c.token;
        trace.parents(t + 1)[next] = static_cast<std::int32_t>(row);
        ++next;
      }
      const std::int64_t live = next - first_next;
      bool done = live == 0 || finished_count[ub] >= K;
      if (!done && finished_count[ub] >= o.n_best) {
        // Live hypotheses are ranked best first; none can still enter the n-best?
        double bound = best_reachable_score(o, next_cum[static_cast<std::size_t>(first_next)],
                                            setup.limits[ub].max + 1);
        done = bound <= top[ub * static_cast<std::size_t>(o.n_best) + static_cast<std::size_t>(o.n_best - 1)];
      }
      if (done) next = first_next;
      first = end;
    }
    if (next == 0) break;
    ens.select(index.narrow0(0, next));
    std::copy_n(trace.tokens(t + 1), next, prev_buf.i32());
    prev = prev_buf.narrow0(0, next);
    rows = next;
    std::swap(sent, next_sent);
    std::swap(cum, next_cum);
  }
  return collect_results(trace, finished, setup, o.n_best, o.keep_attention, failed_at);
}

std::vector<SentenceResult> decode(Ensemble& ens, std::span<const models::TokenBatch> sources, const SearchOptions& o,
                                   std::span<const std::int64_t> sentence_ids) {
  if (o.sampling) return sample(ens, sources, o, sentence_ids);
  if (o.beam_size == 1) return greedy_search(ens, sources, o);
  return beam_search(ens, sources, o);
}

}  // namespace s2s::search
