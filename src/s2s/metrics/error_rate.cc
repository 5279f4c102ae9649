#include "s2s/metrics/error_rate.h"

#include <algorithm>
#include <limits>
#include <unordered_map>

#include "s2s/core/error.h"
#include "s2s/metrics/text.h"

namespace s2s::metrics {

std::int64_t edit_distance(std::span<const std::string> hyp, std::span<const std::string> ref) {
  // One row of the DP table: row[j] = distance(hyp[0..i), ref[0..j)).
  std::vector<std::int64_t> row(ref.size() + 1);
  for (std::size_t j = 0; j <= ref.size(); ++j) row[j] = static_cast<std::int64_t>(j);
  for (std::size_t i = 1; i <= hyp.size(); ++i) {
    std::int64_t diag = row[0];
    row[0] = static_cast<std::int64_t>(i);
    for (std::size_t j = 1; j <= ref.size(); ++j) {
      const std::int64_t up = row[j];
      row[j] = std::min({up + 1, row[j - 1] + 1, diag + (hyp[i - 1] == ref[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[ref.size()];
}

std::int64_t position_independent_errors(std::span<const std::string> hyp, std::span<const std::string> ref) {
  std::unordered_map<std::string_view, std::int64_t> ref_counts;
  for (const std::string& t : ref) ++ref_counts[t];
  std::int64_t matches = 0;
  for (const std::string& t : hyp) {
    auto it = ref_counts.find(t);
    if (it != ref_counts.end() && it->second > 0) {
      --it->second;
      ++matches;
    }
  }
  return static_cast<std::int64_t>(std::max(hyp.size(), ref.size())) - matches;
}

void ErrorRateStats::add(const ErrorRateStats& o) {
  segments += o.segments;
  wrong_segments += o.wrong_segments;
  edits += o.edits;
  edit_ref_len += o.edit_ref_len;
  per_errors += o.per_errors;
  per_ref_len += o.per_ref_len;
}

ErrorRateStats error_rate_segment_stats(std::string_view hyp, std::span<const std::string> refs) {
  S2S_CHECK(!refs.empty(), "WER: each hypothesis needs at least one reference");
  const std::vector<std::string> h = split_py_whitespace(hyp);
  ErrorRateStats s;
  s.segments = 1;
  std::int64_t best_edit = std::numeric_limits<std::int64_t>::max();
  std::int64_t best_per = best_edit;
  for (const std::string& ref_text : refs) {
    const std::vector<std::string> r = split_py_whitespace(ref_text);
    const auto len = static_cast<std::int64_t>(r.size());
    const std::int64_t e = edit_distance(h, r);
    if (e < best_edit) best_edit = e, s.edits = e, s.edit_ref_len = len;
    const std::int64_t p = position_independent_errors(h, r);
    if (p < best_per) best_per = p, s.per_errors = p, s.per_ref_len = len;
  }
  s.wrong_segments = best_edit == 0 ? 0 : 1;
  return s;
}

namespace {
double rate(std::int64_t errors, std::int64_t length, const char* name) {
  if (length == 0) {
    S2S_CHECK(errors == 0, name, ": ", errors, " errors against references with no tokens have no rate");
    return 0.0;
  }
  return 100.0 * static_cast<double>(errors) / static_cast<double>(length);
}
}  // namespace

double wer(const ErrorRateStats& s) { return rate(s.edits, s.edit_ref_len, "WER"); }
double ser(const ErrorRateStats& s) { return rate(s.wrong_segments, s.segments, "SER"); }
double per(const ErrorRateStats& s) { return rate(s.per_errors, s.per_ref_len, "PER"); }

void ErrorRates::add(std::string_view hyp, std::span<const std::string> refs) {
  stats_.add(error_rate_segment_stats(hyp, refs));
}

}  // namespace s2s::metrics
