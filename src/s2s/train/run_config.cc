#include "s2s/train/run_config.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <set>

#include "s2s/core/error.h"

namespace s2s::train {

namespace {

void check_choice(const std::string& name, const std::string& value, std::initializer_list<const char*> choices) {
  std::string list;
  for (const char* c : choices) {
    if (value == c) return;
    if (!list.empty()) list += '|';
    list += c;
  }
  fail(name, ": expected one of ", list, ", got '", value, "'");
}

// The model family first (it decides what a bare model key means), then the
// shorthands, so that the specific keys they cover win whatever the order.
int apply_order(const std::string& key) {
  static const std::set<std::string> shorthands{"data.tokenizer", "data.vocab_size", "data.max_len",
                                                "model.embedding_size", "model.layers"};
  if (key == "model.type") return 0;
  if (shorthands.count(key) > 0 || (key.rfind("model.", 0) == 0 && key.ends_with(".layers"))) return 1;
  return 2;
}

}  // namespace

void set_run_option(RunConfig& c, const std::string& key, const std::string& value) {
  auto dot = key.find('.');
  S2S_CHECK(dot != std::string::npos && dot > 0 && dot + 1 < key.size(), key,
            ": unknown option (options are section.key with section data, model, optim, schedule or train)");
  std::string section = key.substr(0, dot), name = key.substr(dot + 1);
  if (section == "data") {
    if (name == "tokenizer") {
      set_struct_option(c.data, section, "src_tokenizer", value);
      c.data.tgt_tokenizer = c.data.src_tokenizer;
    } else if (name == "vocab_size") {
      set_struct_option(c.data, section, "src_vocab_size", value);
      c.data.tgt_vocab_size = c.data.src_vocab_size;
    } else if (name == "max_len") {
      set_struct_option(c.data, section, "max_src_len", value);
      c.data.max_tgt_len = c.data.max_src_len;
    } else {
      set_struct_option(c.data, section, name, value);
    }
  } else if (section == "model") {
    models::set_option(c.model, name, value);
  } else if (section == "optim") {
    set_struct_option(c.optim, section, name, value);
  } else if (section == "schedule") {
    set_struct_option(c.schedule, section, name, value);
  } else if (section == "train") {
    set_struct_option(c.train, section, name, value);
  } else {
    fail(key, ": unknown section '", section, "' (expected data, model, optim, schedule or train)");
  }
}

RunConfig run_config_from_map(const FlatOptions& options, const WhereFn& where) {
  RunConfig c;
  auto apply = [&](const std::string& key, const std::string& value) {
    try {
      set_run_option(c, key, value);
    } catch (const Error& e) {
      std::string at = where ? where(key) : std::string();
      if (at.empty()) throw;
      fail(at, ": ", e.what());
    }
  };
  for (int order = 0; order <= 2; ++order)
    for (const auto& [k, v] : options)
      if (apply_order(k) == order) apply(k, v);
  validate_run_config(c);
  return c;
}

FlatOptions run_config_to_map(const RunConfig& c) {
  FlatOptions out;
  auto add = [&](const char* section, const OptionPairs& pairs) {
    for (const auto& [k, v] : pairs) out[std::string(section) + "." + k] = v;
  };
  add("data", struct_to_pairs(c.data));
  add("model", models::to_pairs(c.model));
  add("optim", struct_to_pairs(c.optim));
  add("schedule", struct_to_pairs(c.schedule));
  add("train", struct_to_pairs(c.train));
  return out;
}

FlatOptions run_config_help() {
  FlatOptions out;
  RunConfig c;
  auto add = [&](const char* section, const OptionPairs& pairs) {
    for (const auto& [k, v] : pairs) out[std::string(section) + "." + k] = v;
  };
  add("data", struct_help(c.data));
  add("optim", struct_help(c.optim));
  add("schedule", struct_help(c.schedule));
  add("train", struct_help(c.train));
  for (const auto& [k, v] : models::option_help()) out[k] = v;
  out["data.tokenizer"] = "shorthand: both src_tokenizer and tgt_tokenizer";
  out["data.vocab_size"] = "shorthand: both src_vocab_size and tgt_vocab_size";
  out["data.max_len"] = "shorthand: both max_src_len and max_tgt_len";
  return out;
}

void validate_run_config(const RunConfig& c) {
  const auto& d = c.data;
  check_choice("data.src_tokenizer", d.src_tokenizer, {"char", "word", "spm"});
  check_choice("data.tgt_tokenizer", d.tgt_tokenizer, {"char", "word", "spm"});
  check_choice("data.spm_type", d.spm_type, {"unigram", "bpe"});
  S2S_CHECK(!d.shared_vocab || d.src_tokenizer == d.tgt_tokenizer, "data.shared_vocab: needs the same tokenizer on both sides, got ",
            d.src_tokenizer, " and ", d.tgt_tokenizer);
  // Tying the tables is only meaningful when id k names the same token on both sides.
  S2S_CHECK(!c.model.share_embeddings || d.shared_vocab,
            "model.share_embeddings: needs data.shared_vocab (one vocabulary for both sides)");
  S2S_CHECK(d.src_vocab_size >= 0 && d.tgt_vocab_size >= 0, "data.src_vocab_size/tgt_vocab_size: expected >= 0 (0 = no limit)");
  for (auto [name, v] : std::array<std::pair<const char*, std::int64_t>, 5>{
           {{"data.max_src_len", d.max_src_len}, {"data.max_tgt_len", d.max_tgt_len}, {"data.batch_tokens", d.batch_tokens},
            {"data.batch_sentences", d.batch_sentences}, {"data.maxi_batch", d.maxi_batch}}})
    S2S_CHECK(v >= 0, name, ": expected >= 0, got ", v);
  S2S_CHECK(d.batch_tokens > 0 || d.batch_sentences > 0, "data.batch_tokens and data.batch_sentences are both 0: set at least one");
  S2S_CHECK(d.buffer_pairs > 0, "data.buffer_pairs: expected > 0, got ", d.buffer_pairs);

  const auto& o = c.optim;
  check_choice("optim.optimizer", o.optimizer, {"sgd", "adam", "adamw", "rmsprop", "adagrad"});
  S2S_CHECK(o.lr > 0, "optim.lr: expected > 0, got ", o.lr);
  S2S_CHECK(o.weight_decay >= 0, "optim.weight_decay: expected >= 0, got ", o.weight_decay);
  S2S_CHECK(o.momentum >= 0, "optim.momentum: expected >= 0, got ", o.momentum);
  S2S_CHECK(o.beta1 >= 0 && o.beta1 < 1, "optim.beta1: expected a value in [0, 1), got ", o.beta1);
  S2S_CHECK(o.beta2 >= 0 && o.beta2 < 1, "optim.beta2: expected a value in [0, 1), got ", o.beta2);
  S2S_CHECK(o.eps >= 0, "optim.eps: expected >= 0 (0 = the optimizer's default), got ", o.eps);
  S2S_CHECK(o.alpha >= 0 && o.alpha < 1, "optim.alpha: expected a value in [0, 1), got ", o.alpha);
  S2S_CHECK(!o.nesterov || (o.momentum > 0 && o.dampening == 0), "optim.nesterov: needs momentum > 0 and dampening 0");
  S2S_CHECK(o.clip_norm >= 0, "optim.clip_norm: expected >= 0 (0 = off), got ", o.clip_norm);
  S2S_CHECK(o.clip_value >= 0, "optim.clip_value: expected >= 0 (0 = off), got ", o.clip_value);

  const auto& s = c.schedule;
  check_choice("schedule.kind", s.kind, {"constant", "step", "inverse_sqrt", "noam", "plateau"});
  S2S_CHECK(s.step_size > 0, "schedule.step_size: expected > 0, got ", s.step_size);
  S2S_CHECK(s.gamma > 0, "schedule.gamma: expected > 0, got ", s.gamma);
  S2S_CHECK(s.warmup > 0, "schedule.warmup: expected > 0, got ", s.warmup);
  S2S_CHECK(std::isfinite(s.warmup_init_lr) && s.warmup_init_lr >= 0, "schedule.warmup_init_lr: expected >= 0, got ",
            s.warmup_init_lr);
  S2S_CHECK(s.model_dim >= 0, "schedule.model_dim: expected >= 0, got ", s.model_dim);
  S2S_CHECK(s.kind != "noam" || s.model_dim > 0,
            "schedule.model_dim: the noam schedule needs the model width d_model (e.g. 512), got 0");
  S2S_CHECK(s.factor > 0 && s.factor < 1, "schedule.factor: expected a value in (0, 1), got ", s.factor);
  S2S_CHECK(s.patience >= 0 && s.cooldown >= 0, "schedule.patience/cooldown: expected >= 0");
  S2S_CHECK(s.min_lr >= 0, "schedule.min_lr: expected >= 0, got ", s.min_lr);

  const auto& t = c.train;
  S2S_CHECK(t.steps >= 0 && t.epochs >= 0, "train.steps/train.epochs: expected >= 0");
  S2S_CHECK(t.max_time >= 0, "train.max_time: expected >= 0 (0 = no limit), got ", t.max_time);
  S2S_CHECK(t.accum_steps >= 1, "train.accum_steps: expected >= 1 (batches per update), got ", t.accum_steps);
  S2S_CHECK(t.valid_every >= 0, "train.valid_every: expected >= 0, got ", t.valid_every);
  S2S_CHECK(t.valid_max_sentences >= 0, "train.valid_max_sentences: expected >= 0 (0 = all), got ", t.valid_max_sentences);
  std::vector<std::string> decoded = parse_valid_metrics(t.valid_metrics);
  S2S_CHECK(decoded.empty() || !c.data.dev.empty(), "train.valid_metrics: decoding metrics need a dev set (data.dev)");
  S2S_CHECK(t.valid_metric == "loss" || t.valid_metric == "accuracy" ||
                std::find(decoded.begin(), decoded.end(), t.valid_metric) != decoded.end(),
            "train.valid_metric: expected loss, accuracy or a metric listed in train.valid_metrics (now: ",
            decoded.empty() ? std::string("none") : t.valid_metrics, "), got '", t.valid_metric, "'");
  S2S_CHECK(t.patience >= 0, "train.patience: expected >= 0 (0 = off), got ", t.patience);
  S2S_CHECK(t.save_every >= 0, "train.save_every: expected >= 0, got ", t.save_every);
  S2S_CHECK(t.keep_checkpoints >= 1, "train.keep_checkpoints: expected >= 1, got ", t.keep_checkpoints);
  S2S_CHECK(t.report_every >= 1, "train.report_every: expected >= 1, got ", t.report_every);
  S2S_CHECK(t.label_smoothing >= 0 && t.label_smoothing < 1, "train.label_smoothing: expected a value in [0, 1), got ",
            t.label_smoothing);
  S2S_CHECK(t.teacher_forcing >= 0 && t.teacher_forcing <= 1, "train.teacher_forcing: expected a value in [0, 1], got ",
            t.teacher_forcing);
  S2S_CHECK(t.coverage_weight >= 0 && std::isfinite(t.coverage_weight),
            "train.coverage_weight: expected a finite value >= 0 (0 = no coverage loss), got ", t.coverage_weight);
  S2S_CHECK(t.threads >= 0, "train.threads: expected >= 0 (0 = all cores), got ", t.threads);
  S2S_CHECK(t.comm_timeout >= 0, "train.comm_timeout: expected seconds >= 0 (0 = wait forever), got ", t.comm_timeout);
  check_choice("train.progress", t.progress, {"auto", "true", "false"});
}

std::vector<std::string> parse_valid_metrics(const std::string& csv) {
  std::vector<std::string> out;
  std::string name;
  auto flush = [&] {
    if (name.empty()) return;
    if (name == "chrfpp") name = "chrf++";
    static const std::set<std::string> known{"bleu", "chrf", "chrf++", "wer", "ser", "per"};
    S2S_CHECK(known.count(name), "train.valid_metrics: expected names among bleu,chrf,chrf++,wer,ser,per, got '", name, "'");
    S2S_CHECK(std::find(out.begin(), out.end(), name) == out.end(), "train.valid_metrics: '", name, "' is listed twice");
    out.push_back(name);
    name.clear();
  };
  for (char ch : csv) {
    if (ch == ',') {
      flush();
    } else if (!std::isspace(static_cast<unsigned char>(ch))) {
      name += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    }
  }
  flush();
  return out;
}

bool metric_higher_is_better(const std::string& metric) {
  return metric == "accuracy" || metric == "bleu" || metric == "chrf" || metric == "chrf++";
}

LrScheduleConfig schedule_config(const RunConfig& c) {
  LrScheduleConfig s;
  s.kind = c.schedule.kind;
  s.lr = c.optim.lr;
  s.step_size = c.schedule.step_size;
  s.gamma = c.schedule.gamma;
  s.warmup = c.schedule.warmup;
  s.warmup_init_lr = c.schedule.warmup_init_lr;
  s.model_dim = c.schedule.model_dim;
  s.plateau.lr = c.optim.lr;
  s.plateau.maximize = metric_higher_is_better(c.train.valid_metric);
  s.plateau.factor = c.schedule.factor;
  s.plateau.patience = c.schedule.patience;
  s.plateau.threshold = c.schedule.threshold;
  s.plateau.cooldown = c.schedule.cooldown;
  s.plateau.min_lr = c.schedule.min_lr;
  return s;
}

}  // namespace s2s::train
