#pragma once
// One entry point for scoring a corpus with several metrics, so that
// `s2s eval --hyp out.txt --ref a.txt --ref b.txt --metrics bleu,chrf,wer`
// and validation during training are thin wrappers:
//
//   Evaluator ev(parse_metric_list("bleu,chrf,wer"));
//   for each segment: ev.add(hyp_line, {ref_a_line, ref_b_line});
//   for (const MetricScore& s : ev.scores()) print(s.line);
//
// BLEU and chrF use sacreBLEU's defaults and print sacreBLEU's text lines.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace s2s::metrics {

struct MetricScore {
  std::string metric;     // the requested name: "bleu", "chrf", "chrf++", "wer", "ser", "per"
  std::string name;       // the display name: "BLEU", "chrF2", "chrF2++", "WER", "SER", "PER"
  double score = 0.0;     // BLEU/chrF 0..100; error rates in percent
  bool higher_is_better = true;
  std::string signature;  // sacreBLEU's for BLEU/chrF; "nrefs:N|tok:space" style for the rates
  std::string line;       // one printable line, e.g. "BLEU|nrefs:1|... = 25.43 60.1/..."
};

// Splits "bleu,chrf,wer" (case-insensitive, spaces ignored) into canonical
// names; fails on an unknown or repeated name. Accepts bleu, chrf,
// chrf++ (also chrfpp), wer, ser, per.
std::vector<std::string> parse_metric_list(std::string_view csv);

class Evaluator {
 public:
  explicit Evaluator(std::span<const std::string> metrics);
  ~Evaluator();
  Evaluator(Evaluator&&) noexcept;
  Evaluator& operator=(Evaluator&&) noexcept;

  // One hypothesis with its references (at least one; "" is an empty reference).
  void add(std::string_view hyp, std::span<const std::string> refs);
  // Scores in the order the metrics were requested.
  std::vector<MetricScore> scores() const;
  std::int64_t segments() const;

 private:
  struct State;
  std::unique_ptr<State> s_;
};

// Scores whole files' worth of lines: ref_streams[k][i] is the k-th
// reference of hypothesis i; every stream must have hyps.size() lines.
std::vector<MetricScore> evaluate(std::span<const std::string> hyps,
                                  std::span<const std::vector<std::string>> ref_streams,
                                  std::span<const std::string> metrics);

}  // namespace s2s::metrics
