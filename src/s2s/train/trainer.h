#pragma once
// The training loop: batches -> model.forward -> token cross-entropy (padding
// ignored, optional label smoothing) -> backward (train.accum_steps batches'
// gradients summed, the loss normalised over all their target tokens; with N
// processes, each takes its share of N times as many batches and the ranks'
// sums are added in rank order, train/gradient_exchange.h) ->
// gradient clipping -> optimizer step -> LR schedule; validation every N updates (loss,
// perplexity, token accuracy), early stopping with patience, best-model and
// checkpoint hooks, and the console/JSON log.
//
// Everything that decides the next update lives in the model, the optimizer,
// the schedule and TrainerState (RNG, data position, counters, best metrics),
// so a run restored from a checkpoint of those continues bit for bit.
// Writing files is left to the hooks (io/checkpoint.h provides them).
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "s2s/autograd/graph.h"
#include "s2s/core/rng.h"
#include "s2s/data/batch.h"
#include "s2s/data/batcher.h"
#include "s2s/models/encoder_decoder.h"
#include "s2s/train/communicator.h"
#include "s2s/train/gradient_exchange.h"
#include "s2s/train/lr_schedule.h"
#include "s2s/train/optimizer.h"
#include "s2s/train/run_config.h"
#include "s2s/train/train_log.h"

namespace s2s::train {

struct TrainerState {
  std::int64_t step = 0;              // updates done (each of train.accum_steps batches)
  std::int64_t skipped_updates = 0;   // updates whose gradient was not finite (none applied)
  std::uint64_t target_tokens = 0;    // consumed so far
  std::uint64_t sentences = 0;
  std::int64_t processes = 1;         // of the data-parallel run that made the updates
  double elapsed_s = 0;               // training time of all earlier segments of this run
  RngState rng;                       // dropout and scheduled sampling
  data::BatcherState data;
  // Regular validations (they drive patience and the plateau schedule).
  double best_metric = std::numeric_limits<double>::quiet_NaN();
  std::int64_t best_step = 0;
  std::int64_t bad_checks = 0;
  std::int64_t last_valid_step = -1;
  // What the saved best model scored (end-of-run validations count too).
  double saved_metric = std::numeric_limits<double>::quiet_NaN();
  std::int64_t saved_step = 0;
};

struct ValidationResult {
  double loss = 0;      // mean token cross-entropy, no label smoothing
  double ppl = 0;
  double accuracy = 0;  // argmax == reference, teacher-forced
  std::int64_t tokens = 0;
  std::int64_t sentences = 0;
  // Decoding metrics from TrainerHooks::decode_metrics ("bleu", 25.4), in its order.
  std::vector<std::pair<std::string, double>> decoded;
};

enum class StopReason { Steps, Epochs, Time, EarlyStopping, Interrupted };
const char* stop_reason_name(StopReason r);

struct TrainResult {
  StopReason reason = StopReason::Steps;
  std::int64_t step = 0;
  std::int64_t epoch = 0;                 // epochs completed
  double elapsed_s = 0;                   // training time, earlier resumed segments included
  bool validated = false;                 // last_validation is set
  ValidationResult last_validation;
  double best_metric = std::numeric_limits<double>::quiet_NaN();
  std::int64_t best_step = 0;
};

class Trainer;
struct TrainerHooks {
  // Periodic and final checkpoints (final = true at the end of run()).
  std::function<void(const Trainer&, bool final)> checkpoint;
  // A new best model on the dev set, or the final model when there is no dev set.
  std::function<void(const Trainer&)> save_model;
  // Scores of the dev set decoded by the current model, named as
  // train.valid_metrics names them; called at every validation when set.
  // It must not touch the trainer's RNG or the model's parameters.
  std::function<std::vector<std::pair<std::string, double>>(const Trainer&)> decode_metrics;
  // Polled after every update (e.g. set by SIGINT): stop, checkpoint, return.
  // With several processes, polled during the update and agreed by all.
  std::function<bool()> interrupted;
};

class Trainer {
 public:
  // dev: batches for validation (may be empty: then no validation). All
  // references must outlive the Trainer. processes: the ranks of a
  // data-parallel run (nullptr: this process alone). Every rank builds the
  // same trainer from the same data and config; rank 0 validates and shares
  // the result, and only its hooks should write files.
  Trainer(models::EncoderDecoder& model, Optimizer& optimizer, LrSchedule& schedule, data::Batcher& train_data,
          std::vector<data::Batch> dev, const RunConfig& config, TrainLog* log, TrainerHooks hooks = {},
          Communicator* processes = nullptr);

  // Trains until a limit of the config (steps, epochs, time, patience) or an
  // interruption; restores nothing by itself (see restore()).
  TrainResult run();

  // One update from `batches` (in run(), train.accum_steps of them per
  // process; fewer at the end of an epoch): their gradients are summed in
  // order, with the loss normalised over all their target tokens, so the
  // update is that of one batch holding them all. Returns that mean token
  // loss. With N processes every rank passes the same batches and computes
  // its contiguous share of them (rank r the r-th with one batch each); the
  // first batch draws its dropout from the trainer's RNG, batch k > 0 from
  // one derived from (that RNG's state, step, k), so the update does not
  // depend on which process computed what: N processes give the bits of one
  // with N times the batches, when each has one batch.
  double train_update(std::span<const data::Batch> batches);
  // The last update's coverage loss per target token (unweighted; its share
  // of the training loss is train.coverage_weight times it), or -1 for a
  // model without coverage.
  double last_coverage_loss() const { return last_coverage_loss_; }
  // One update on one batch.
  double train_step(const data::Batch& batch) { return train_update({&batch, 1}); }
  ValidationResult validate();

  const TrainerState& state() const { return state_; }
  // Continues from a checkpoint's state: RNG, data position, counters.
  // (Parameters, optimizer and schedule are restored by their owners.)
  void restore(const TrainerState& state);

  models::EncoderDecoder& model() const { return model_; }
  Optimizer& optimizer() const { return optimizer_; }
  LrSchedule& schedule() const { return schedule_; }
  const RunConfig& config() const { return config_; }
  // train.accum_steps batches for each process.
  std::int64_t batches_per_update() const { return config_.train.accum_steps * comm_->size(); }
  std::int64_t epoch() const { return static_cast<std::int64_t>(batcher_.state().epoch); }

 private:
  bool better(double metric, double than) const;
  double metric_of(const ValidationResult& v) const;
  void on_validation(bool regular);
  void on_epoch_end();
  double eta(double now_s, double step_s) const;
  ValidationResult shared_validation();
  void hold_gradients();
  void add_held_gradients();

  models::EncoderDecoder& model_;
  Optimizer& optimizer_;
  LrSchedule& schedule_;
  data::Batcher& batcher_;
  std::vector<data::Batch> dev_;
  RunConfig config_;
  TrainLog* log_;
  TrainerHooks hooks_;
  std::vector<autograd::Parameter*> params_;
  autograd::Graph graph_;
  Rng rng_;
  TrainerState state_;
  // This segment's timing and the report interval's sums (not checkpointed: they only feed the log).
  double start_s_ = 0;
  std::int64_t batches_per_epoch_ = 0;
  std::uint64_t last_batch_pos_ = 0;
  double interval_start_s_ = 0, interval_loss_ = 0, interval_gnorm_ = 0, interval_comm_s_ = 0, interval_coverage_ = 0;
  std::int64_t interval_steps_ = 0, interval_tokens_ = 0, interval_sentences_ = 0;
  std::vector<data::Batch> pending_;  // the batches of the next update (reused)
  Communicator* comm_;
  std::unique_ptr<GradientExchange> exchange_;  // with several processes
  std::vector<Tensor> held_;          // the update's gradient so far while the next batch's backward runs
  bool stop_requested_ = false;       // the interrupted hook, as agreed at the last update
  double base_elapsed_s_ = 0;         // state_.elapsed_s when run() began
  Tensor seed_;                       // backward's seed: 1 / target tokens of the update
  double last_lr_ = 0;
  double last_coverage_loss_ = -1;
  bool stop_early_ = false;
  ValidationResult last_valid_;
  bool validated_ = false;
};

// Fails (naming `what`, e.g. a checkpoint) unless a state saved by a run of
// `saved` processes may continue in one of `running`.
void check_process_count(std::int64_t saved, std::int64_t running, const std::string& what);

// Derives independent RNG seeds from the run seed for each consumer.
std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream);
inline constexpr std::uint64_t kSeedModelInit = 1, kSeedData = 2, kSeedTrainer = 3;

}  // namespace s2s::train
