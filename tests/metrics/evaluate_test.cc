// The multi-metric entry point that `s2s eval` wraps.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "s2s/core/error.h"
#include "s2s/metrics/evaluate.h"

namespace s2s::metrics {
namespace {

TEST(Evaluate, ParsesMetricLists) {
  EXPECT_EQ(parse_metric_list("bleu, CHRF,wer"), (std::vector<std::string>{"bleu", "chrf", "wer"}));
  EXPECT_EQ(parse_metric_list("chrfpp,ser,per"), (std::vector<std::string>{"chrf++", "ser", "per"}));
  EXPECT_THROW(parse_metric_list("bleu,meteor"), Error);
  EXPECT_THROW(parse_metric_list("bleu,bleu"), Error);
  EXPECT_THROW(parse_metric_list(" , "), Error);
}

TEST(Evaluate, ScoresEveryMetricInRequestOrder) {
  const std::vector<std::string> hyps{"the cat sat on the mat", "a b"};
  const std::vector<std::vector<std::string>> refs{{"the cat sat on a mat", "a b c d"},
                                                   {"the cat sat on the mat", ""}};
  const std::vector<MetricScore> s = evaluate(hyps, refs, parse_metric_list("wer,bleu,chrf,ser,chrf++"));
  ASSERT_EQ(s.size(), 5u);
  EXPECT_EQ(s[0].name, "WER");
  EXPECT_FALSE(s[0].higher_is_better);
  // Sentence 1 matches its 2nd reference exactly; sentence 2: 2 deletions vs "a b c d"
  // (the empty reference would need 2 insertions with length 0: same distance, first wins).
  EXPECT_NEAR(s[0].score, 100.0 * 2 / (6 + 4), 1e-12);
  EXPECT_EQ(s[0].line, "WER|nrefs:2|tok:space = 20.00 (edits = 2 ref_len = 10)");
  EXPECT_EQ(s[1].name, "BLEU");
  EXPECT_TRUE(s[1].higher_is_better);
  EXPECT_EQ(s[1].signature, "nrefs:2|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0");
  // The expected lines are sacreBLEU 2.6.0's own output for these segments.
  EXPECT_EQ(s[1].line,
            "BLEU|nrefs:2|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0 = 100.00 100.0/100.0/100.0/100.0 "
            "(BP = 1.000 ratio = 1.333 hyp_len = 8 ref_len = 6)");
  EXPECT_EQ(s[2].name, "chrF2");
  EXPECT_EQ(s[2].line, "chrF2|nrefs:2|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.6.0 = 94.80");
  EXPECT_EQ(s[4].line, "chrF2++|nrefs:2|case:mixed|eff:yes|nc:6|nw:2|space:no|version:2.6.0 = 91.47");
  EXPECT_EQ(s[3].name, "SER");
  EXPECT_NEAR(s[3].score, 50.0, 1e-12);
}

TEST(Evaluate, RejectsMismatchedStreams) {
  const std::vector<std::string> hyps{"a", "b"};
  const std::vector<std::vector<std::string>> short_ref{{"a"}};
  EXPECT_THROW(evaluate(hyps, short_ref, parse_metric_list("bleu")), Error);
  const std::vector<std::vector<std::string>> none;
  EXPECT_THROW(evaluate(hyps, none, parse_metric_list("bleu")), Error);
  Evaluator ev(parse_metric_list("chrf"));
  EXPECT_THROW(ev.scores(), Error);  // nothing scored yet
}

}  // namespace
}  // namespace s2s::metrics
