// Copy attention (pointer-generator) in the Transformer family: stepping
// equals the teacher-forced forward pass over the extended vocabulary for
// every variant (pre/post-norm, tied and shared embeddings, relative
// positions), a sentence gets the same distribution alone as in a batch,
// gradients through the cross-attention's weights match central
// differences, the switch is the only new parameter, the option parses and
// old configurations read without it, and on the synthetic rewriting task of
// the RNN's test (models/copy_task.h) a Transformer with copy attention
// reaches >= 98 % exact match while the same model without it cannot.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <set>
#include <string>

#include "models/copy_task.h"
#include "models/model_test_util.h"
#include "s2s/autograd/ops.h"
#include "s2s/core/error.h"
#include "s2s/core/parallel.h"
#include "s2s/models/model_config.h"

namespace s2s::models {
namespace {

using testing::copy_batch;
using testing::Seqs;

struct Variant {
  const char* name;
  NormPosition norm;
  std::int64_t relative;
  bool tied, shared;
  std::int64_t alignment_layer;
};

const Variant kVariants[] = {
    {"pre", NormPosition::Pre, 0, false, false, -1},
    {"post_alignment0", NormPosition::Post, 0, false, false, 0},
    {"pre_relative2_tied", NormPosition::Pre, 2, true, false, 0},
    {"post_shared", NormPosition::Post, 0, false, true, -1},
};

// Vocabularies 14 -> 13 (13 and 13 shared): extended ids 13.. are each
// sentence's source-only tokens.
ModelConfig copy_config(const Variant& v) {
  ModelConfig c;
  c.type = "transformer";
  c.src_vocab_size = v.shared ? 13 : 14;
  c.tgt_vocab_size = 13;
  c.src_embedding_size = c.tgt_embedding_size = 8;
  c.dropout = 0.3f;  // must be inactive when not training
  c.tie_target_embeddings = v.tied;
  c.share_embeddings = v.shared;
  TransformerOptions& t = c.transformer;
  t.encoder_layers = t.decoder_layers = 2;
  t.d_model = 8;
  t.heads = 2;
  t.ffn_size = 12;
  t.norm = v.norm;
  t.attention_dropout = 0.2f;
  t.relative_positions = v.relative;
  t.alignment_layer = v.alignment_layer;
  t.copy_attention = true;
  return c;
}

const Seqs kSources = {{4, 5, 6}, {7, 8, 9, 10, 11, 12, 4}, {5, 9, 4, 6, 8}};
const Seqs kCopyIds = {{13, 5, 14}, {7, 13, 9, 14, 15, 16, 17}, {5, 9, 13, 14, 8}};
// Targets mix vocabulary ids and copy ids (fed back as <unk>).
const Seqs kTargets = {{6, 13, 4, 14}, {15, 9, 17}, {8, 14, 10, 5, 13, 7}};

class TransformerCopyVariants : public ::testing::TestWithParam<int> {};

TEST_P(TransformerCopyVariants, StepMatchesForwardAndPaddingDoesNotLeak) {
  Rng rng(42);
  auto model = build_model(copy_config(kVariants[GetParam()]), rng);
  ASSERT_TRUE(model->copies_source());
  TokenBatch src = testing::make_batch(kSources), tgt_in = testing::make_decoder_input(kTargets);
  src.copy_ids = copy_batch(kCopyIds);
  autograd::Graph g;  // grad enabled: the training path's weights (MultiHeadAttention::head_average_weights)
  ForwardOptions eval;
  eval.training = false;
  Tensor forward = model->forward(g, src, tgt_in, eval).value();
  const std::int64_t batch = 3, width = 18;  // 13 + the most source-only tokens (5)
  ASSERT_EQ(forward.dim(0), tgt_in.steps() * batch);
  ASSERT_EQ(forward.dim(1), width);
  for (std::int64_t r = 0; r < forward.dim(0); ++r) {
    double total = 0;
    for (std::int64_t w = 0; w < width; ++w) total += std::exp(static_cast<double>(forward.f32()[r * width + w]));
    EXPECT_NEAR(total, 1.0, 1e-5) << "row " << r;
  }
  // Decoding's path: the fused op's own head average, the memory read per row.
  EXPECT_LT(testing::max_abs_diff(forward, testing::step_logits(*model, src, tgt_in)), 1e-5f);
  // Without grad, forward takes decoding's weights too.
  autograd::Graph no_grad(false);
  EXPECT_LT(testing::max_abs_diff(forward, model->forward(no_grad, src, tgt_in, eval).value()), 1e-5f);

  for (std::size_t b = 0; b < kSources.size(); ++b) {
    autograd::Graph g1;
    TokenBatch s1 = testing::make_batch({kSources[b]}), t1 = testing::make_decoder_input({kTargets[b]});
    s1.copy_ids = copy_batch({kCopyIds[b]});
    Tensor alone = model->forward(g1, s1, t1, eval).value();
    EXPECT_LT(testing::sentence_rows_diff(alone, forward, static_cast<std::int64_t>(b), batch), 1e-5f)
        << "sentence " << b;
  }
}

// Alignments stay those of transformer.alignment_layer, whatever copies.
TEST_P(TransformerCopyVariants, StepReturnsAlignmentsOverTheSource) {
  Rng rng(5);
  auto model = build_model(copy_config(kVariants[GetParam()]), rng);
  TokenBatch src = testing::make_batch(kSources);
  src.copy_ids = copy_batch(kCopyIds);
  autograd::Graph g(false);
  auto state = model->encode(g, src);
  StepOutput o = model->step(g, *state, Tensor::from_ids({kBos, kBos, kBos}, Shape{3}));
  EXPECT_TRUE(o.log_probs);
  ASSERT_EQ(o.logits.dim(1), 18);
  ASSERT_EQ(o.attention.dim(0), 3);
  ASSERT_EQ(o.attention.dim(1), src.steps());
  for (std::int64_t b = 0; b < 3; ++b) {
    double total = 0;
    for (std::int64_t s = 0; s < src.steps(); ++s) total += o.attention.f32()[b * src.steps() + s];
    EXPECT_NEAR(total, 1.0, 1e-5);
  }
}

INSTANTIATE_TEST_SUITE_P(Options, TransformerCopyVariants, ::testing::Range(0, static_cast<int>(std::size(kVariants))),
                         [](const ::testing::TestParamInfo<int>& p) { return kVariants[p.param].name; });

// Beam search reorders and expands rows: the copy distribution follows each
// row's sentence (its memory and copy ids), bit for bit.
TEST(TransformerCopy, SelectKeepsEachRowsSentence) {
  Rng rng(3);
  auto model = build_model(copy_config(kVariants[0]), rng);
  TokenBatch src = testing::make_batch(kSources);
  src.copy_ids = copy_batch(kCopyIds);
  autograd::Graph g(false);
  auto a = model->encode(g, src), b = model->encode(g, src);
  const Seqs tokens = {{kBos, kBos, kBos}, {5, 15, 13}, {14, 4, 8}};
  for (int t = 0; t < 2; ++t) {
    Tensor prev = Tensor::from_ids(tokens[static_cast<std::size_t>(t)], Shape{3});
    model->step(g, *a, prev);
    model->step(g, *b, prev);
    g.clear();
  }
  const std::vector<std::int32_t> pick = {2, 0, 0, 1, 2};
  b->select(Tensor::from_ids(pick, Shape{5}));
  Tensor la = model->step(g, *a, Tensor::from_ids(tokens[2], Shape{3})).logits.clone();
  std::vector<std::int32_t> picked_tokens;
  for (std::int32_t k : pick) picked_tokens.push_back(tokens[2][static_cast<std::size_t>(k)]);
  Tensor lb = model->step(g, *b, Tensor::from_ids(picked_tokens, Shape{5})).logits;
  const std::int64_t width = la.dim(1);
  ASSERT_EQ(lb.dim(1), width);
  for (std::size_t r = 0; r < pick.size(); ++r)
    for (std::int64_t k = 0; k < width; ++k)
      ASSERT_EQ(lb.f32()[static_cast<std::int64_t>(r) * width + k], la.f32()[pick[r] * width + k]) << "row " << r;
}

// The copy loss reaches the cross-attention's queries and keys through its
// weights (the head average of the last layer), the encoder through the
// context, and the switch: analytic gradients against central differences.
TEST(TransformerCopy, GradientsMatchCentralDifferences) {
  ModelConfig config = copy_config(kVariants[0]);
  config.dropout = 0.0f;
  config.transformer.attention_dropout = 0.0f;
  Rng rng(11);
  auto model = build_model(config, rng);
  TokenBatch src = testing::make_batch(kSources), tgt_in = testing::make_decoder_input(kTargets);
  src.copy_ids = copy_batch(kCopyIds);
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
  const std::set<std::string> checked_names = {"decoder.layers.1.cross_attn.q_proj.weight",
                                               "decoder.layers.1.cross_attn.k_proj.weight",
                                               "encoder.layers.1.ffn.fc2.weight", "decoder.copy_gate.weight",
                                               "decoder.copy_gate.bias"};
  int checked = 0;
  for (auto* p : model->parameters()) {
    if (!checked_names.count(p->name)) continue;
    ASSERT_TRUE(p->grad.defined()) << p->name;
    for (std::int64_t k = 0; k < p->value.numel(); k += 3) {
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
  EXPECT_GT(checked, 60);
}

// The switch is the only new parameter, drawn after all others: the rest of
// the model starts as the same model without copying does.
TEST(TransformerCopy, AddsTheSwitchAfterTheOtherParameters) {
  for (const Variant& v : kVariants) {
    ModelConfig with = copy_config(v), without = with;
    without.transformer.copy_attention = false;
    Rng r1(7), r2(7);
    auto a = build_model(with, r1), b = build_model(without, r2);
    std::vector<autograd::Parameter*> pa = a->parameters(), pb = b->parameters();
    ASSERT_EQ(pa.size(), pb.size() + 2) << v.name;
    for (std::size_t k = 0; k < pb.size(); ++k) {
      EXPECT_EQ(pa[k]->name, pb[k]->name);
      EXPECT_EQ(pa[k]->value.to_vector(), pb[k]->value.to_vector()) << pa[k]->name;
    }
    EXPECT_EQ(pa[pb.size()]->name, "decoder.copy_gate.weight");
    EXPECT_EQ(pa[pb.size()]->value.shape(), Shape({1, 3 * 8}));  // [y_t; ctx_t; x_t]
    EXPECT_EQ(pa[pb.size() + 1]->name, "decoder.copy_gate.bias");
    EXPECT_FALSE(b->copies_source());
  }
}

TEST(TransformerCopy, NeedsCopyIds) {
  Rng rng(1);
  auto model = build_model(copy_config(kVariants[0]), rng);
  autograd::Graph g(false);
  try {
    model->encode(g, testing::make_batch(kSources));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("copy attention: expected the source's copy ids"), std::string::npos)
        << e.what();
  }
}

// --model.copy_attention (a bare key) reaches the chosen family, the model
// directory's pairs record it in the transformer section, and pairs written
// before the option existed read as a model that does not copy.
TEST(TransformerCopy, OptionParsesPrintsAndDefaultsToOff) {
  const ConfigPairs base = {{"type", "transformer"}, {"src_vocab_size", "30"}, {"tgt_vocab_size", "20"},
                            {"embedding_size", "16"}, {"transformer.d_model", "16"}, {"transformer.heads", "4"}};
  ConfigPairs bare = base;
  bare.emplace_back("copy_attention", "true");
  ModelConfig c = config_from_pairs(bare);
  EXPECT_TRUE(c.transformer.copy_attention);
  EXPECT_TRUE(copies_source(c));
  ConfigPairs printed = to_pairs(c);
  bool listed = false;
  for (auto& [k, v] : printed) listed |= k == "transformer.copy_attention" && v == "true";
  EXPECT_TRUE(listed);
  EXPECT_EQ(to_pairs(config_from_pairs(printed)), printed);
  EXPECT_NE(describe(c).find(", copy attention"), std::string::npos) << describe(c);

  ModelConfig old = config_from_pairs(base);  // no copy_attention key
  EXPECT_FALSE(old.transformer.copy_attention);
  EXPECT_FALSE(copies_source(old));
  EXPECT_EQ(describe(old).find("copy"), std::string::npos);
  try {
    ConfigPairs bad = base;
    bad.emplace_back("transformer.copy_attention", "maybe");
    config_from_pairs(bad);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("model.transformer.copy_attention"), std::string::npos) << e.what();
  }
}

// --- the synthetic rewriting task (models/copy_task.h) -------------------------

ModelConfig task_config(const testing::CopyTask& task, bool copy) {
  ModelConfig c;
  c.type = "transformer";
  c.src_vocab_size = task.src.size();
  c.tgt_vocab_size = task.tgt.size();
  c.src_embedding_size = c.tgt_embedding_size = 32;
  TransformerOptions& t = c.transformer;
  t.encoder_layers = t.decoder_layers = 2;
  t.d_model = 32;
  t.heads = 4;
  t.ffn_size = 64;
  t.copy_attention = copy;
  return c;  // pre-norm, ReLU, sinusoidal positions
}

TEST(TransformerCopy, RewritesSourcesOutsideTheTargetVocabulary) {
  using testing::CopyTask;
  // One thread: the matrices are too small to share.
  const int saved_threads = num_threads();
  set_num_threads(1);
  const CopyTask task;
  Rng eval_rng(9);
  testing::Sentences held_out;
  for (int i = 0; i < 200; ++i) held_out.push_back(task.random_source(eval_rng));
  testing::CopyTrainSetup setup;
  setup.steps = 400;
  setup.lr = 3e-3;
  setup.warmup = 50;
  double match[2] = {0, 0};
  for (bool copy : {false, true}) {
    auto t0 = std::chrono::steady_clock::now();
    auto model = testing::train_copy_task(task, task_config(task, copy), setup);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    testing::CopyEncoded e = testing::encode_copy_task(task, held_out, copy);
    auto greedy = testing::decode_copy_task(*model, task, e, 1);
    match[copy] = testing::copy_exact_match(greedy, held_out);
    std::printf("  transformer, copy attention %s: greedy exact match %.3f after %lld steps (%.1f s)\n",
                copy ? "on" : "off", match[copy], static_cast<long long>(setup.steps), seconds);
    if (!copy) continue;
    // Beam search over the extended vocabulary, and batch invariance: each of
    // the first sentences alone decodes as it did in the batch of 200.
    auto beam = testing::decode_copy_task(*model, task, e, 4);
    EXPECT_GE(testing::copy_exact_match(beam, held_out), 0.98);
    for (std::size_t i = 0; i < 20; ++i) {
      testing::CopyEncoded one = testing::encode_copy_task(task, {held_out[i]}, true);
      EXPECT_EQ(testing::decode_copy_task(*model, task, one, 4)[0], beam[i]) << "sentence " << i << " (beam 4)";
      EXPECT_EQ(testing::decode_copy_task(*model, task, one, 1)[0], greedy[i]) << "sentence " << i << " (greedy)";
    }
  }
  set_num_threads(saved_threads);
  EXPECT_GE(match[1], 0.98);
  EXPECT_LT(match[0], 0.5);  // without copying, an a token can only come out as <unk>
}

}  // namespace
}  // namespace s2s::models
