#include "s2s/train/lr_schedule.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "s2s/core/error.h"

namespace s2s::train {

namespace {

void check_lr(double lr, const char* who) {
  S2S_CHECK(std::isfinite(lr) && lr >= 0.0, who, ": expected a learning rate >= 0, got ", lr);
}

}  // namespace

bool LrSchedule::report(double /*metric*/) {
  ++state_.reports;
  return false;
}

void LrSchedule::load_state(const LrScheduleState& s) {
  S2S_CHECK(s.step >= 0 && s.reports >= 0, "lr schedule: step and report counts must be >= 0, got ", s.step, " and ",
            s.reports);
  S2S_CHECK(s.num_bad >= 0 && s.cooldown_counter >= 0, "lr schedule: plateau counters must be >= 0, got ", s.num_bad,
            " and ", s.cooldown_counter);
  S2S_CHECK(std::isfinite(s.lr) && s.lr >= 0.0, "lr schedule: saved learning rate must be >= 0, got ", s.lr);
  S2S_CHECK(!std::isnan(s.best), "lr schedule: saved best metric is NaN");
  state_ = s;
}

ConstantLr::ConstantLr(double lr) : lr_(lr) { check_lr(lr, "constant lr"); }

StepDecayLr::StepDecayLr(double lr, std::int64_t step_size, double gamma)
    : lr_(lr), step_size_(step_size), gamma_(gamma) {
  check_lr(lr, "step lr");
  S2S_CHECK(step_size >= 1, "step lr: expected step_size >= 1, got ", step_size);
  S2S_CHECK(std::isfinite(gamma) && gamma >= 0.0, "step lr: expected gamma >= 0, got ", gamma);
}

double StepDecayLr::lr() const {
  return lr_ * std::pow(gamma_, static_cast<double>(state_.step / step_size_));
}

InverseSqrtLr::InverseSqrtLr(double lr, std::int64_t warmup, double warmup_init_lr)
    : lr_(lr), warmup_(warmup), warmup_init_lr_(warmup_init_lr) {
  check_lr(lr, "inverse_sqrt lr");
  check_lr(warmup_init_lr, "inverse_sqrt warmup_init_lr");
  S2S_CHECK(warmup >= 1, "inverse_sqrt lr: expected warmup >= 1 update, got ", warmup);
}

double InverseSqrtLr::lr() const {
  const double t = static_cast<double>(state_.step + 1), w = static_cast<double>(warmup_);
  if (t <= w) return warmup_init_lr_ + (lr_ - warmup_init_lr_) * (t / w);
  return lr_ * std::sqrt(w / t);
}

NoamLr::NoamLr(double factor, std::int64_t model_dim, std::int64_t warmup)
    : factor_(factor), model_dim_(model_dim), warmup_(warmup) {
  check_lr(factor, "noam lr (the factor)");
  S2S_CHECK(model_dim >= 1, "noam lr: expected model_dim >= 1 (schedule.model_dim: the model width d_model), got ",
            model_dim);
  S2S_CHECK(warmup >= 1, "noam lr: expected warmup >= 1 update, got ", warmup);
}

double NoamLr::lr() const {
  // OpenNMT-py's noam_decay, in the same order of operations.
  const double t = static_cast<double>(state_.step + 1), w = static_cast<double>(warmup_);
  return factor_ * (std::pow(static_cast<double>(model_dim_), -0.5) * std::min(std::pow(t, -0.5), t * std::pow(w, -1.5)));
}

PlateauLr::PlateauLr(const PlateauOptions& options) : options_(options) {
  check_lr(options.lr, "plateau lr");
  S2S_CHECK(options.factor >= 0.0 && options.factor < 1.0, "plateau lr: expected 0 <= factor < 1, got ",
            options.factor);
  S2S_CHECK(options.patience >= 0, "plateau lr: expected patience >= 0, got ", options.patience);
  S2S_CHECK(options.cooldown >= 0, "plateau lr: expected cooldown >= 0, got ", options.cooldown);
  S2S_CHECK(std::isfinite(options.threshold) && options.threshold >= 0.0, "plateau lr: expected threshold >= 0, got ",
            options.threshold);
  S2S_CHECK(std::isfinite(options.min_lr) && options.min_lr >= 0.0, "plateau lr: expected min_lr >= 0, got ",
            options.min_lr);
  S2S_CHECK(options.eps >= 0.0, "plateau lr: expected eps >= 0, got ", options.eps);
  state_.lr = options.lr;
  const double inf = std::numeric_limits<double>::infinity();
  state_.best = options.maximize ? -inf : inf;  // PyTorch's "mode_worse"
}

bool PlateauLr::is_better(double metric) const {
  const double best = state_.best, th = options_.threshold;
  if (options_.maximize) return options_.threshold_relative ? metric > best * (th + 1.0) : metric > best + th;
  return options_.threshold_relative ? metric < best * (1.0 - th) : metric < best - th;
}

bool PlateauLr::report(double metric) {
  // ReduceLROnPlateau.step(metrics), line for line.
  ++state_.reports;
  if (is_better(metric)) {
    state_.best = metric;
    state_.num_bad = 0;
  } else {
    ++state_.num_bad;
  }
  if (state_.cooldown_counter > 0) {
    --state_.cooldown_counter;
    state_.num_bad = 0;  // bad reports during cooldown are ignored
  }
  if (state_.num_bad <= options_.patience) return false;
  state_.cooldown_counter = options_.cooldown;
  state_.num_bad = 0;
  const double old_lr = state_.lr, new_lr = std::max(old_lr * options_.factor, options_.min_lr);
  if (old_lr - new_lr <= options_.eps) return false;
  state_.lr = new_lr;
  return true;
}

std::unique_ptr<LrSchedule> make_lr_schedule(const LrScheduleConfig& c) {
  if (c.kind == "constant") return std::make_unique<ConstantLr>(c.lr);
  if (c.kind == "step") return std::make_unique<StepDecayLr>(c.lr, c.step_size, c.gamma);
  if (c.kind == "inverse_sqrt") return std::make_unique<InverseSqrtLr>(c.lr, c.warmup, c.warmup_init_lr);
  if (c.kind == "noam") return std::make_unique<NoamLr>(c.lr, c.model_dim, c.warmup);
  if (c.kind == "plateau") {
    PlateauOptions o = c.plateau;
    o.lr = c.lr;
    return std::make_unique<PlateauLr>(o);
  }
  fail("lr schedule: unknown kind '", c.kind, "' (expected constant, step, inverse_sqrt, noam or plateau)");
}

}  // namespace s2s::train
