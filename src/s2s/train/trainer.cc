#include "s2s/train/trainer.h"

#include <algorithm>
#include <chrono>

#include "s2s/autograd/ops.h"
#include "s2s/core/error.h"
#include "s2s/kernels/argmax.h"
#include "s2s/train/clip_grad.h"

namespace s2s::train {

namespace {

double now_s() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

models::TokenBatch source_of(const data::Batch& b) { return {b.src, b.src_len}; }
models::TokenBatch target_in_of(const data::Batch& b) { return {b.tgt_in, b.tgt_len}; }
// Logits rows run over (t, b), so the time-major [T, B] targets line up as they are.
Tensor targets_of(const data::Batch& b) { return b.tgt_out.reshape({b.tgt_out.numel()}); }

}  // namespace

const char* stop_reason_name(StopReason r) {
  switch (r) {
    case StopReason::Steps: return "steps";
    case StopReason::Epochs: return "epochs";
    case StopReason::Time: return "max_time";
    case StopReason::EarlyStopping: return "early_stopping";
    case StopReason::Interrupted: return "interrupted";
  }
  return "?";
}

std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream) {
  // splitmix64 of (seed, stream): nearby seeds and streams give unrelated keys.
  std::uint64_t z = seed + 0x9E3779B97F4A7C15ull * (stream + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

Trainer::Trainer(models::EncoderDecoder& model, Optimizer& optimizer, LrSchedule& schedule, data::Batcher& train_data,
                 std::vector<data::Batch> dev, const RunConfig& config, TrainLog* log, TrainerHooks hooks)
    : model_(model),
      optimizer_(optimizer),
      schedule_(schedule),
      batcher_(train_data),
      dev_(std::move(dev)),
      config_(config),
      log_(log),
      hooks_(std::move(hooks)),
      params_(model.parameters()),
      graph_(/*grad_enabled=*/true),
      rng_(derive_seed(config.train.seed, kSeedTrainer)) {
  state_.rng = rng_.state();
  state_.data = batcher_.state();
  const std::string& vm = config_.train.valid_metric;
  S2S_CHECK(vm == "loss" || vm == "accuracy" || dev_.empty() || hooks_.decode_metrics, "train.valid_metric: '", vm,
            "' needs decoding metrics (TrainerHooks::decode_metrics), which this run does not compute");
}

void Trainer::restore(const TrainerState& state) {
  state_ = state;
  rng_.set_state(state.rng);
  batcher_.restore(state.data);
}

double Trainer::train_update(std::span<const data::Batch> batches) {
  S2S_CHECK(!batches.empty(), "trainer: an update needs at least one batch");
  models::ForwardOptions fo;
  fo.training = true;
  fo.teacher_forcing = static_cast<float>(config_.train.teacher_forcing);
  fo.rng = &rng_;
  autograd::CrossEntropyOptions ce;
  ce.ignore_index = models::kPad;
  ce.label_smoothing = static_cast<float>(config_.train.label_smoothing);
  ce.reduction = autograd::Reduction::Sum;
  std::int64_t tokens = 0, sentences = 0;
  for (const data::Batch& b : batches) tokens += b.tgt_tokens, sentences += b.size();
  // Each batch's summed loss enters backward with the seed 1 / (tokens of the
  // whole update): the cross-entropy's backward scales by the seed exactly
  // where a mean scales by 1 / count, so with one batch the gradient is that
  // of the batch's mean loss bit for bit, and with several their gradients,
  // added in batch order into the parameters', are those of one batch
  // holding them all (up to the order of float additions).
  if (!seed_.defined()) seed_ = Tensor::empty(Shape{1});
  seed_.f32()[0] = tokens > 0 ? static_cast<float>(1.0 / static_cast<double>(tokens)) : 0.0f;
  double loss_sum = 0;
  for (const data::Batch& batch : batches) {
    graph_.clear();
    autograd::Var logits = model_.forward(graph_, source_of(batch), target_in_of(batch), fo);
    autograd::Var loss = autograd::cross_entropy(logits, targets_of(batch), ce);
    loss_sum += loss.value().f32()[0];
    graph_.backward(loss, seed_, {.release_values = true});
  }
  const double loss_value = tokens > 0 ? loss_sum / static_cast<double>(tokens) : 0.0;
  const auto& o = config_.optim;
  double gnorm = o.clip_norm > 0 ? clip_grad_norm(params_, o.clip_norm) : grad_norm(params_);
  if (o.clip_value > 0) clip_grad_value(params_, o.clip_value);
  last_lr_ = schedule_.lr();
  if (std::isfinite(gnorm) && std::isfinite(loss_value)) {
    optimizer_.set_lr(last_lr_);
    optimizer_.step();
    schedule_.step();
  } else {
    // An overflowed batch would poison every parameter; skip it and say so.
    ++state_.skipped_updates;
    if (log_)
      log_->event("skipped_update", detail::concat("warning: step ", state_.step + 1, ": non-finite loss or gradient, update skipped"),
                  detail::concat("\"step\": ", state_.step + 1));
  }
  optimizer_.zero_grad();
  graph_.clear();
  ++state_.step;
  state_.target_tokens += static_cast<std::uint64_t>(tokens);
  state_.sentences += static_cast<std::uint64_t>(sentences);
  state_.rng = rng_.state();
  interval_gnorm_ += std::isfinite(gnorm) ? gnorm : 0.0;
  return loss_value;
}

ValidationResult Trainer::validate() {
  autograd::Graph g(/*grad_enabled=*/false);
  models::ForwardOptions fo;
  fo.training = false;
  double loss_sum = 0;
  std::int64_t correct = 0;
  ValidationResult r;
  autograd::CrossEntropyOptions ce;
  ce.ignore_index = models::kPad;
  ce.reduction = autograd::Reduction::Sum;
  for (const auto& batch : dev_) {
    autograd::Var logits = model_.forward(g, source_of(batch), target_in_of(batch), fo);
    Tensor targets = targets_of(batch);
    loss_sum += autograd::cross_entropy(logits, targets, ce).value().f32()[0];
    auto counts = kernels::token_accuracy(logits.value(), targets, models::kPad);
    correct += counts.correct;
    r.tokens += counts.total;
    r.sentences += batch.size();
    g.clear();
  }
  S2S_CHECK(r.tokens > 0, "validation: the dev set has no target tokens");
  r.loss = loss_sum / static_cast<double>(r.tokens);
  r.ppl = std::exp(r.loss);
  r.accuracy = static_cast<double>(correct) / static_cast<double>(r.tokens);
  if (hooks_.decode_metrics) r.decoded = hooks_.decode_metrics(*this);
  return r;
}

bool Trainer::better(double metric, double than) const {
  if (std::isnan(than)) return true;
  return metric_higher_is_better(config_.train.valid_metric) ? metric > than : metric < than;
}

double Trainer::metric_of(const ValidationResult& v) const {
  const std::string& name = config_.train.valid_metric;
  if (name == "loss") return v.loss;
  if (name == "accuracy") return v.accuracy;
  for (const auto& [k, value] : v.decoded)
    if (k == name) return value;
  fail("train.valid_metric: '", name, "' was not computed at this validation (list it in train.valid_metrics)");
}

void Trainer::on_epoch_end() {
  // In memory, the epoch's last position is its batch count (streaming: unknown).
  if (!batcher_.streaming() && last_batch_pos_ > 0) batches_per_epoch_ = static_cast<std::int64_t>(last_batch_pos_);
  state_.data = batcher_.state();
  // The log file only: report lines already show the epoch.
  if (log_) log_->event("epoch", "", detail::concat("\"epoch\": ", epoch(), ", \"step\": ", state_.step));
  if (config_.train.valid_every == 0 && !dev_.empty()) on_validation(true);
}

void Trainer::on_validation(bool regular) {
  ValidationResult v = validate();
  last_valid_ = v;
  validated_ = true;
  double metric = metric_of(v);
  if (regular) {
    state_.last_valid_step = state_.step;
    if (better(metric, state_.best_metric)) {
      state_.best_metric = metric;
      state_.best_step = state_.step;
      state_.bad_checks = 0;
    } else {
      ++state_.bad_checks;
    }
    double before = schedule_.lr();
    if (schedule_.report(metric) && log_)
      log_->event("lr_reduced", detail::concat("learning rate reduced from ", format_double(before), " to ", format_double(schedule_.lr())),
                  detail::concat("\"step\": ", state_.step, ", \"lr\": ", format_double(schedule_.lr())));
    if (config_.train.patience > 0 && state_.bad_checks >= config_.train.patience) stop_early_ = true;
  }
  bool improved = better(metric, state_.saved_metric);
  if (improved) {
    state_.saved_metric = metric;
    state_.saved_step = state_.step;
    if (hooks_.save_model) hooks_.save_model(*this);
  }
  if (log_) {
    ValidationRecord rec;
    rec.step = state_.step;
    rec.epoch = epoch() + 1;
    rec.loss = v.loss, rec.ppl = v.ppl, rec.accuracy = v.accuracy, rec.tokens = v.tokens;
    rec.decoded = v.decoded;
    rec.improved = improved;
    rec.best_step = state_.saved_step;
    rec.bad_checks = state_.bad_checks;
    rec.patience = config_.train.patience;
    log_->validation(rec);
  }
}

double Trainer::eta(double now, double step_s) const {
  const auto& t = config_.train;
  double best = -1;
  auto consider = [&](double v) { best = best < 0 ? v : std::min(best, v); };
  if (t.steps > 0) consider(static_cast<double>(t.steps - state_.step) * step_s);
  if (t.epochs > 0 && batches_per_epoch_ > 0) {
    // Updates, not batches: an epoch ends its last update early.
    const std::int64_t per_epoch = (batches_per_epoch_ + t.accum_steps - 1) / t.accum_steps;
    auto left = (t.epochs - epoch()) * per_epoch - static_cast<std::int64_t>(state_.data.batch) / t.accum_steps;
    consider(static_cast<double>(std::max<std::int64_t>(left, 0)) * step_s);
  }
  if (t.max_time > 0) consider(std::max(0.0, t.max_time - (state_.elapsed_s + now - start_s_)));
  return best;
}

TrainResult Trainer::run() {
  const auto& t = config_.train;
  S2S_CHECK(t.steps > 0 || t.epochs > 0 || t.max_time > 0,
            "train.steps, train.epochs and train.max_time are all 0: set at least one (--steps N, --epochs N)");
  const double base_elapsed = state_.elapsed_s;
  start_s_ = interval_start_s_ = now_s();
  stop_early_ = false;
  TrainResult result;
  const auto accum = static_cast<std::size_t>(t.accum_steps);
  pending_.resize(accum);
  optimizer_.zero_grad();
  auto elapsed = [&] { return base_elapsed + (now_s() - start_s_); };
  for (;;) {
    if (t.steps > 0 && state_.step >= t.steps) { result.reason = StopReason::Steps; break; }
    if (t.epochs > 0 && epoch() >= t.epochs) { result.reason = StopReason::Epochs; break; }
    if (t.max_time > 0 && elapsed() >= t.max_time) { result.reason = StopReason::Time; break; }
    // The next update's batches; the end of an epoch cuts the last one short.
    std::size_t n = 0;
    bool epoch_ended = false;
    while (n < accum && !epoch_ended) {
      if (batcher_.next(pending_[n])) {
        ++n;
        last_batch_pos_ = batcher_.state().batch;
      } else {
        epoch_ended = true;
      }
    }
    if (n == 0) {
      on_epoch_end();
      if (stop_early_) { result.reason = StopReason::EarlyStopping; break; }
      continue;
    }
    double loss = train_update({pending_.data(), n});
    state_.data = batcher_.state();
    state_.elapsed_s = elapsed();
    std::int64_t tokens = 0;
    for (std::size_t k = 0; k < n; ++k) tokens += pending_[k].tgt_tokens, interval_sentences_ += pending_[k].size();
    interval_loss_ += loss * static_cast<double>(tokens);
    interval_tokens_ += tokens;
    ++interval_steps_;
    // Handled before this step's checkpoint, which then holds its effects.
    if (epoch_ended) on_epoch_end();
    if (state_.step % t.report_every == 0) {
      double now = now_s(), dt = std::max(now - interval_start_s_, 1e-9);
      ReportRecord r;
      r.step = state_.step;
      r.epoch = epoch() + 1;
      r.loss = interval_tokens_ ? interval_loss_ / static_cast<double>(interval_tokens_) : 0.0;
      r.ppl = std::exp(r.loss);
      r.tokens_per_s = static_cast<double>(interval_tokens_) / dt;
      r.sentences_per_s = static_cast<double>(interval_sentences_) / dt;
      r.tokens_per_update = static_cast<double>(interval_tokens_) / static_cast<double>(interval_steps_);
      r.lr = last_lr_;
      r.grad_norm = interval_gnorm_ / static_cast<double>(interval_steps_);
      r.elapsed_s = state_.elapsed_s;
      r.eta_s = eta(now, dt / static_cast<double>(interval_steps_));
      if (log_) log_->report(r);
      interval_start_s_ = now;
      interval_loss_ = interval_gnorm_ = 0;
      interval_steps_ = interval_tokens_ = interval_sentences_ = 0;
    }
    if (log_) {
      const std::int64_t per_epoch = (batches_per_epoch_ + t.accum_steps - 1) / t.accum_steps;
      std::int64_t total = t.steps > 0 ? t.steps : (t.epochs > 0 && per_epoch > 0 ? t.epochs * per_epoch : 0);
      double per_step = (now_s() - start_s_) / static_cast<double>(std::max<std::int64_t>(1, state_.step));
      log_->progress(state_.step, total, eta(now_s(), per_step));
    }
    if (t.valid_every > 0 && state_.step % t.valid_every == 0 && !dev_.empty()) on_validation(true);
    if (stop_early_) { result.reason = StopReason::EarlyStopping; break; }
    if (t.save_every > 0 && state_.step % t.save_every == 0 && hooks_.checkpoint) hooks_.checkpoint(*this, false);
    if (hooks_.interrupted && hooks_.interrupted()) { result.reason = StopReason::Interrupted; break; }
  }
  state_.elapsed_s = elapsed();
  bool limit = result.reason != StopReason::Interrupted;
  if (limit && !dev_.empty() && state_.last_valid_step != state_.step) on_validation(false);
  if (limit && dev_.empty() && hooks_.save_model) hooks_.save_model(*this);
  if (hooks_.checkpoint) hooks_.checkpoint(*this, true);
  result.step = state_.step;
  result.epoch = epoch();
  result.elapsed_s = state_.elapsed_s;
  result.validated = validated_;
  result.last_validation = last_valid_;
  result.best_metric = state_.saved_metric;
  result.best_step = state_.saved_step;
  return result;
}

}  // namespace s2s::train
