#include "s2s/metrics/ngram_counts.h"

#include <algorithm>

namespace s2s::metrics {

void add_word_ngrams(const std::vector<std::string>& tokens, int min_order, int max_order, NgramCounts& counts) {
  const auto len = static_cast<int>(tokens.size());
  std::string key;
  for (int n = min_order; n <= max_order; ++n) {
    for (int i = 0; i + n <= len; ++i) {
      key.clear();
      for (int k = 0; k < n; ++k) {
        if (k > 0) key.push_back(' ');
        key += tokens[static_cast<std::size_t>(i + k)];
      }
      ++counts[key];
    }
  }
}

int ngram_order(const std::string& key) { return 1 + static_cast<int>(std::count(key.begin(), key.end(), ' ')); }

}  // namespace s2s::metrics
