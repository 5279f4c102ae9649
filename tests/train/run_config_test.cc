// Run configuration: defaults, YAML + command line (the command line wins),
// errors that name file:line, the effective configuration, the presets.
#include "support/error_of.h"
#include "s2s/train/run_config.h"

#include <gtest/gtest.h>

#include <set>

#include <filesystem>

#include "s2s/app/training_run.h"
#include "s2s/io/yaml_config.h"

namespace s2s::train {
namespace {

using s2s::testing::error_of;

RunConfig from_yaml(const std::string& yaml, const FlatOptions& command_line = {}) {
  return app::assemble_run_config(io::parse_yaml_config(yaml, "run.yaml"), command_line);
}

TEST(RunConfig, EffectiveConfigRoundTrips) {
  RunConfig c = from_yaml("optim:\n  lr: 0.25\nmodel:\n  cell: lstm\ntrain:\n  steps: 7\n");
  FlatOptions flat = run_config_to_map(c);
  EXPECT_EQ(flat.at("optim.lr"), "0.25");
  EXPECT_EQ(flat.at("model.rnn.cell"), "lstm");
  EXPECT_EQ(flat.at("train.steps"), "7");
  EXPECT_EQ(flat.at("data.src_tokenizer"), "char");  // defaults are spelled out too
  // Written as YAML and read back, it is the same configuration.
  RunConfig again = from_yaml(io::to_yaml(flat));
  EXPECT_EQ(run_config_to_map(again), flat);
  // Every option has help text, and every help entry is an option or a shorthand.
  FlatOptions help = run_config_help();
  for (const auto& [k, v] : flat) EXPECT_TRUE(help.count(k)) << k;
  // Beyond the options of an rnn run: the shorthands and the other families' options.
  const std::set<std::string> shorthands{"data.tokenizer", "data.vocab_size", "data.max_len", "model.embedding_size",
                                         "model.rnn.layers"};
  for (const auto& [k, v] : help)
    EXPECT_TRUE(flat.count(k) || shorthands.count(k) || k.starts_with("model.transformer.") || k.starts_with("model.convs2s."))
        << k;
  EXPECT_EQ(help.size(), flat.size() + shorthands.size() + models::transformer_option_help().size() +
                             models::convs2s_option_help().size());
}

TEST(RunConfig, CommandLineWinsOverTheFile) {
  RunConfig c = from_yaml("optim:\n  lr: 0.1\ntrain:\n  steps: 5\n  seed: 3\n", {{"optim.lr", "0.5"}, {"train.seed", "9"}});
  EXPECT_EQ(c.optim.lr, 0.5);
  EXPECT_EQ(c.train.seed, 9u);
  EXPECT_EQ(c.train.steps, 5);
  // A bad command-line value is reported without a file position.
  EXPECT_EQ(error_of([] { from_yaml("optim:\n  lr: 0.1\n", {{"optim.lr", "x"}}); }), "optim.lr: expected a number, got 'x'");
}

TEST(RunConfig, ErrorsNameFileAndLine) {
  EXPECT_EQ(error_of([] { from_yaml("train:\n  steps: 1\noptim:\n  lr: fast\n"); }),
            "run.yaml:4: optim.lr: expected a number, got 'fast'");
  EXPECT_EQ(error_of([] { from_yaml("model:\n  attention: luong\n"); }),
            "run.yaml:2: model.rnn.attention: expected one of none|dot|general|bahdanau|local-p, got 'luong'");
  std::string unknown = error_of([] { from_yaml("train:\n  stepz: 3\n"); });
  EXPECT_EQ(unknown.rfind("run.yaml:2: train.stepz: unknown option (known: steps, epochs,", 0), 0u) << unknown;
  EXPECT_EQ(error_of([] { from_yaml("trian:\n  steps: 3\n"); }),
            "run.yaml:2: trian.steps: unknown section 'trian' (expected data, model, optim, schedule or train)");
  EXPECT_EQ(error_of([] { from_yaml("seed: 3\n"); }),
            "run.yaml:1: seed: unknown option (options are section.key with section data, model, optim, schedule or train)");
  EXPECT_EQ(error_of([] { from_yaml("train:\n  steps: -1\n"); }), "train.steps/train.epochs: expected >= 0");
  EXPECT_EQ(error_of([] { from_yaml("train:\n  seed: -1\n"); }), "run.yaml:2: train.seed: expected a non-negative integer, got '-1'");
  EXPECT_EQ(error_of([] { from_yaml("data:\n  batch_tokens: 0\n"); }),
            "data.batch_tokens and data.batch_sentences are both 0: set at least one");
  EXPECT_EQ(error_of([] { from_yaml("optim:\n  optimizer: adamax\n"); }),
            "optim.optimizer: expected one of sgd|adam|adamw|rmsprop|adagrad, got 'adamax'");
  EXPECT_EQ(error_of([] { from_yaml("data:\n  shuffle: maybe\n"); }), "run.yaml:2: data.shuffle: expected true or false, got 'maybe'");
}

TEST(RunConfig, ShorthandsSetBothSidesAndSpecificKeysWin) {
  RunConfig c = from_yaml("data:\n  tgt_tokenizer: word\n  tokenizer: char\n  max_len: 30\nmodel:\n  layers: 3\n  decoder_layers: 1\n");
  EXPECT_EQ(c.data.src_tokenizer, "char");
  EXPECT_EQ(c.data.tgt_tokenizer, "word");
  EXPECT_EQ(c.data.max_src_len, 30);
  EXPECT_EQ(c.data.max_tgt_len, 30);
  EXPECT_EQ(c.model.rnn.encoder_layers, 3);
  EXPECT_EQ(c.model.rnn.decoder_layers, 1);
  RunConfig t = from_yaml(
      "model:\n  type: transformer\n  embedding_size: 512\n  transformer:\n    decoder_layers: 2\n    layers: 4\n");
  EXPECT_EQ(t.model.transformer.encoder_layers, 4);
  EXPECT_EQ(t.model.transformer.decoder_layers, 2);
  EXPECT_EQ(error_of([] { validate_run_config(from_yaml("model:\n  share_embeddings: true\n")); }),
            "model.share_embeddings: needs data.shared_vocab (one vocabulary for both sides)");
}

TEST(RunConfig, ScheduleConfigFollowsTheValidationMetric) {
  RunConfig c = from_yaml("optim:\n  lr: 0.5\nschedule:\n  kind: plateau\n  factor: 0.25\ntrain:\n  valid_metric: accuracy\n");
  LrScheduleConfig s = schedule_config(c);
  EXPECT_EQ(s.kind, "plateau");
  EXPECT_EQ(s.plateau.lr, 0.5);
  EXPECT_EQ(s.plateau.factor, 0.25);
  EXPECT_TRUE(s.plateau.maximize);
}

TEST(RunConfig, WarmupSchedulesAndAccumulationOptions) {
  RunConfig c = from_yaml("optim:\n  lr: 2\nschedule:\n  kind: noam\n  warmup: 8000\n  model_dim: 512\n"
                          "train:\n  accum_steps: 4\n");
  LrScheduleConfig s = schedule_config(c);
  EXPECT_EQ(s.kind, "noam");
  EXPECT_EQ(s.lr, 2.0);
  EXPECT_EQ(s.model_dim, 512);
  EXPECT_EQ(s.warmup, 8000);
  EXPECT_EQ(c.train.accum_steps, 4);
  EXPECT_EQ(schedule_config(from_yaml("schedule:\n  kind: inverse_sqrt\n  warmup_init_lr: 1e-7\n")).warmup_init_lr, 1e-7);
  EXPECT_EQ(from_yaml("").train.accum_steps, 1);
  EXPECT_EQ(error_of([] { from_yaml("schedule:\n  kind: noam\n"); }),
            "schedule.model_dim: the noam schedule needs the model width d_model (e.g. 512), got 0");
  EXPECT_EQ(error_of([] { from_yaml("train:\n  accum_steps: 0\n"); }),
            "train.accum_steps: expected >= 1 (batches per update), got 0");
  EXPECT_EQ(error_of([] { from_yaml("schedule:\n  warmup_init_lr: -1\n"); }), "schedule.warmup_init_lr: expected >= 0, got -1");
}

// Each preset parses, builds a valid model, and says what its comment says.
TEST(RunConfig, PresetsDescribeTheirSystems) {
  auto load = [](const std::string& name) {
    std::string path = std::string(S2S_SOURCE_DIR) + "/examples/configs/" + name;
    RunConfig c = app::assemble_run_config(io::read_yaml_config(path), {});
    c.model.src_vocab_size = c.model.tgt_vocab_size = 100;
    models::validate(c.model);
    return c;
  };
  RunConfig b = load("bahdanau.yaml");  // ../shared/bench/peer_torch_seq2seq.py defaults
  EXPECT_EQ(b.model.rnn.cell, models::CellKind::Gru);
  EXPECT_TRUE(b.model.rnn.bidirectional);
  EXPECT_EQ(b.model.rnn.attention, models::AttentionKind::Bahdanau);
  EXPECT_EQ(b.model.rnn.readout, models::ReadoutKind::Deep);
  EXPECT_EQ(b.model.rnn.bridge, models::BridgeKind::Learned);
  EXPECT_TRUE(b.model.rnn.input_feed);
  EXPECT_EQ(b.model.rnn.hidden_size, 256);
  EXPECT_EQ(b.model.src_embedding_size, 256);
  EXPECT_EQ(b.optim.optimizer, "adam");
  EXPECT_EQ(b.optim.lr, 1e-3);
  EXPECT_EQ(b.optim.clip_norm, 1.0);
  EXPECT_EQ(b.data.batch_sentences, 64);

  RunConfig l = load("luong.yaml");
  EXPECT_EQ(l.model.rnn.cell, models::CellKind::Lstm);
  EXPECT_EQ(l.model.rnn.encoder_layers, 2);
  EXPECT_EQ(l.model.rnn.attention, models::AttentionKind::General);
  EXPECT_TRUE(l.model.rnn.input_feed);
  EXPECT_EQ(l.model.rnn.readout, models::ReadoutKind::Tanh);

  RunConfig k = load("keras-lstm.yaml");
  EXPECT_EQ(k.model.rnn.cell, models::CellKind::Lstm);
  EXPECT_EQ(k.model.rnn.attention, models::AttentionKind::None);
  EXPECT_EQ(k.model.src_embedding_size, 256);
  EXPECT_EQ(k.model.rnn.hidden_size, 512);
  EXPECT_EQ(k.optim.optimizer, "rmsprop");

  RunConfig p = load("pytorch-gru.yaml");
  EXPECT_EQ(p.model.rnn.cell, models::CellKind::Gru);
  EXPECT_EQ(p.model.rnn.hidden_size, p.model.tgt_embedding_size);
  EXPECT_TRUE(p.model.rnn.decoder_embedding_relu);
  EXPECT_EQ(p.model.rnn.attention, models::AttentionKind::None);
  EXPECT_EQ(p.optim.optimizer, "sgd");
  EXPECT_EQ(p.train.teacher_forcing, 0.5);

  RunConfig pa = load("pytorch-gru-attention.yaml");
  EXPECT_EQ(pa.model.rnn.attention, models::AttentionKind::Bahdanau);
  EXPECT_EQ(pa.optim.optimizer, "sgd");

  RunConfig t = load("transformer-base.yaml");  // Vaswani et al. (2017), base
  EXPECT_EQ(t.model.type, "transformer");
  EXPECT_EQ(t.model.transformer.encoder_layers, 6);
  EXPECT_EQ(t.model.transformer.decoder_layers, 6);
  EXPECT_EQ(t.model.transformer.d_model, 512);
  EXPECT_EQ(t.model.transformer.d_model, t.model.src_embedding_size);
  EXPECT_EQ(t.model.transformer.heads, 8);
  EXPECT_EQ(t.model.transformer.ffn_size, 2048);
  EXPECT_EQ(t.model.transformer.norm, models::NormPosition::Post);
  EXPECT_EQ(t.model.dropout, 0.1f);
  EXPECT_TRUE(t.model.tie_target_embeddings);
  EXPECT_EQ(t.optim.beta1, 0.9);
  EXPECT_EQ(t.optim.beta2, 0.98);
  EXPECT_EQ(t.optim.eps, 1e-9);
  EXPECT_EQ(t.train.label_smoothing, 0.1);
  LrScheduleConfig ts = schedule_config(t);
  EXPECT_EQ(ts.kind, "noam");
  EXPECT_EQ(ts.warmup, 4000);
  EXPECT_EQ(ts.model_dim, 512);
  EXPECT_EQ(ts.lr, 1.0);  // the paper's rate: a peak of 512^-0.5 * 4000^-0.5
  EXPECT_EQ(t.train.accum_steps, 6);  // about 25k tokens per update, as the paper's batches

  RunConfig s = load("transformer-small.yaml");  // a 2-core machine; the demo data
  EXPECT_EQ(s.model.type, "transformer");
  EXPECT_EQ(s.model.transformer.encoder_layers, 3);
  EXPECT_EQ(s.model.transformer.decoder_layers, 3);
  EXPECT_EQ(s.model.transformer.d_model, 256);
  EXPECT_EQ(s.model.src_embedding_size, 256);
  EXPECT_EQ(s.model.transformer.heads, 4);
  EXPECT_EQ(s.model.transformer.ffn_size, 1024);
  EXPECT_EQ(s.data.src_tokenizer, "word");
  EXPECT_EQ(s.data.tgt_tokenizer, "word");
  EXPECT_EQ(s.optim.beta2, 0.98);
  EXPECT_EQ(s.train.label_smoothing, 0.1);
  EXPECT_EQ(schedule_config(s).kind, "inverse_sqrt");

  // Presets describe systems, not where a run's files are.
  for (const RunConfig* c : {&b, &l, &k, &p, &pa, &t, &s}) {
    EXPECT_EQ(c->data.train, "");
    EXPECT_EQ(c->data.dev, "");
    EXPECT_EQ(c->train.save_dir, "");
  }

  int presets = 0;
  for (const auto& e : std::filesystem::directory_iterator(std::string(S2S_SOURCE_DIR) + "/examples/configs"))
    presets += e.path().extension() == ".yaml";
  EXPECT_EQ(presets, 7);
}

}  // namespace
}  // namespace s2s::train
