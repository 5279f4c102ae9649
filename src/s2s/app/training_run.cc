#include "s2s/app/training_run.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <new>

#include "s2s/app/data_parallel.h"
#include "s2s/core/error.h"
#include "s2s/core/parallel.h"
#include "s2s/data/batcher.h"
#include "s2s/data/file_util.h"
#include "s2s/data/loader.h"
#include "s2s/io/atomic_file.h"
#include "s2s/io/checkpoint.h"
#include "s2s/io/model_dir.h"
#include "s2s/io/quantized_model.h"
#include "s2s/metrics/evaluate.h"
#include "s2s/nn/pretrained_vectors.h"
#include "s2s/search/greedy.h"
#include "s2s/train/make_optimizer.h"
#include "s2s/train/vocab_setup.h"

namespace s2s::app {

using namespace s2s::io;  // the model directory and checkpoint files it assembles

namespace {

namespace fs = std::filesystem;

std::string model_dir_of(const std::string& resume) {
  std::error_code ec;
  S2S_CHECK(!resume.empty() && fs::is_directory(resume, ec), resume.empty() ? "\"\"" : resume,
            ": no such directory to resume from");
  if (file_exists(join_path(resume, kConfigFile))) return resume;
  // A checkpoint directory lives at <model dir>/checkpoints/<name>.
  fs::path p = fs::path(resume).lexically_normal();
  if (p.filename().empty()) p = p.parent_path();
  fs::path model = p.parent_path().parent_path();
  if (model.empty()) model = ".";
  S2S_CHECK(p.parent_path().filename() == kCheckpointsDir && file_exists(join_path(model.string(), kConfigFile)),
            resume, ": nothing to resume: no ", kConfigFile,
            " (a run that failed before training began leaves none; start it again without --resume)");
  return model.string();
}

data::BatchOptions batch_options(const train::RunConfig& c) {
  data::BatchOptions b;
  b.batch_tokens = c.data.batch_tokens;
  b.batch_sentences = c.data.batch_sentences;
  b.maxi_batch = c.data.maxi_batch;
  b.shuffle = c.data.shuffle;
  b.src_eos = c.data.src_eos;
  b.seed = train::derive_seed(c.train.seed, train::kSeedData);
  b.buffer_pairs = static_cast<std::size_t>(c.data.buffer_pairs);
  return b;
}

std::vector<data::Batch> dev_batches(const data::Dataset& dev, const train::RunConfig& c) {
  data::BatchOptions b = batch_options(c);
  b.shuffle = false;
  Rng rng(0);  // unused without shuffling
  data::BatchPlan plan = data::plan_batches(dev, b, rng);
  std::vector<data::Batch> out(plan.batches());
  for (std::size_t k = 0; k < plan.batches(); ++k) data::make_batch(dev, plan.batch(k), c.data.src_eos, out[k]);
  return out;
}

std::vector<std::string> tokens_of(const data::Vocab& v) {
  std::vector<std::string> out;
  for (std::int32_t id = 0; id < v.size(); ++id) out.push_back(v.token(id));
  return out;
}

// Pretrained vectors on a fresh run; on a resume only the frozen flags (the values come from the checkpoint).
void init_embeddings(models::EncoderDecoder& model, const train::RunConfig& c, const Vocabularies& v, bool fresh,
                     train::TrainLog& log) {
  const auto& d = c.data;
  if (d.src_embeddings.empty() && d.tgt_embeddings.empty()) return;
  auto side = [&](const std::string& path, nn::Embedding* table, const data::Vocab& vocab, const char* name) {
    if (path.empty()) return;
    S2S_CHECK(table, "data.", name == std::string("source") ? "src" : "tgt", "_embeddings: model type ", c.model.type,
              " has no ", name, " embedding table to initialise");
    if (!fresh) {
      table->set_frozen(d.freeze_embeddings);
      return;
    }
    nn::PretrainedStats s = nn::load_pretrained_vectors(*table, path, tokens_of(vocab), d.freeze_embeddings);
    log.event("pretrained", detail::concat(name, " embeddings: ", s.found, " tokens from ", path, ", ", s.missing,
                                           " kept their random initialisation", d.freeze_embeddings ? " (frozen)" : ""),
              detail::concat("\"side\": \"", name, "\", \"found\": ", s.found, ", \"missing\": ", s.missing));
  };
  side(d.src_embeddings, model.source_embedding(), *v.src_vocab, "source");
  side(d.tgt_embeddings, model.target_embedding(), *v.tgt_vocab, "target");
}

// The dev set as text for decoding metrics: the pairs validation scores
// (both sides non-empty), the first max_sentences of them (0: all).
struct DevText {
  std::vector<std::string> src;
  std::vector<std::vector<std::string>> refs{1};
};

DevText read_dev_text(const std::string& dev, std::int64_t max_sentences) {
  DevText out;
  auto reader = data::open_pairs(data::CorpusSpec::parse(dev));
  data::RawPair p;
  while ((max_sentences == 0 || static_cast<std::int64_t>(out.src.size()) < max_sentences) && reader->next(p)) {
    if (p.too_long || p.src.empty() || p.tgt.empty()) continue;
    out.src.emplace_back(p.src);
    out.refs[0].emplace_back(p.tgt);
  }
  return out;
}

// Greedy translations of the dev sources scored against their references.
// Search runs on no-grad graphs without randomness, so training is unaffected.
std::function<std::vector<std::pair<std::string, double>>(const train::Trainer&)> decode_metrics_hook(
    const train::RunConfig& c, const Vocabularies& vocab) {
  std::vector<std::string> names = train::parse_valid_metrics(c.train.valid_metrics);
  if (names.empty() || c.data.dev.empty()) return {};
  auto dev = std::make_shared<DevText>(read_dev_text(c.data.dev, c.train.valid_max_sentences));
  S2S_CHECK(!dev->src.empty(), "train.valid_metrics: the dev set ", c.data.dev, " has no pair to decode");
  bool src_eos = c.data.src_eos;
  return [dev, names, vocab, src_eos](const train::Trainer& t) {
    std::vector<std::string> hyps =
        search::greedy_translate(t.model(), {vocab.src_tokenizer.get(), vocab.src_vocab.get()},
                                 {vocab.tgt_tokenizer.get(), vocab.tgt_vocab.get()}, dev->src, src_eos);
    std::vector<std::pair<std::string, double>> out;
    for (const metrics::MetricScore& s : metrics::evaluate(hyps, dev->refs, names)) {
      // run_config's table sets the plateau direction; the metrics layer is the authority.
      S2S_CHECK(s.higher_is_better == train::metric_higher_is_better(s.metric), "train.valid_metrics: direction of ", s.metric,
                " disagrees with the metrics library");
      out.emplace_back(s.metric, s.score);
    }
    return out;
  };
}

// The log is appended to: pointed at a corpus, it would corrupt the corpus.
void check_log_is_not_corpus(const train::RunConfig& c, const std::string& log_path) {
  std::vector<data::NamedPath> corpora;
  for (const auto& [key, spec] : {std::pair{"data.train", c.data.train}, std::pair{"data.dev", c.data.dev}})
    if (!spec.empty())
      for (const std::string& p : data::CorpusSpec::parse(spec).paths) corpora.push_back({key, p});
  data::check_output_is_not_input("s2s train", {"train.log", log_path}, corpora);
}

}  // namespace

train::RunConfig resume_config(const std::string& dir, const train::FlatOptions& overrides) {
  std::string model_dir = model_dir_of(dir);
  check_trainable(model_dir);
  std::string config_path = join_path(model_dir, kConfigFile);
  auto saved = read_model_config(model_dir);
  const models::ModelConfig saved_model = model_config_from(saved, config_path);
  train::FlatOptions merged = saved;
  for (const auto& [k, v] : overrides) {
    if (k.rfind("model.", 0) == 0) {
      // Compare meanings, not spellings ("0.10" and "0.1" agree).
      models::ModelConfig changed = saved_model;
      models::set_option(changed, k.substr(6), v);
      S2S_CHECK(models::to_pairs(changed) == models::to_pairs(saved_model), k, ": a resumed run keeps its model (",
                config_path, " says otherwise)");
      continue;
    }
    merged[k] = v;
  }
  // A resumed run continues in place; another save_dir would be ignored.
  if (auto it = overrides.find("train.save_dir"); it != overrides.end() && !it->second.empty()) {
    std::error_code ec;
    S2S_CHECK(fs::equivalent(it->second, model_dir, ec), "train.save_dir: a resumed run writes to its own model directory ",
              model_dir, ", not ", it->second, " (leave --save-dir out, or copy ", model_dir, " there and resume the copy)");
  }
  merged["train.save_dir"] = model_dir;
  return train::run_config_from_map(merged, [&](const std::string& key) {
    return overrides.count(key) ? std::string() : config_path;
  });
}

train::RunConfig assemble_run_config(const ConfigFile& file, const train::FlatOptions& command_line, const std::string& resume) {
  train::FlatOptions merged = file.values;
  for (const auto& [k, v] : command_line) merged[k] = v;
  if (!resume.empty()) return resume_config(resume, merged);
  return train::run_config_from_map(merged, [&](const std::string& key) {
    return command_line.count(key) ? std::string() : file.where(key);
  });
}

namespace {

// The run once its log is open (run_training records a fatal error there).
TrainingRunResult run_logged(train::RunConfig& config, const TrainingRunOptions& options, train::Communicator& comm, bool fresh,
                             const std::string& checkpoint, train::TrainLog& log) {
  const bool writer = comm.rank() == 0;
  const std::string& save_dir = config.train.save_dir;
  // Vocabularies, then the model config they size.
  std::vector<std::string> messages;
  Vocabularies vocab = fresh ? train::prepare_vocabularies(config.data, &messages)
                             : load_vocabularies(save_dir, read_model_config(save_dir));
  if (const std::string saved = join_path(save_dir, kWeightsFile); !fresh && file_exists(saved))
    check_vocab_checksums(save_dir, load_safetensors(saved).metadata, vocab);  // an edited vocabulary would go on silently
  config.model.src_vocab_size = vocab.src_vocab->size();
  config.model.tgt_vocab_size = vocab.tgt_vocab->size();
  models::validate(config.model);
  for (const auto& m : messages) log.event("vocab", m);

  // Data.
  // A copying model reads each source's copy ids and targets in the pair's extended vocabulary.
  const bool copy = models::copies_source(config.model);
  data::PairEncoder train_encoder({vocab.src_tokenizer.get(), vocab.src_vocab.get()},
                                  {vocab.tgt_tokenizer.get(), vocab.tgt_vocab.get()}, copy);
  data::LoadOptions load;
  load.max_src_len = config.data.max_src_len;
  load.max_tgt_len = config.data.max_tgt_len;
  load.strict = config.data.strict;
  data::CorpusSpec train_spec = data::CorpusSpec::parse(config.data.train);
  std::unique_ptr<data::Batcher> batcher;
  if (config.data.stream) {
    batcher = std::make_unique<data::Batcher>(train_spec, &train_encoder, load, batch_options(config));
    log.event("data", "training data: streaming " + train_spec.str());
  } else {
    data::LoadStats stats;
    auto train_set = std::make_shared<data::Dataset>(data::load_dataset(train_spec, train_encoder, load, &stats));
    log.event("data", "training data: " + train_spec.str() + ": " + stats.summary());
    for (const auto& w : stats.skips.warnings()) log.event("warning", "warning: " + w);
    batcher = std::make_unique<data::Batcher>(train_set, batch_options(config));
  }
  std::vector<data::Batch> dev;
  if (!config.data.dev.empty()) {
    data::PairEncoder dev_encoder({vocab.src_tokenizer.get(), vocab.src_vocab.get()},
                                  {vocab.tgt_tokenizer.get(), vocab.tgt_vocab.get()}, copy);
    data::LoadStats stats;
    data::CorpusSpec dev_spec = data::CorpusSpec::parse(config.data.dev);
    data::Dataset dev_set = data::load_dataset(dev_spec, dev_encoder, data::LoadOptions{}, &stats);
    dev = dev_batches(dev_set, config);
    log.event("data", "dev data: " + dev_spec.str() + ": " + stats.summary());
  }

  // Model, optimizer, schedule, trainer.
  Rng init(train::derive_seed(config.train.seed, train::kSeedModelInit));
  auto model = models::build_model(config.model, init);
  init_embeddings(*model, config, vocab, fresh, log);
  TrainingRunResult result;
  result.save_dir = save_dir;
  for (auto* p : model->parameters())
    if (p->trainable) result.parameters += p->value.numel();
  auto optimizer = train::make_optimizer(config.optim, model->parameters());
  auto schedule = train::make_lr_schedule(train::schedule_config(config));
  train::TrainerHooks hooks;
  if (writer) {
    hooks.checkpoint = [&](const train::Trainer& t, bool) { save_checkpoint(save_dir, t, config.train.keep_checkpoints); };
    hooks.save_model = [&](const train::Trainer& t) {
      write_model_weights(save_dir, t.model(), vocab, {{"step", std::to_string(t.state().step)}});
    };
  }
  hooks.interrupted = options.interrupted;
  hooks.decode_metrics = decode_metrics_hook(config, vocab);
  train::Trainer trainer(*model, *optimizer, *schedule, *batcher, std::move(dev), config, &log, hooks, &comm);
  if (!fresh) {
    load_checkpoint(checkpoint, trainer);
    log.event("resume", detail::concat("resuming from ", checkpoint, " at step ", trainer.state().step),
              detail::concat("\"step\": ", trainer.state().step));
  }
  check_same_start(comm, trainer, vocab);
  // Only now does the directory become (or, resuming, change) a model: a run
  // that fails before this point leaves config.yaml as it was.
  if (writer) write_model_files(save_dir, train::run_config_to_map(config), vocab);
  const std::string workers = comm.size() > 1 ? detail::concat(comm.size(), " processes x ", num_threads(), " threads")
                                              : detail::concat(num_threads(), " threads");
  log.event("start",
            detail::concat("training ", result.parameters, " parameters (", model->describe(), ") with ", config.optim.optimizer, ", lr ",
                           train::format_double(config.optim.lr), ", ", workers, "; model directory ", save_dir),
            detail::concat("\"parameters\": ", result.parameters, ", \"threads\": ", num_threads(), ", \"processes\": ", comm.size()));
  result.train = trainer.run();
  const auto& r = result.train;
  char best_text[96] = "";
  if (!std::isnan(r.best_metric))
    std::snprintf(best_text, sizeof best_text, "; best %s %.4f at step %lld", config.train.valid_metric.c_str(), r.best_metric,
                  static_cast<long long>(r.best_step));
  std::string best = best_text;
  log.event("done", detail::concat("stopped (", train::stop_reason_name(r.reason), ") at step ", r.step, " after ", r.epoch, " full epochs", best,
                                   "; model in ", save_dir),
            detail::concat("\"reason\": \"", train::stop_reason_name(r.reason), "\", \"step\": ", r.step, ", \"elapsed_s\": ", train::format_double(r.elapsed_s)));
  return result;
}

void log_fatal(train::TrainLog& log, const std::string& message) {
  try {
    log.event("error", "", "\"message\": " + nlohmann::json(message).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  } catch (...) {  // a log that cannot be written must not hide the error itself
  }
}

}  // namespace

TrainingRunResult run_training(const train::RunConfig& config_in, const TrainingRunOptions& options) {
  train::RunConfig config = config_in;
  train::validate_run_config(config);
  train::SingleProcess alone;
  train::Communicator& comm = options.processes ? *options.processes : alone;
  const bool writer = comm.rank() == 0;
  const std::string& save_dir = config.train.save_dir;
  S2S_CHECK(!save_dir.empty(), "train.save_dir: required: the model directory to write (--save-dir DIR)");
  S2S_CHECK(!config.data.train.empty(), "data.train: required: the training corpus (--data.train FILE)");
  // The trainer checks this too; here it fails before the directory is made.
  S2S_CHECK(config.train.steps > 0 || config.train.epochs > 0 || config.train.max_time > 0,
            "train.steps, train.epochs and train.max_time are all 0: set at least one (--steps N, --epochs N)");
  bool fresh = options.resume.empty();
  std::string checkpoint;
  if (fresh) {
    // What a failed start left (config.yaml, vocabularies, the log) is no model: a rerun writes over it.
    check_trainable(save_dir);
    S2S_CHECK(!holds_trained_model(save_dir), save_dir, ": already holds a model; continue it with --resume ", save_dir,
              " or choose another --save-dir");
  } else {
    check_trainable(options.resume);  // a directory s2s quantize wrote (a checkpoint directory passes)
    checkpoint = find_checkpoint(options.resume);
    const std::int64_t at = checkpoint_step(checkpoint);
    S2S_CHECK(config.train.steps == 0 || config.train.steps > at, "train.steps: ", checkpoint, " is at step ", at,
              ", so train.steps ", config.train.steps, " leaves nothing to train (give more steps to continue)");
    std::error_code ec;  // a save_dir that does not exist is simply another directory
    S2S_CHECK(fs::equivalent(model_dir_of(options.resume), save_dir, ec), "train.save_dir: a resumed run writes to its own model directory ",
              model_dir_of(options.resume), ", not ", save_dir);
  }
  // The thread count is process-wide: set it for the run, restore it after.
  struct ThreadsGuard {
    int before = num_threads();
    ~ThreadsGuard() { set_num_threads(before); }
  } threads_guard;
  if (config.train.threads > 0) set_num_threads(static_cast<int>(config.train.threads));

  // Before anything is written: a rank with other options or data stops every rank here.
  check_same_run(comm, config, options.resume);
  std::string log_path = !writer || config.train.log == "none" ? std::string()
                         : config.train.log.empty() ? join_path(save_dir, "train.log.jsonl") : config.train.log;
  check_log_is_not_corpus(config, log_path);
  std::FILE* console = writer ? options.console : nullptr;
  bool bar = console && (config.train.progress == "true" ||
                                 (config.train.progress == "auto" && options.console == stdout && train::TrainLog::stdout_is_terminal()));
  if (writer) make_dirs(save_dir);
  train::TrainLog log(console, log_path, bar);
  log.set_listener(options.on_record);
  try {
    return run_logged(config, options, comm, fresh, checkpoint, log);
  } catch (const Error& e) {
    log_fatal(log, e.what());
    throw;
  } catch (const std::bad_alloc&) {
    log_fatal(log, "out of memory");
    throw;
  } catch (const std::exception& e) {
    log_fatal(log, e.what());
    throw;
  }
}

}  // namespace s2s::app
