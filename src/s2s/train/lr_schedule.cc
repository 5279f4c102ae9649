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

InverseSqrtLr::InverseSqrtLr(double lr, std::int64_t warmup) : lr_(lr), warmup_(warmup) {
  check_lr(lr, "inverse_sqrt lr");
  S2S_CHECK(warmup >= 1, "inverse_sqrt lr: expected warmup >= 1 update, got ", warmup);
}

double InverseSqrtLr::lr() const {
  const double t = static_cast<double>(state_.step + 1), w = static_cast<double>(warmup_);
  return lr_ * std::min(t / w, std::sqrt(w / t));
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
  if (c.kind == "inverse_sqrt") return std::make_unique<InverseSqrtLr>(c.lr, c.warmup);
  if (c.kind == "plateau") {
    PlateauOptions o = c.plateau;
    o.lr = c.lr;
    return std::make_unique<PlateauLr>(o);
  }
  fail("lr schedule: unknown kind '", c.kind, "' (expected constant, step, inverse_sqrt or plateau)");
}

}  // namespace s2s::train
