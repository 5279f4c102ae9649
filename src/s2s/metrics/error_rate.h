#pragma once
// Token error rates against one or more references. Tokens are the
// whitespace-separated fields of a line (Python str.split() semantics), so a
// G2P output "HH AH0 L OW1" has four tokens. With several references each
// rate uses, per segment, the reference that is best for that rate (fewest
// errors; ties go to the earlier reference) -- as G2P evaluation does for
// words with several pronunciations. All rates are percentages.
//
//   WER  token error rate: sum of min Levenshtein distances (unit-cost
//        substitution, insertion, deletion) / sum of the chosen references'
//        lengths. On phoneme tokens this is G2P's "PER" (phoneme error rate).
//   SER  sequence error rate: segments equal to no reference (token-wise) /
//        segments. G2P papers call this "WER" (word error rate).
//   PER  position-independent error rate (Tillmann et al. 1997): per segment
//        max(|hyp|, |ref|) - |hyp ∩ ref| (multiset intersection), summed, /
//        sum of the chosen references' lengths.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace s2s::metrics {

// Levenshtein distance between token sequences (unit costs).
std::int64_t edit_distance(std::span<const std::string> hyp, std::span<const std::string> ref);

// max(|hyp|, |ref|) - size of the multiset intersection.
std::int64_t position_independent_errors(std::span<const std::string> hyp, std::span<const std::string> ref);

struct ErrorRateStats {
  std::int64_t segments = 0;
  std::int64_t wrong_segments = 0;  // equal to no reference
  std::int64_t edits = 0;           // sum of min edit distances
  std::int64_t edit_ref_len = 0;    // lengths of the references those minima came from
  std::int64_t per_errors = 0;
  std::int64_t per_ref_len = 0;

  void add(const ErrorRateStats& other);
};

// Statistics of one hypothesis against its references (at least one).
ErrorRateStats error_rate_segment_stats(std::string_view hyp, std::span<const std::string> refs);

// Rates in percent. A rate whose denominator is 0 is 0 when there are no
// errors and fails otherwise (errors against empty references have no rate).
double wer(const ErrorRateStats& s);
double ser(const ErrorRateStats& s);
double per(const ErrorRateStats& s);

// Corpus accumulator for WER, SER and PER together.
class ErrorRates {
 public:
  void add(std::string_view hyp, std::span<const std::string> refs);
  void add_stats(const ErrorRateStats& s) { stats_.add(s); }

  double wer() const { return metrics::wer(stats_); }
  double ser() const { return metrics::ser(stats_); }
  double per() const { return metrics::per(stats_); }
  const ErrorRateStats& stats() const { return stats_; }

 private:
  ErrorRateStats stats_;
};

}  // namespace s2s::metrics
