#pragma once
// Learning-rate schedules. A schedule says the learning rate for the next
// update; the trainer counts finished updates with step() and feeds
// validation metrics with report():
//
//   optimizer.set_lr(schedule.lr());
//   optimizer.step();
//   schedule.step();
//   ...after validation: schedule.report(valid_loss);
//
// All of a schedule's mutable state is LrScheduleState, a few numbers that a
// checkpoint stores and load_state() restores exactly (doubles must be saved
// with all 17 significant digits or as raw bits).
#include <cstdint>
#include <memory>
#include <string>

namespace s2s::train {

struct LrScheduleState {
  std::int64_t step = 0;      // updates finished
  std::int64_t reports = 0;   // validation metrics seen
  // Plateau only (the other schedules leave them at their defaults):
  double lr = 0.0;            // the current, possibly reduced, learning rate
  double best = 0.0;          // best metric so far (+-inf before the first report)
  std::int64_t num_bad = 0;   // reports since the last improvement
  std::int64_t cooldown_counter = 0;  // reports left in which bad ones are ignored
};

class LrSchedule {
 public:
  virtual ~LrSchedule() = default;

  // The learning rate for update number state().step + 1.
  virtual double lr() const = 0;
  // Counts one finished update.
  void step() { ++state_.step; }
  // Feeds one validation metric; returns true when it lowered the learning rate.
  virtual bool report(double metric);

  const LrScheduleState& state() const { return state_; }
  // Checks the numbers are in range, then restores them.
  void load_state(const LrScheduleState& state);

 protected:
  LrScheduleState state_;
};

// The same learning rate for every update.
class ConstantLr : public LrSchedule {
 public:
  explicit ConstantLr(double lr);
  double lr() const override { return lr_; }

 private:
  double lr_;
};

// lr * gamma^floor((t-1) / step_size) for update t = 1, 2, ...: the first
// step_size updates use lr, then every step_size updates multiply it by gamma
// (PyTorch's StepLR counted in updates).
class StepDecayLr : public LrSchedule {
 public:
  StepDecayLr(double lr, std::int64_t step_size, double gamma = 0.1);
  double lr() const override;

 private:
  double lr_;
  std::int64_t step_size_;
  double gamma_;
};

// Linear warmup then inverse square root decay, as fairseq's inverse_sqrt and
// Marian's --lr-warmup/--lr-decay-inv-sqrt: for update t = 1, 2, ...
//   warmup_init_lr + (lr - warmup_init_lr) * t / warmup   while t <= warmup,
//   lr * sqrt(warmup / t)                                  after,
// which rises linearly to lr at t = warmup and falls as 1/sqrt(t) after.
// fairseq computes an update's rate from the updates finished before it
// (t - 1), so its first update runs at warmup_init_lr; here update t gets
// fairseq's rate of update t + 1 (docs/optimizers.md).
class InverseSqrtLr : public LrSchedule {
 public:
  InverseSqrtLr(double lr, std::int64_t warmup, double warmup_init_lr = 0.0);
  double lr() const override;

 private:
  double lr_;
  std::int64_t warmup_;
  double warmup_init_lr_;
};

// OpenNMT-py's "noam" decay (Vaswani et al. 2017, section 5.3): for update
// t = 1, 2, ...
//   factor * model_dim^-0.5 * min(t^-0.5, t * warmup^-1.5),
// a linear rise to factor * (model_dim * warmup)^-0.5 at t = warmup, then
// 1/sqrt(t). factor is OpenNMT-py's learning_rate (2 in its Transformer
// recipe), model_dim its model_dim / the Transformer's d_model.
class NoamLr : public LrSchedule {
 public:
  NoamLr(double factor, std::int64_t model_dim, std::int64_t warmup);
  double lr() const override;

 private:
  double factor_;
  std::int64_t model_dim_;
  std::int64_t warmup_;
};

// PyTorch's ReduceLROnPlateau, fed validation metrics: after more than
// `patience` reports without an improvement (beyond `threshold`), the
// learning rate becomes max(lr * factor, min_lr), then `cooldown` reports
// pass in which no bad ones are counted. Reductions smaller than `eps` are skipped.
struct PlateauOptions {
  double lr = 1e-3;  // starting learning rate
  bool maximize = false;  // mode "max": higher metric is better (BLEU); default "min" (loss)
  double factor = 0.1;
  std::int64_t patience = 10;
  double threshold = 1e-4;
  bool threshold_relative = true;  // "rel": compare with best*(1 -+ threshold); "abs": best -+ threshold
  std::int64_t cooldown = 0;
  double min_lr = 0.0;
  double eps = 1e-8;
};

class PlateauLr : public LrSchedule {
 public:
  explicit PlateauLr(const PlateauOptions& options = {});
  double lr() const override { return state_.lr; }
  bool report(double metric) override;
  const PlateauOptions& options() const { return options_; }

 private:
  bool is_better(double metric) const;

  PlateauOptions options_;
};

// A schedule by name, for configs and the command line.
struct LrScheduleConfig {
  std::string kind = "constant";  // constant | step | inverse_sqrt | noam | plateau
  double lr = 1e-3;               // noam: the factor
  std::int64_t step_size = 1;     // step
  double gamma = 0.1;             // step
  std::int64_t warmup = 4000;     // inverse_sqrt, noam
  double warmup_init_lr = 0.0;    // inverse_sqrt
  std::int64_t model_dim = 0;     // noam
  PlateauOptions plateau;         // plateau (its lr is replaced by `lr`)
};
std::unique_ptr<LrSchedule> make_lr_schedule(const LrScheduleConfig& config);

}  // namespace s2s::train
