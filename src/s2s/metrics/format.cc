#include "s2s/metrics/format.h"

#include <cstdio>

namespace s2s::metrics {

std::string fixed(double value, int digits) {
  char buf[64];
  const int n = std::snprintf(buf, sizeof buf, "%.*f", digits, value);
  if (n > 0 && static_cast<std::size_t>(n) < sizeof buf) return std::string(buf, static_cast<std::size_t>(n));
  // Magnitudes past 1e40 only arise from misuse; print them in full anyway.
  std::string big(static_cast<std::size_t>(n) + 1, '\0');
  std::snprintf(big.data(), big.size(), "%.*f", digits, value);
  big.resize(static_cast<std::size_t>(n));
  return big;
}

}  // namespace s2s::metrics
