#include "s2s/train/trainer.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <sstream>

#include "s2s/autograd/ops.h"
#include "s2s/core/error.h"
#include "s2s/kernels/argmax.h"
#include "s2s/kernels/elementwise.h"
#include "s2s/train/clip_grad.h"

namespace s2s::train {

namespace {

double now_s() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

models::TokenBatch source_of(const data::Batch& b) { return {b.src, b.src_len, b.src_copy}; }
models::TokenBatch target_in_of(const data::Batch& b) { return {b.tgt_in, b.tgt_len, Tensor()}; }
// Logits rows run over (t, b), so the time-major [T, B] targets line up as they are.
Tensor targets_of(const data::Batch& b) { return b.tgt_out.reshape({b.tgt_out.numel()}); }

// The RNG of an update's batch k > 0: a function of the trainer RNG's state
// when the update began, so any process can compute any batch of it.
RngState batch_rng_state(const RngState& start, std::int64_t step, std::size_t k) {
  return {derive_seed(derive_seed(derive_seed(start.seed, start.offset), static_cast<std::uint64_t>(step)), k), 0};
}

SingleProcess g_single_process;

// ValidationResult <-> text, for rank 0 to share it (doubles as shortest round-trip text).
std::string validation_text(const ValidationResult& v) {
  std::string out = detail::concat(format_double(v.loss), ' ', format_double(v.ppl), ' ', format_double(v.accuracy), ' ', v.tokens,
                                   ' ', v.sentences, ' ', v.decoded.size());
  for (const auto& [name, value] : v.decoded) out += detail::concat(' ', name, ' ', format_double(value));
  return out;
}

ValidationResult validation_from_text(const std::string& text) {
  std::istringstream in(text);
  ValidationResult v;
  std::string loss, ppl, acc;
  std::size_t n = 0;
  in >> loss >> ppl >> acc >> v.tokens >> v.sentences >> n;
  auto num = [](const std::string& t) { return std::strtod(t.c_str(), nullptr); };  // format_double's inf and nan too
  v.loss = num(loss), v.ppl = num(ppl), v.accuracy = num(acc);
  for (std::size_t i = 0; i < n; ++i) {
    std::string name, value;
    in >> name >> value;
    v.decoded.emplace_back(name, num(value));
  }
  S2S_CHECK(!in.fail(), "trainer: rank 0's validation result did not arrive intact");
  return v;
}

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

void check_process_count(std::int64_t saved, std::int64_t running, const std::string& what) {
  if (saved == running) return;
  fail(what, ": written by a run of ", saved, saved == 1 ? " process" : " processes", ", this run has ", running, ": resume it ",
       saved == 1 ? std::string("as one process (s2s train --resume, without mpirun)")
                  : detail::concat("with the same count (mpirun -np ", saved, ")"),
       "; the processes share each update's batches, so another count would change the updates");
}

std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream) {
  // splitmix64 of (seed, stream): nearby seeds and streams give unrelated keys.
  std::uint64_t z = seed + 0x9E3779B97F4A7C15ull * (stream + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

Trainer::Trainer(models::EncoderDecoder& model, Optimizer& optimizer, LrSchedule& schedule, data::Batcher& train_data,
                 std::vector<data::Batch> dev, const RunConfig& config, TrainLog* log, TrainerHooks hooks,
                 Communicator* processes)
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
      rng_(derive_seed(config.train.seed, kSeedTrainer)),
      comm_(processes ? processes : &g_single_process) {
  state_.rng = rng_.state();
  state_.processes = comm_->size();
  if (comm_->size() > 1) exchange_ = std::make_unique<GradientExchange>(*comm_, params_);
  state_.data = batcher_.state();
  const std::string& vm = config_.train.valid_metric;
  S2S_CHECK(vm == "loss" || vm == "accuracy" || dev_.empty() || hooks_.decode_metrics, "train.valid_metric: '", vm,
            "' needs decoding metrics (TrainerHooks::decode_metrics), which this run does not compute");
}

void Trainer::restore(const TrainerState& state) {
  check_process_count(state.processes, comm_->size(), "resume: the checkpoint");
  state_ = state;
  rng_.set_state(state.rng);
  batcher_.restore(state.data);
}

void Trainer::hold_gradients() {
  held_.resize(params_.size());
  for (std::size_t i = 0; i < params_.size(); ++i) {
    held_[i] = params_[i]->grad;
    params_[i]->grad.reset();
  }
}

// grad = held + grad: one rounding per element, as if the batch's backward
// had added into the held sum, except that the batch's own contributions
// are summed first (which is what another process computing it gives).
void Trainer::add_held_gradients() {
  for (std::size_t i = 0; i < params_.size(); ++i) {
    Tensor& g = params_[i]->grad;
    if (!held_[i].defined()) continue;
    if (g.defined()) kernels::axpy(1.0f, held_[i], g);
    else g = held_[i];
    held_[i].reset();
  }
}

double Trainer::train_update(std::span<const data::Batch> batches) {
  S2S_CHECK(!batches.empty(), "trainer: an update needs at least one batch");
  models::ForwardOptions fo;
  fo.training = true;
  fo.teacher_forcing = static_cast<float>(config_.train.teacher_forcing);
  fo.recompute_layers = config_.train.recompute_layers;
  autograd::CrossEntropyOptions ce;
  ce.ignore_index = models::kPad;
  ce.label_smoothing = static_cast<float>(config_.train.label_smoothing);
  // A copying model predicts over its target vocabulary plus each batch's
  // source-only tokens: smoothing stays on the target vocabulary, so the
  // loss of a sentence does not depend on what else is in its batch.
  ce.smoothing_classes = config_.model.tgt_vocab_size;
  ce.reduction = autograd::Reduction::Sum;
  std::int64_t tokens = 0, sentences = 0;
  for (const data::Batch& b : batches) tokens += b.tgt_tokens, sentences += b.size();
  // Each batch's summed loss enters backward with the seed 1 / (tokens of the
  // whole update): the cross-entropy's backward scales by the seed exactly
  // where a mean scales by 1 / count, so with one batch the gradient is that
  // of the batch's mean loss bit for bit, and with several their gradients,
  // added in batch order, are those of one batch holding them all (up to the
  // order of float additions).
  if (!seed_.defined()) seed_ = Tensor::empty(Shape{1});
  seed_.f32()[0] = tokens > 0 ? static_cast<float>(1.0 / static_cast<double>(tokens)) : 0.0f;
  // This process's contiguous share of the batches.
  const std::size_t n = batches.size(), ranks = static_cast<std::size_t>(comm_->size());
  const std::size_t per_rank = (n + ranks - 1) / ranks;
  const std::size_t first = std::min(n, static_cast<std::size_t>(comm_->rank()) * per_rank), end = std::min(n, first + per_rank);
  const RngState start = rng_.state();
  Rng batch_rng;
  double loss_sum = 0, coverage_sum = 0;
  // A model with coverage attention also returns its coverage loss, which
  // enters backward with the weight train.coverage_weight and the same seed.
  autograd::Var coverage;
  fo.coverage_loss = &coverage;
  const auto coverage_weight = static_cast<float>(config_.train.coverage_weight);
  bool has_coverage = false;
  for (std::size_t k = first; k < end; ++k) {
    const data::Batch& batch = batches[k];
    if (k > first) hold_gradients();
    if (k > 0) batch_rng.set_state(batch_rng_state(start, state_.step, k));
    fo.rng = k == 0 ? &rng_ : &batch_rng;
    graph_.clear();
    coverage = autograd::Var();
    autograd::Var logits = model_.forward(graph_, source_of(batch), target_in_of(batch), fo);
    autograd::Var loss = autograd::cross_entropy(logits, targets_of(batch), ce);
    loss_sum += loss.value().f32()[0];
    if (coverage.defined()) {
      has_coverage = true;
      coverage_sum += coverage.value().f32()[0];
      if (coverage_weight > 0) loss = autograd::add(loss, autograd::scale(coverage, coverage_weight));
    }
    graph_.backward(loss, seed_, {.release_values = true});
    if (k > first) add_held_gradients();
  }
  // (A rank without batches in this update reports no coverage; rank 0, which logs, always has one.)
  if (exchange_) {
    UpdateShare share;
    share.loss_sum = loss_sum;
    share.coverage_sum = coverage_sum;
    share.stop = hooks_.interrupted && hooks_.interrupted();
    share.rng = rng_.state();
    share.elapsed_s = start_s_ > 0 ? base_elapsed_s_ + (now_s() - start_s_) : state_.elapsed_s;  // outside run(): unchanged
    const double t0 = now_s();
    exchange_->sum(share);
    interval_comm_s_ += now_s() - t0;
    loss_sum = share.loss_sum;
    coverage_sum = share.coverage_sum;
    stop_requested_ = share.stop;
    rng_.set_state(share.rng);  // rank 0 drew batch 0's masks from it
    state_.elapsed_s = share.elapsed_s;
  }
  const double loss_value = tokens > 0 ? loss_sum / static_cast<double>(tokens) : 0.0;
  last_coverage_loss_ = !has_coverage ? -1.0 : tokens > 0 ? coverage_sum / static_cast<double>(tokens) : 0.0;
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

// Rank 0 validates; the others take its result, so that every rank's
// patience, plateau schedule and early stopping agree.
ValidationResult Trainer::shared_validation() {
  if (comm_->size() == 1) return validate();
  std::string text = comm_->rank() == 0 ? validation_text(validate()) : std::string();
  broadcast_string(*comm_, text, 0);
  return validation_from_text(text);
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
  ValidationResult v = shared_validation();
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
    const std::int64_t per_update = batches_per_update();
    const std::int64_t per_epoch = (batches_per_epoch_ + per_update - 1) / per_update;
    auto left = (t.epochs - epoch()) * per_epoch - static_cast<std::int64_t>(state_.data.batch) / per_update;
    consider(static_cast<double>(std::max<std::int64_t>(left, 0)) * step_s);
  }
  if (t.max_time > 0) consider(std::max(0.0, t.max_time - (state_.elapsed_s + now - start_s_)));
  return best;
}

TrainResult Trainer::run() {
  const auto& t = config_.train;
  S2S_CHECK(t.steps > 0 || t.epochs > 0 || t.max_time > 0,
            "train.steps, train.epochs and train.max_time are all 0: set at least one (--steps N, --epochs N)");
  base_elapsed_s_ = state_.elapsed_s;
  start_s_ = interval_start_s_ = now_s();
  stop_early_ = false;
  stop_requested_ = false;
  TrainResult result;
  const auto accum = static_cast<std::size_t>(batches_per_update());
  pending_.resize(accum);
  optimizer_.zero_grad();
  // With several processes, rank 0's clock as of the last update, so that all stop together.
  const bool alone = comm_->size() == 1;
  auto elapsed = [&] { return alone ? base_elapsed_s_ + (now_s() - start_s_) : state_.elapsed_s; };
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
    if (last_coverage_loss_ >= 0) interval_coverage_ += last_coverage_loss_ * static_cast<double>(tokens);
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
      r.comm_s = exchange_ ? interval_comm_s_ : -1.0;
      r.coverage_loss = last_coverage_loss_ < 0 ? -1.0 : interval_tokens_ ? interval_coverage_ / static_cast<double>(interval_tokens_) : 0.0;
      if (log_) log_->report(r);
      interval_start_s_ = now;
      interval_loss_ = interval_gnorm_ = interval_comm_s_ = interval_coverage_ = 0;
      interval_steps_ = interval_tokens_ = interval_sentences_ = 0;
    }
    if (log_) {
      const std::int64_t per_epoch = (batches_per_epoch_ + batches_per_update() - 1) / batches_per_update();
      std::int64_t total = t.steps > 0 ? t.steps : (t.epochs > 0 && per_epoch > 0 ? t.epochs * per_epoch : 0);
      double per_step = (now_s() - start_s_) / static_cast<double>(std::max<std::int64_t>(1, state_.step));
      log_->progress(state_.step, total, eta(now_s(), per_step));
    }
    if (t.valid_every > 0 && state_.step % t.valid_every == 0 && !dev_.empty()) on_validation(true);
    if (stop_early_) { result.reason = StopReason::EarlyStopping; break; }
    if (t.save_every > 0 && state_.step % t.save_every == 0 && hooks_.checkpoint) hooks_.checkpoint(*this, false);
    if (alone ? hooks_.interrupted && hooks_.interrupted() : stop_requested_) { result.reason = StopReason::Interrupted; break; }
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
