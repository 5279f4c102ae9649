// The demo G2P set shipped in data/ parses cleanly in every format it uses.
#include "data/data_test_util.h"
#include "s2s/data/corpus.h"
#include "s2s/data/multi_ref.h"

namespace s2s::data {
namespace {

std::string demo(const std::string& name) { return std::string(S2S_SOURCE_DIR) + "/data/" + name; }

std::vector<std::pair<std::string, std::string>> pairs(const std::string& path) {
  auto r = open_pairs(CorpusSpec::parse(path));
  std::vector<std::pair<std::string, std::string>> out;
  RawPair p;
  while (r->next(p)) out.emplace_back(p.src, p.tgt);
  return out;
}

TEST(DemoData, G2pTrainDevAndReferences) {
  auto train = pairs(demo("g2p.train.tsv"));
  auto dev = pairs(demo("g2p.dev.tsv"));
  EXPECT_EQ(train.size(), 3000u);
  ASSERT_EQ(dev.size(), 200u);
  for (const auto& [src, tgt] : train) ASSERT_FALSE(src.empty() || tgt.empty());
  auto refs = read_multi_ref(CorpusSpec::parse(demo("g2p.dev.refs.tsv")));
  ASSERT_EQ(refs.size(), 200u);
  std::size_t multi = 0;
  for (std::size_t i = 0; i < refs.size(); ++i) {
    EXPECT_EQ(refs[i].src, dev[i].first);
    EXPECT_EQ(refs[i].refs[0], dev[i].second);  // the first pronunciation is the training target
    multi += refs[i].refs.size() > 1;
  }
  EXPECT_EQ(multi, 12u);
}

}  // namespace
}  // namespace s2s::data
