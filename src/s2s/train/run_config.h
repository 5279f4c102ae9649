#pragma once
// Every option of a training run, in five sections that map 1:1 to the YAML
// file (`data:`, `model:`, `optim:`, `schedule:`, `train:`) and to the
// command line (`--optim.lr 0.1`). docs/training.md explains each option.
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "s2s/models/model_config.h"
#include "s2s/train/lr_schedule.h"
#include "s2s/train/option_values.h"

namespace s2s::train {

// Each fields() list names every option once, with the help text that
// `s2s train --help` prints; docs/training.md explains them at length.
struct DataOptions {
  std::string train, dev;
  std::string src_tokenizer = "char", tgt_tokenizer = "char";
  std::string src_vocab, tgt_vocab;
  bool shared_vocab = false;
  std::int64_t src_vocab_size = 0, tgt_vocab_size = 0;
  std::uint64_t min_freq = 1;
  std::string src_spm_model, tgt_spm_model;
  std::string spm_type = "unigram";
  std::int64_t max_src_len = 100, max_tgt_len = 100;
  std::int64_t batch_tokens = 4096, batch_sentences = 0, maxi_batch = 100;
  bool shuffle = true, src_eos = false, stream = false;
  std::int64_t buffer_pairs = 1000000;
  bool strict = false;
  std::string src_embeddings, tgt_embeddings;
  bool freeze_embeddings = false;

  template <class Self, class V>
  static void fields(Self& s, V& v) {
    v("train", s.train, "training corpus: FILE.tsv (source<TAB>target) or SOURCE,TARGET parallel files, plain or .gz");
    v("dev", s.dev, "dev corpus for validation, same forms; empty: no validation");
    v("src_tokenizer", s.src_tokenizer, "source tokenizer: char | word | spm");
    v("tgt_tokenizer", s.tgt_tokenizer, "target tokenizer: char | word | spm");
    v("src_vocab", s.src_vocab, "source vocabulary file (s2s vocab); empty: built from the training corpus");
    v("tgt_vocab", s.tgt_vocab, "target vocabulary file; empty: built from the training corpus");
    v("shared_vocab", s.shared_vocab, "one vocabulary (and SentencePiece model) for both sides");
    v("src_vocab_size", s.src_vocab_size, "size limit when building, reserved ids included; 0: no limit (spm: 8000)");
    v("tgt_vocab_size", s.tgt_vocab_size, "size limit when building the target vocabulary");
    v("min_freq", s.min_freq, "tokens seen fewer times are left out of built vocabularies (<unk>)");
    v("src_spm_model", s.src_spm_model, "existing SentencePiece model for the source (spm); empty: train one");
    v("tgt_spm_model", s.tgt_spm_model, "existing SentencePiece model for the target (spm); empty: train one");
    v("spm_type", s.spm_type, "SentencePiece model to train: unigram | bpe");
    v("max_src_len", s.max_src_len, "training pairs with more source tokens are skipped; 0: no limit");
    v("max_tgt_len", s.max_tgt_len, "training pairs with more target tokens are skipped; 0: no limit");
    v("batch_tokens", s.batch_tokens, "batch size in tokens: B * max(source, target length) <= N; 0: no limit");
    v("batch_sentences", s.batch_sentences, "batch size in sentences; 0: no limit");
    v("maxi_batch", s.maxi_batch, "this many batches' worth of pairs are sorted by length together");
    v("shuffle", s.shuffle, "shuffle pairs and batches every epoch");
    v("src_eos", s.src_eos, "end every source sentence with </s>");
    v("stream", s.stream, "read the training corpus in buffers instead of loading it whole");
    v("buffer_pairs", s.buffer_pairs, "pairs per shuffle buffer when streaming");
    v("strict", s.strict, "a skipped training pair (empty side, too long) is an error");
    v("src_embeddings", s.src_embeddings, "pretrained word vectors (word2vec/GloVe text) for the source embedding");
    v("tgt_embeddings", s.tgt_embeddings, "pretrained word vectors for the target embedding");
    v("freeze_embeddings", s.freeze_embeddings, "keep pretrained embedding tables fixed");
  }
};

struct OptimOptions {
  std::string optimizer = "adam";
  double lr = 1e-3, weight_decay = 0.0, momentum = 0.0, dampening = 0.0;
  bool nesterov = false;
  double beta1 = 0.9, beta2 = 0.999, eps = 0.0;
  bool amsgrad = false;
  double alpha = 0.99;
  bool centered = false;
  double lr_decay = 0.0, initial_accumulator_value = 0.0;
  double clip_norm = 5.0, clip_value = 0.0;

  template <class Self, class V>
  static void fields(Self& s, V& v) {
    v("optimizer", s.optimizer, "sgd | adam | adamw | rmsprop | adagrad");
    v("lr", s.lr, "learning rate (inverse_sqrt: the peak after warmup; noam: the factor, OpenNMT-py's learning_rate)");
    v("weight_decay", s.weight_decay, "L2 penalty (adamw: decoupled weight decay)");
    v("momentum", s.momentum, "sgd, rmsprop: momentum");
    v("dampening", s.dampening, "sgd: dampening of the momentum");
    v("nesterov", s.nesterov, "sgd: Nesterov momentum");
    v("beta1", s.beta1, "adam, adamw: first-moment decay");
    v("beta2", s.beta2, "adam, adamw: second-moment decay");
    v("eps", s.eps, "denominator term; 0: the optimizer's default (1e-8; adagrad 1e-10)");
    v("amsgrad", s.amsgrad, "adam, adamw: AMSGrad variant");
    v("alpha", s.alpha, "rmsprop: smoothing of the squared-gradient average");
    v("centered", s.centered, "rmsprop: centred variant");
    v("lr_decay", s.lr_decay, "adagrad: learning-rate decay");
    v("initial_accumulator_value", s.initial_accumulator_value, "adagrad: initial accumulator");
    v("clip_norm", s.clip_norm, "clip the global gradient L2 norm to this; 0: off");
    v("clip_value", s.clip_value, "clip every gradient element to [-x, x]; 0: off");
  }
};

struct ScheduleOptions {
  std::string kind = "constant";
  std::int64_t step_size = 1000;
  double gamma = 0.5;
  std::int64_t warmup = 4000;
  double warmup_init_lr = 0.0;
  std::int64_t model_dim = 0;
  double factor = 0.1;
  std::int64_t patience = 10;
  double threshold = 1e-4;
  std::int64_t cooldown = 0;
  double min_lr = 0.0;

  template <class Self, class V>
  static void fields(Self& s, V& v) {
    v("kind", s.kind, "learning-rate schedule: constant | step | inverse_sqrt | noam | plateau");
    v("step_size", s.step_size, "step: updates between decays");
    v("gamma", s.gamma, "step: multiply the learning rate by this every step_size updates");
    v("warmup", s.warmup, "inverse_sqrt, noam: linear warmup updates, then decay as 1/sqrt(t)");
    v("warmup_init_lr", s.warmup_init_lr, "inverse_sqrt: learning rate the warmup starts from (fairseq's --warmup-init-lr)");
    v("model_dim", s.model_dim, "noam: the model width d_model in lr * model_dim^-0.5 * min(t^-0.5, t * warmup^-1.5)");
    v("factor", s.factor, "plateau: multiply the learning rate by this on a plateau");
    v("patience", s.patience, "plateau: validations without improvement before a cut");
    v("threshold", s.threshold, "plateau: relative improvement that counts");
    v("cooldown", s.cooldown, "plateau: validations after a cut in which none counts as bad");
    v("min_lr", s.min_lr, "plateau: lower bound of the learning rate");
  }
};

struct TrainOptions {
  std::int64_t steps = 0, epochs = 0;
  double max_time = 0;
  std::int64_t accum_steps = 1;
  std::int64_t valid_every = 1000;
  std::string valid_metric = "loss";
  std::string valid_metrics;  // decoding metrics, "bleu,wer"; empty: none
  std::int64_t valid_max_sentences = 0;
  std::int64_t patience = 0, save_every = 1000, keep_checkpoints = 2, report_every = 100;
  double label_smoothing = 0.0, teacher_forcing = 1.0;
  bool recompute_layers = false;
  double coverage_weight = 1.0;
  std::uint64_t seed = 1;
  std::int64_t threads = 0;
  double comm_timeout = 900;
  std::string save_dir, log;
  std::string progress = "auto";

  template <class Self, class V>
  static void fields(Self& s, V& v) {
    v("steps", s.steps, "stop after this many updates; 0: no limit");
    v("epochs", s.epochs, "stop after this many passes over the training data; 0: no limit");
    v("max_time", s.max_time, "stop after this many seconds of training; 0: no limit");
    v("accum_steps", s.accum_steps,
      "batches per update: their gradients are summed and the loss normalised over all their target tokens");
    v("valid_every", s.valid_every, "updates between validations on the dev set; 0: at the end of every epoch");
    v("valid_metric", s.valid_metric,
      "loss | accuracy | one of valid_metrics: picks the best model, drives patience and the plateau schedule");
    v("valid_metrics", s.valid_metrics,
      "decoding metrics of every validation (greedy search on the dev set): bleu,chrf,chrf++,wer,ser,per; empty: none");
    v("valid_max_sentences", s.valid_max_sentences, "dev sentences decoded for valid_metrics (the first N); 0: all");
    v("patience", s.patience, "stop after this many validations without improvement; 0: never stop early");
    v("save_every", s.save_every, "updates between checkpoints; 0: only at the end");
    v("keep_checkpoints", s.keep_checkpoints, "checkpoints kept on disk (the newest)");
    v("report_every", s.report_every, "updates per console line");
    v("label_smoothing", s.label_smoothing, "label smoothing of the training loss (PyTorch's definition)");
    v("teacher_forcing", s.teacher_forcing, "probability of feeding the reference token; < 1: scheduled sampling");
    v("recompute_layers", s.recompute_layers,
      "activation checkpointing: keep each Transformer layer's input only and recompute the layer in backward "
      "(same gradients, less memory, one more forward pass per layer)");
    v("coverage_weight", s.coverage_weight,
      "weight of the coverage loss (See et al. 2017) in the training loss, for models with model.rnn.coverage; 0: off");
    v("seed", s.seed, "seed of parameter initialisation, shuffling, dropout and sampling");
    v("threads", s.threads, "threads for training (per process under mpirun); 0: all cores (OpenMP default)");
    v("comm_timeout", s.comm_timeout,
      "mpirun: seconds a process waits for another (rank 0's validation included) before it stops the run; 0: forever");
    v("save_dir", s.save_dir, "the model directory to write (weights, config, vocabularies, checkpoints, log)");
    v("log", s.log, "JSON-lines log file; empty: SAVE_DIR/train.log.jsonl; none: no log file");
    v("progress", s.progress, "progress bar: auto (when stdout is a terminal) | true | false");
  }
};

struct RunConfig {
  DataOptions data;
  models::ModelConfig model;
  OptimOptions optim;
  ScheduleOptions schedule;
  TrainOptions train;
};

using FlatOptions = std::map<std::string, std::string>;
// Says where a key was set ("run.yaml:12"), or "" (command line, defaults).
using WhereFn = std::function<std::string(const std::string& key)>;

// Sets "section.key"; shorthands: data.tokenizer, data.vocab_size, data.max_len
// (both sides), model.embedding_size, model.layers (see ModelConfig).
void set_run_option(RunConfig& config, const std::string& key, const std::string& value);

// Defaults overridden by `options` (shorthands first, so specific keys win);
// errors are prefixed with where(key) when it is known. Checks each value and
// the combinations that do not need the data (validate_run_config).
RunConfig run_config_from_map(const FlatOptions& options, const WhereFn& where = {});

// Every option with its canonical text: the effective configuration.
FlatOptions run_config_to_map(const RunConfig& config);
// "section.key" -> one-line help for every option (model options point to docs/models.md).
FlatOptions run_config_help();

// Ranges and combinations; the model's own checks run once the vocabulary
// sizes are known (models::validate).
void validate_run_config(const RunConfig& config);

// train.valid_metrics as canonical names (bleu, chrf, chrf++, wer, ser, per;
// case-insensitive, spaces ignored, chrfpp = chrf++); fails naming the
// option on an unknown or repeated name.
std::vector<std::string> parse_valid_metrics(const std::string& csv);
// Direction of a validation metric: accuracy, bleu, chrf, chrf++ are better
// higher; loss and the error rates lower.
bool metric_higher_is_better(const std::string& metric);

// The LR schedule the options describe (plateau direction from train.valid_metric).
LrScheduleConfig schedule_config(const RunConfig& config);

}  // namespace s2s::train
