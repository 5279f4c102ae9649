// Greedy decoding through encode + step, against a scripted model whose
// logits are known: row b emits source token t at step t, then </s>.
#include "s2s/search/greedy.h"

#include <gtest/gtest.h>

#include "s2s/core/error.h"
#include "s2s/data/tokenizer.h"

namespace s2s::search {
namespace {

constexpr std::int64_t kVocab = 10;

// Copies the source: at step t it prefers src[t] (or </s> past the end);
// with `never_stop` it never prefers </s>.
class CopyModel : public models::EncoderDecoder {
 public:
  explicit CopyModel(bool never_stop = false) : never_stop_(never_stop) { config_.tgt_vocab_size = kVocab; }

  struct State : models::DecoderState {
    std::vector<std::vector<std::int32_t>> src;
    std::int64_t t = 0;
    void select(const Tensor& idx) override {  // greedy search drops finished rows
      std::vector<std::vector<std::int32_t>> kept;
      for (std::int64_t r = 0; r < idx.dim(0); ++r) kept.push_back(src.at(static_cast<std::size_t>(idx.i32()[r])));
      src = kept;
    }
    std::int64_t rows() const override { return static_cast<std::int64_t>(src.size()); }
  };

  autograd::Var forward(autograd::Graph&, const models::TokenBatch&, const models::TokenBatch&,
                        const models::ForwardOptions&) override {
    fail("not used");
  }
  std::unique_ptr<models::DecoderState> encode(autograd::Graph& g, const models::TokenBatch& src) override {
    EXPECT_FALSE(g.grad_enabled());
    auto s = std::make_unique<State>();
    for (std::int64_t b = 0; b < src.size(); ++b) {
      s->src.emplace_back();
      for (std::int32_t t = 0; t < src.lengths.i32()[b]; ++t) s->src.back().push_back(src.ids.i32()[t * src.size() + b]);
    }
    return s;
  }
  models::StepOutput step(autograd::Graph&, models::DecoderState& state, const Tensor& prev) override {
    auto& s = static_cast<State&>(state);
    Tensor logits = Tensor::zeros({s.rows(), kVocab});
    for (std::int64_t b = 0; b < s.rows(); ++b) {
      // The previous token fed back must be what was picked (BOS first).
      std::int32_t expect_prev = s.t == 0 ? models::kBos : pick(s, b, s.t - 1);
      EXPECT_EQ(prev.i32()[b], expect_prev) << "row " << b << " step " << s.t;
      logits.f32()[b * kVocab + pick(s, b, s.t)] = 1.0f;
    }
    ++s.t;
    return {logits, Tensor()};
  }
  std::vector<autograd::Parameter*> parameters() override { return {}; }
  const models::ModelConfig& config() const override { return config_; }

 private:
  std::int32_t pick(const State& s, std::int64_t b, std::int64_t t) const {
    const auto& row = s.src[static_cast<std::size_t>(b)];
    if (t < static_cast<std::int64_t>(row.size())) return row[static_cast<std::size_t>(t)];
    return never_stop_ ? 5 : models::kEos;
  }
  bool never_stop_;
  models::ModelConfig config_;
};

models::TokenBatch batch(const std::vector<std::vector<std::int32_t>>& rows) {
  std::size_t longest = 0;
  for (const auto& r : rows) longest = std::max(longest, r.size());
  auto n = static_cast<std::int64_t>(rows.size());
  models::TokenBatch b{Tensor::zeros({static_cast<std::int64_t>(longest), n}, DType::I32), Tensor::empty({n}, DType::I32),
                       Tensor()};
  for (std::int64_t i = 0; i < n; ++i) {
    for (std::size_t t = 0; t < rows[i].size(); ++t) b.ids.i32()[static_cast<std::int64_t>(t) * n + i] = rows[i][t];
    b.lengths.i32()[i] = static_cast<std::int32_t>(rows[i].size());
  }
  return b;
}

TEST(Greedy, StopsEachRowAtItsEos) {
  CopyModel m;
  auto out = greedy_decode(m, batch({{4, 5, 6}, {7}, {8, 9}}));
  EXPECT_EQ(out, (std::vector<std::vector<std::int32_t>>{{4, 5, 6}, {7}, {8, 9}}));
}

TEST(Greedy, LengthLimitFollowsTheSourceLength) {
  CopyModel m(/*never_stop=*/true);
  GreedyOptions o;
  o.max_length_ratio = 1.0f;
  o.max_length_extra = 2;
  auto out = greedy_decode(m, batch({{4, 6}, {7, 8, 9}}), o);
  EXPECT_EQ(out, (std::vector<std::vector<std::int32_t>>{{4, 6, 5, 5}, {7, 8, 9, 5, 5}}));
}

TEST(Greedy, TranslatesText) {
  // Word tokens map to ids 4.. in a vocabulary; the copy model echoes them.
  data::Vocab v;
  for (const char* w : {"a", "b", "c", "d"}) v.add(w, 1);
  auto words = data::make_simple_tokenizer(data::TokenizerType::Word);
  CopyModel m;
  std::vector<std::string> in{"a b c", "d", "a zz"};
  auto out = greedy_translate(m, {words.get(), &v}, {words.get(), &v}, in, /*src_eos=*/false);
  EXPECT_EQ(out, (std::vector<std::string>{"a b c", "d", "a <unk>"}));
}

}  // namespace
}  // namespace s2s::search
