#include "s2s/metrics/perplexity.h"

#include <cmath>

#include "s2s/core/error.h"

namespace s2s::metrics {

double perplexity(double nll_sum, std::int64_t tokens) {
  S2S_CHECK(tokens > 0, "perplexity: need a positive token count, got ", tokens);
  S2S_CHECK(std::isfinite(nll_sum) && nll_sum >= 0.0, "perplexity: need a finite NLL sum >= 0, got ", nll_sum);
  return std::exp(nll_sum / static_cast<double>(tokens));
}

void Perplexity::add(double nll_sum, std::int64_t tokens) {
  S2S_CHECK(tokens >= 0, "perplexity: token count must be >= 0, got ", tokens);
  nll_sum_ += nll_sum;
  tokens_ += tokens;
}

}  // namespace s2s::metrics
