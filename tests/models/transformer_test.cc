// The Transformer family: encode + step reproduce forward for every option
// (step equals forward), padding does not leak (a sentence alone = its rows
// in a batch), select reorders the caches, alignments are distributions over
// the real source positions, relative-position gradients match central
// differences, and the options parse, print and validate.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "models/model_test_util.h"
#include "s2s/autograd/ops.h"
#include "s2s/core/error.h"
#include "s2s/models/transformer.h"

namespace s2s::models {
namespace {

using testing::make_batch;
using testing::make_decoder_input;
using testing::max_abs_diff;

struct Variant {
  const char* name;
  NormPosition norm;
  Activation activation;
  PositionKind positions;
  std::int64_t relative;
  bool tied, shared;
  std::int64_t alignment_layer;
};

const Variant kVariants[] = {
    {"pre_relu_sinusoidal", NormPosition::Pre, Activation::Relu, PositionKind::Sinusoidal, 0, false, false, -1},
    {"post_relu_sinusoidal", NormPosition::Post, Activation::Relu, PositionKind::Sinusoidal, 0, false, false, 0},
    {"pre_gelu_learned_tied", NormPosition::Pre, Activation::Gelu, PositionKind::Learned, 0, true, false, -1},
    {"post_gelu_learned_shared", NormPosition::Post, Activation::Gelu, PositionKind::Learned, 0, false, true, 1},
    {"pre_relu_relative2", NormPosition::Pre, Activation::Relu, PositionKind::Sinusoidal, 2, false, false, -1},
    {"post_gelu_relative1_tied", NormPosition::Post, Activation::Gelu, PositionKind::Sinusoidal, 1, true, false, 0},
    {"pre_gelu_relative3_learned_shared", NormPosition::Pre, Activation::Gelu, PositionKind::Learned, 3, false, true,
     -1},
};

ModelConfig make_config(const Variant& v) {
  ModelConfig c;
  c.type = "transformer";
  c.src_vocab_size = v.shared ? 13 : 14;
  c.tgt_vocab_size = 13;
  c.src_embedding_size = c.tgt_embedding_size = 8;
  c.dropout = 0.3f;  // must be inactive when not training
  c.tie_target_embeddings = v.tied;
  c.share_embeddings = v.shared;
  TransformerOptions& t = c.transformer;
  t.encoder_layers = 2;
  t.decoder_layers = 2;
  t.d_model = 8;
  t.heads = 2;
  t.ffn_size = 12;
  t.activation = v.activation;
  t.norm = v.norm;
  t.attention_dropout = 0.2f;
  t.ffn_dropout = 0.1f;
  t.positions = v.positions;
  t.max_positions = 12;
  t.relative_positions = v.relative;
  t.alignment_layer = v.alignment_layer;
  return c;
}

const std::vector<std::vector<std::int32_t>> kSources = {{4, 5, 6}, {7, 8, 9, 10, 11, 12, 4}, {5, 9, 4, 6, 8}};
const std::vector<std::vector<std::int32_t>> kTargets = {{6, 5, 4, 7}, {4, 9}, {8, 6, 10, 5, 4, 7}};

class TransformerVariants : public ::testing::TestWithParam<int> {};

TEST_P(TransformerVariants, StepMatchesForwardAndPaddingDoesNotLeak) {
  const Variant& v = kVariants[GetParam()];
  ModelConfig config = make_config(v);
  Rng rng(42);
  auto model = build_model(config, rng);
  testing::expect_step_matches_forward(*model, kSources, kTargets);
}

TEST_P(TransformerVariants, TrainingForwardUsesDropout) {
  const Variant& v = kVariants[GetParam()];
  Rng rng(42), drop(7);
  auto model = build_model(make_config(v), rng);
  TokenBatch src = make_batch(kSources), tgt_in = make_decoder_input(kTargets);
  autograd::Graph g;
  ForwardOptions train, eval;
  train.rng = &drop;
  eval.training = false;
  Tensor a = model->forward(g, src, tgt_in, train).value().clone();
  Tensor b = model->forward(g, src, tgt_in, eval).value();
  EXPECT_GT(max_abs_diff(a, b), 1e-3f);
}

INSTANTIATE_TEST_SUITE_P(AllOptions, TransformerVariants,
                         ::testing::Range(0, static_cast<int>(std::size(kVariants))),
                         [](const ::testing::TestParamInfo<int>& p) { return kVariants[p.param].name; });

// Selecting rows (beam expansion and reordering) keeps each row's cache: the
// next step's logits are the selected rows of an unselected twin's, bit for bit.
TEST(Transformer, SelectReordersTheCaches) {
  Rng rng(3);
  auto model = build_model(make_config(kVariants[4]), rng);
  TokenBatch src = make_batch(kSources);
  autograd::Graph g(false);
  auto a = model->encode(g, src), b = model->encode(g, src);
  const std::vector<std::vector<std::int32_t>> tokens = {{kBos, kBos, kBos}, {5, 7, 9}, {6, 4, 8}};
  for (int t = 0; t < 2; ++t) {
    Tensor prev = Tensor::from_ids(tokens[static_cast<std::size_t>(t)], Shape{3});
    model->step(g, *a, prev);
    model->step(g, *b, prev);
    g.clear();
  }
  const std::vector<std::int32_t> pick = {2, 0, 0, 1, 2};
  b->select(Tensor::from_ids(pick, Shape{5}));
  ASSERT_EQ(b->rows(), 5);
  StepOutput oa = model->step(g, *a, Tensor::from_ids(tokens[2], Shape{3}));
  Tensor la = oa.logits.clone(), aa = oa.attention.clone();
  std::vector<std::int32_t> picked_tokens;
  for (std::int32_t k : pick) picked_tokens.push_back(tokens[2][static_cast<std::size_t>(k)]);
  StepOutput ob = model->step(g, *b, Tensor::from_ids(picked_tokens, Shape{5}));
  const std::int64_t V = la.dim(1), S = aa.dim(1);
  for (std::size_t r = 0; r < pick.size(); ++r) {
    for (std::int64_t k = 0; k < V; ++k)
      ASSERT_EQ(ob.logits.f32()[static_cast<std::int64_t>(r) * V + k], la.f32()[pick[r] * V + k]) << "row " << r;
    for (std::int64_t s = 0; s < S; ++s)
      ASSERT_EQ(ob.attention.f32()[static_cast<std::int64_t>(r) * S + s], aa.f32()[pick[r] * S + s]);
  }
}

// Alignments: the heads' average of a layer's cross-attention, a distribution
// over each sentence's real source positions.
TEST(Transformer, AlignmentsAreDistributionsOverRealSourcePositions) {
  Rng rng(5);
  auto model = build_model(make_config(kVariants[0]), rng);
  TokenBatch src = make_batch(kSources);
  autograd::Graph g(false);
  auto state = model->encode(g, src);
  StepOutput o = model->step(g, *state, Tensor::from_ids({kBos, kBos, kBos}, Shape{3}));
  ASSERT_EQ(o.attention.dim(0), 3);
  ASSERT_EQ(o.attention.dim(1), src.steps());
  for (std::int64_t b = 0; b < 3; ++b) {
    double total = 0;
    for (std::int64_t s = 0; s < src.steps(); ++s) {
      float w = o.attention.f32()[b * src.steps() + s];
      if (s >= static_cast<std::int64_t>(kSources[static_cast<std::size_t>(b)].size())) {
        EXPECT_EQ(w, 0.0f);
      }
      total += w;
    }
    EXPECT_NEAR(total, 1.0, 1e-5);
  }
}

// Relative positions have no torch.nn counterpart: their gradients (and the
// GELU composition's, upstream) are checked against central differences.
TEST(Transformer, RelativePositionGradientsMatchCentralDifferences) {
  ModelConfig config = make_config(kVariants[6]);
  config.dropout = 0.0f;
  config.transformer.attention_dropout = config.transformer.ffn_dropout = 0.0f;
  Rng rng(11);
  auto model = build_model(config, rng);
  TokenBatch src = make_batch(kSources), tgt_in = make_decoder_input(kTargets);
  Tensor tgt_out = testing::make_decoder_output(kTargets);
  autograd::CrossEntropyOptions ce;
  ce.ignore_index = kPad;
  ce.reduction = autograd::Reduction::Sum;
  auto loss_of = [&](autograd::Graph& g) {
    return autograd::cross_entropy(model->forward(g, src, tgt_in, ForwardOptions{}), tgt_out, ce);
  };
  autograd::Graph g;
  for (auto* p : model->parameters()) p->grad.reset();
  g.backward(loss_of(g));
  int checked = 0;
  for (auto* p : model->parameters()) {
    bool relative = p->name.find("relative_") != std::string::npos;
    if (!relative && p->name != "decoder.layers.0.ffn.fc1.weight") continue;
    ASSERT_TRUE(p->grad.defined()) << p->name;
    for (std::int64_t k = 0; k < p->value.numel(); k += 5) {
      float saved = p->value.f32()[k];
      const float eps = 1e-2f;
      p->value.f32()[k] = saved + eps;
      autograd::Graph g1(false);
      double up = loss_of(g1).value().f32()[0];
      p->value.f32()[k] = saved - eps;
      autograd::Graph g2(false);
      double down = loss_of(g2).value().f32()[0];
      p->value.f32()[k] = saved;
      double numeric = (up - down) / (2 * eps), analytic = p->grad.f32()[k];
      EXPECT_NEAR(analytic, numeric, 2e-3 + 2e-2 * std::abs(numeric)) << p->name << "[" << k << "]";
      ++checked;
    }
  }
  EXPECT_GT(checked, 40);
}

TEST(Transformer, ParameterNamesSharingAndDescription) {
  Rng rng(1);
  ModelConfig c = make_config(kVariants[3]);  // shared embeddings, learned positions
  auto model = build_model(c, rng);
  auto* t = dynamic_cast<TransformerModel*>(model.get());
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->source_embedding(), t->target_embedding());
  EXPECT_TRUE(t->has_alignments());
  std::set<std::string> names;
  for (auto* p : model->parameters()) EXPECT_TRUE(names.insert(p->name).second) << "duplicate " << p->name;
  for (const char* want : {"encoder.embedding.weight", "encoder.positions.weight", "decoder.positions.weight",
                           "encoder.layers.1.self_attn.q_proj.weight", "encoder.layers.0.ffn.fc2.bias",
                           "decoder.layers.1.cross_attn.v_proj.bias", "decoder.layers.0.cross_attn_norm.weight",
                           "decoder.output.bias"})
    EXPECT_TRUE(names.count(want)) << want;
  for (const char* absent : {"decoder.embedding.weight", "decoder.output.weight", "encoder.norm.weight"})
    EXPECT_FALSE(names.count(absent)) << absent;
  EXPECT_EQ(t->describe(),
            "transformer 2+2 layers, d_model 8, 2 heads, ffn 12 gelu, post-norm, learned positions, shared "
            "embeddings, vocab 13/13");
}

TEST(TransformerOptions, ParsePrintAndValidate) {
  ModelConfig c = config_from_pairs({{"type", "transformer"},
                                     {"src_vocab_size", "30"},
                                     {"tgt_vocab_size", "30"},
                                     {"embedding_size", "16"},
                                     {"share_embeddings", "true"},
                                     {"transformer.layers", "3"},
                                     {"transformer.decoder_layers", "2"},
                                     {"transformer.d_model", "16"},
                                     {"transformer.heads", "4"},
                                     {"transformer.activation", "gelu"},
                                     {"transformer.norm", "post"},
                                     {"transformer.relative_positions", "4"},
                                     {"transformer.attention_dropout", "0.1"}});
  EXPECT_EQ(c.transformer.encoder_layers, 3);
  EXPECT_EQ(c.transformer.decoder_layers, 2);
  EXPECT_EQ(c.transformer.activation, Activation::Gelu);
  EXPECT_TRUE(c.share_embeddings);
  // Round trip through the printed pairs.
  ModelConfig back = config_from_pairs(to_pairs(c));
  EXPECT_EQ(to_pairs(back), to_pairs(c));
  bool listed = false;
  for (auto& [k, v] : to_pairs(c)) listed |= k == "transformer.relative_positions" && v == "4";
  EXPECT_TRUE(listed);
  EXPECT_EQ(transformer_option_help().size(), transformer_pairs(c.transformer).size() + 1);  // + the layers shorthand

  auto error_of = [](const ConfigPairs& pairs) {
    try {
      ModelConfig base = config_from_pairs(pairs);
      (void)base;
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  const ConfigPairs base = {{"type", "transformer"}, {"src_vocab_size", "30"}, {"tgt_vocab_size", "20"},
                            {"embedding_size", "16"}, {"transformer.d_model", "16"}, {"transformer.heads", "4"}};
  EXPECT_EQ(error_of(base), "");
  auto with = [&](std::string k, std::string v) {
    ConfigPairs p = base;
    p.emplace_back(std::move(k), std::move(v));
    return error_of(p);
  };
  EXPECT_NE(with("transformer.heads", "3").find("model.transformer.heads"), std::string::npos);
  EXPECT_NE(with("transformer.d_model", "32").find("model.transformer.d_model"), std::string::npos);
  EXPECT_NE(with("transformer.activation", "tanh").find("model.transformer.activation: expected one of relu|gelu"),
            std::string::npos);
  EXPECT_NE(with("transformer.colour", "red").find("model.transformer.colour: unknown option"), std::string::npos);
  EXPECT_NE(with("transformer.alignment_layer", "6").find("model.transformer.alignment_layer"), std::string::npos);
  EXPECT_NE(with("share_embeddings", "true").find("model.share_embeddings"), std::string::npos);  // 30 vs 20 ids
}

}  // namespace
}  // namespace s2s::models
