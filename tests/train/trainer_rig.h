#pragma once
// A Trainer on the reverse task with everything it needs, for tests of the
// trainer loop and its hooks.
#include <memory>
#include <optional>

#include "s2s/data/batcher.h"
#include "s2s/train/make_optimizer.h"
#include "s2s/train/trainer.h"
#include "train/tiny_run.h"

namespace s2s::testing {

struct TrainerRigData {
  int train_pairs = 100;
  int dev_pairs = 20;
  std::optional<std::uint64_t> batch_seed;  // unset: BatchOptions' default
};

struct TrainerRig {
  train::RunConfig config;
  std::unique_ptr<models::EncoderDecoder> model;
  std::unique_ptr<train::Optimizer> optimizer;
  std::unique_ptr<train::LrSchedule> schedule;
  std::unique_ptr<data::Batcher> batcher;
  std::unique_ptr<train::Trainer> trainer;

  // options: the run's flat options (defaults merged with the test's overrides).
  TrainerRig(const train::FlatOptions& options, train::TrainerHooks hooks, const TrainerRigData& d) {
    config = train::run_config_from_map(options);
    config.model.src_vocab_size = config.model.tgt_vocab_size = 12;
    Rng init(train::derive_seed(config.train.seed, train::kSeedModelInit));
    model = models::build_model(config.model, init);
    optimizer = train::make_optimizer(config.optim, model->parameters());
    schedule = train::make_lr_schedule(train::schedule_config(config));
    data::BatchOptions b;
    b.batch_sentences = 16;
    if (d.batch_seed) b.seed = *d.batch_seed;
    batcher = std::make_unique<data::Batcher>(reverse_dataset(d.train_pairs, 11), b);
    auto dev = batches_of(*reverse_dataset(d.dev_pairs, 12), 16);
    trainer = std::make_unique<train::Trainer>(*model, *optimizer, *schedule, *batcher, std::move(dev), config, nullptr, hooks);
  }
};

// defaults with overrides applied on top.
inline train::FlatOptions merged(train::FlatOptions defaults, const train::FlatOptions& overrides) {
  for (const auto& [k, v] : overrides) defaults[k] = v;
  return defaults;
}

}  // namespace s2s::testing
