#pragma once
// Perplexity from a summed negative log-likelihood (natural log) over tokens.
#include <cstdint>

namespace s2s::metrics {

// exp(nll_sum / tokens); fails unless tokens > 0 and nll_sum is finite and >= 0.
double perplexity(double nll_sum, std::int64_t tokens);

// Streams per-batch sums: add(batch_nll_sum, batch_tokens), then value().
class Perplexity {
 public:
  void add(double nll_sum, std::int64_t tokens);
  double value() const { return perplexity(nll_sum_, tokens_); }
  double nll_sum() const { return nll_sum_; }
  std::int64_t tokens() const { return tokens_; }

 private:
  double nll_sum_ = 0.0;
  std::int64_t tokens_ = 0;
};

}  // namespace s2s::metrics
