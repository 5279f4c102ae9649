// The convolutional family (model.type convs2s): its options (parsing,
// validation naming the option, help, the describe line), its parameter
// names, stepping equals the teacher-forced forward pass for several shapes
// (padding does not leak), beam reordering of the decoder state, and the
// alignments (the decoder layers' attention averaged).
#include <gtest/gtest.h>

#include <cmath>

#include "models/model_test_util.h"
#include "s2s/models/convs2s_options.h"
#include "s2s/models/model_config.h"
#include "support/error_of.h"

namespace s2s::models {
namespace {

using s2s::testing::error_of;

ModelConfig tiny(std::int64_t kernel = 3, std::int64_t enc = 2, std::int64_t dec = 2) {
  ModelConfig c;
  c.type = "convs2s";
  c.src_vocab_size = 13;
  c.tgt_vocab_size = 11;
  c.src_embedding_size = c.tgt_embedding_size = 6;
  c.convs2s.encoder_layers = enc;
  c.convs2s.decoder_layers = dec;
  c.convs2s.channels = 8;
  c.convs2s.kernel_size = kernel;
  c.convs2s.max_positions = 20;
  c.dropout = 0.3f;  // must be inactive when not training
  return c;
}

TEST(ConvS2SOptions, ParseRoundTripAndDescribe) {
  ModelConfig c = config_from_map({{"type", "convs2s"},
                                   {"src_vocab_size", "50"},
                                   {"tgt_vocab_size", "60"},
                                   {"embedding_size", "32"},
                                   {"convs2s.layers", "5"},
                                   {"convs2s.decoder_layers", "2"},
                                   {"channels", "48"},  // a bare key is the chosen family's
                                   {"convs2s.kernel_size", "5"},
                                   {"convs2s.max_positions", "300"},
                                   {"tie_target_embeddings", "true"}});
  EXPECT_EQ(c.convs2s.encoder_layers, 5);
  EXPECT_EQ(c.convs2s.decoder_layers, 2);  // the specific key wins over the shorthand
  EXPECT_EQ(c.convs2s.channels, 48);
  EXPECT_EQ(c.convs2s.kernel_size, 5);
  EXPECT_EQ(c.convs2s.max_positions, 300);
  EXPECT_EQ(to_pairs(config_from_pairs(to_pairs(c))), to_pairs(c));
  EXPECT_EQ(describe(c),
            "convs2s 5+2 layers, 48 channels, kernel 5, embeddings 32, learned positions up to 300, tied target "
            "embeddings, vocab 50/60");
  EXPECT_TRUE(has_alignments(c));
  // Defaults: fairseq's fconv_iwslt_de_en.
  ConvS2SOptions d;
  EXPECT_EQ(d.encoder_layers, 4);
  EXPECT_EQ(d.decoder_layers, 3);
  EXPECT_EQ(d.channels, 256);
  EXPECT_EQ(d.kernel_size, 3);
  ConfigPairs help = option_help();
  for (const char* key : {"model.convs2s.encoder_layers", "model.convs2s.decoder_layers", "model.convs2s.layers",
                          "model.convs2s.channels", "model.convs2s.kernel_size", "model.convs2s.max_positions"})
    EXPECT_TRUE(std::any_of(help.begin(), help.end(), [&](const auto& p) { return p.first == key && !p.second.empty(); }))
        << key;
}

TEST(ConvS2SOptions, BadValuesNameTheOption) {
  ModelConfig c = tiny();
  EXPECT_EQ(error_of([&] { set_option(c, "convs2s.channels", "wide"); }),
            "model.convs2s.channels: expected an integer, got 'wide'");
  EXPECT_NE(error_of([&] { set_option(c, "convs2s.kernel", "3"); }).find("model.convs2s.kernel: unknown option (known: "),
            std::string::npos);
  EXPECT_EQ(error_of([&] { set_option(c, "transformer.heads", "2"); }),
            "model.transformer.heads: an option of the transformer family, but model.type is convs2s");
  auto invalid = [&](auto change) {
    ModelConfig bad = tiny();
    change(bad);
    return error_of([&] { validate(bad); });
  };
  EXPECT_EQ(invalid([](ModelConfig& m) { m.convs2s.kernel_size = 4; }),
            "model.convs2s.kernel_size: expected an odd number >= 1, got 4");
  EXPECT_EQ(invalid([](ModelConfig& m) { m.convs2s.encoder_layers = 0; }),
            "model.convs2s.encoder_layers: expected >= 1, got 0");
  EXPECT_EQ(invalid([](ModelConfig& m) { m.convs2s.decoder_layers = 0; }),
            "model.convs2s.decoder_layers: expected >= 1, got 0");
  EXPECT_EQ(invalid([](ModelConfig& m) { m.convs2s.channels = 0; }), "model.convs2s.channels: expected >= 1, got 0");
  EXPECT_EQ(invalid([](ModelConfig& m) { m.convs2s.max_positions = 0; }),
            "model.convs2s.max_positions: expected >= 1, got 0");
  EXPECT_EQ(invalid([](ModelConfig& m) { m.tgt_embedding_size = 7; }),
            "model.src_embedding_size: the convs2s attention needs equal embedding sizes, got 6 and "
            "model.tgt_embedding_size 7; set model.embedding_size");
  // Longer than the learned positions: a one-line error naming the option.
  Rng rng(1);
  auto model = build_model(tiny(), rng);
  autograd::Graph g;
  std::vector<std::int32_t> long_src(21, 5);
  EXPECT_EQ(error_of([&] {
              model->forward(g, testing::make_batch({long_src}), testing::make_decoder_input({{4}}), ForwardOptions{});
            }),
            "model.convs2s.max_positions: a sequence of 21 positions is longer than the 20 learned ones");
}

TEST(ConvS2S, ParameterNames) {
  Rng rng(1);
  auto model = build_model(tiny(3, 1, 1), rng);
  std::vector<std::string> names;
  for (auto* p : model->parameters()) names.push_back(p->name);
  auto wn = [](const std::string& n) { return std::vector<std::string>{n + ".weight_v", n + ".weight_g", n + ".bias"}; };
  std::vector<std::string> want{"encoder.embedding.weight", "encoder.positions.weight"};
  for (const char* n : {"encoder.fc1", "encoder.convs.0", "encoder.fc2"})
    for (auto& s : wn(n)) want.push_back(s);
  want.insert(want.end(), {"decoder.embedding.weight", "decoder.positions.weight"});
  for (const char* n : {"decoder.fc1", "decoder.convs.0", "decoder.attention.0.in_projection",
                        "decoder.attention.0.out_projection", "decoder.fc2", "decoder.output"})
    for (auto& s : wn(n)) want.push_back(s);
  std::sort(names.begin(), names.end());
  std::sort(want.begin(), want.end());
  EXPECT_EQ(names, want);
  // Weight normalisation starts at w = v: g holds each row's norm.
  for (auto* p : model->parameters())
    if (p->name == "decoder.convs.0.weight_v") {
      const Tensor& v = p->value;
      EXPECT_EQ(v.shape(), Shape({16, 24}));  // [2 C, k C]
      double sq = 0;
      for (std::int64_t k = 0; k < v.dim(1); ++k) sq += v.f32()[k] * v.f32()[k];
      for (auto* q : model->parameters())
        if (q->name == "decoder.convs.0.weight_g") {
          EXPECT_NEAR(q->value.f32()[0], std::sqrt(sq), 1e-5);
        }
    }
  // Tied: the output weight is the target embedding, only the bias is the output layer's own.
  ModelConfig tied = tiny(3, 1, 1);
  tied.tie_target_embeddings = true;
  auto tied_model = build_model(tied, rng);
  std::size_t output_params = 0;
  for (auto* p : tied_model->parameters()) output_params += p->name.starts_with("decoder.output.");
  EXPECT_EQ(output_params, 1u);
}

const std::vector<std::vector<std::int32_t>> kSources = {{4, 5, 6}, {7, 8, 9, 10, 11, 12, 4}, {5, 9, 4, 6, 8}};
const std::vector<std::vector<std::int32_t>> kTargets = {{6, 5, 4, 7}, {4, 9}, {8, 6, 10, 5, 4, 7}};

TEST(ConvS2S, StepMatchesForwardAndPaddingDoesNotLeak) {
  struct Variant {
    std::int64_t kernel, enc, dec;
    bool tied, shared;
  };
  for (Variant v : {Variant{3, 2, 2, false, false}, Variant{1, 1, 1, false, false}, Variant{5, 3, 2, true, false},
                    Variant{3, 1, 3, false, true}}) {
    SCOPED_TRACE("kernel " + std::to_string(v.kernel) + " layers " + std::to_string(v.enc) + "+" + std::to_string(v.dec));
    ModelConfig c = tiny(v.kernel, v.enc, v.dec);
    c.tie_target_embeddings = v.tied;
    if (v.shared) {
      c.share_embeddings = true;
      c.tgt_vocab_size = c.src_vocab_size;
    }
    Rng rng(42);
    auto model = build_model(c, rng);
    testing::expect_step_matches_forward(*model, kSources, kTargets);
  }
}

// Beam search reorders rows: stepping on after select() gives what the
// reordered rows would have given (rows may repeat, sentences share memory).
TEST(ConvS2S, SelectReordersTheWindows) {
  Rng rng(7);
  auto model = build_model(tiny(5, 2, 2), rng);
  autograd::Graph g(false);
  auto state = model->encode(g, testing::make_batch(kSources));
  auto step = [&](models::DecoderState& s, std::vector<std::int32_t> prev) {
    Tensor p = Tensor::from_ids(prev, Shape{static_cast<std::int64_t>(prev.size())});
    StepOutput o = model->step(g, s, p);
    return o.logits.clone();
  };
  step(*state, {1, 1, 1});
  step(*state, {6, 4, 8});
  state->select(Tensor::from_ids({2, 0, 2}, Shape{3}));
  Tensor after = step(*state, {10, 5, 6});
  // The same histories from scratch: sentence 2 twice, sentence 0 once.
  auto fresh = model->encode(g, testing::make_batch({kSources[2], kSources[0], kSources[2]}));
  step(*fresh, {1, 1, 1});
  step(*fresh, {8, 6, 8});
  Tensor want = step(*fresh, {10, 5, 6});
  EXPECT_LT(testing::max_abs_diff(after, want), 1e-6f);
}

TEST(ConvS2S, AlignmentsAreDistributionsOverTheRealSource) {
  Rng rng(3);
  auto model = build_model(tiny(), rng);
  autograd::Graph g(false);
  auto state = model->encode(g, testing::make_batch(kSources));
  StepOutput o = model->step(g, *state, Tensor::from_ids({1, 1, 1}, Shape{3}));
  ASSERT_EQ(o.attention.shape(), Shape({3, 7}));
  for (std::int64_t b = 0; b < 3; ++b) {
    double total = 0;
    for (std::int64_t s = 0; s < 7; ++s) {
      const float a = o.attention.f32()[b * 7 + s];
      if (s >= static_cast<std::int64_t>(kSources[static_cast<std::size_t>(b)].size())) {
        EXPECT_EQ(a, 0.0f);
      }
      total += a;
    }
    EXPECT_NEAR(total, 1.0, 1e-5);
  }
}

}  // namespace
}  // namespace s2s::models
