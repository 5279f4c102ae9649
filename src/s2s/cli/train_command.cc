// s2s train: trains a model from a YAML configuration and/or command-line
// options (the command line wins), writes the model directory, and resumes
// an interrupted run exactly. The run itself is app::run_training; under
// mpirun this process is one rank of a data-parallel run.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <thread>

#include "s2s/cli/args.h"
#include "s2s/cli/commands.h"
#include "s2s/cli/train_args.h"
#include "s2s/core/error.h"
#include "s2s/data/corpus.h"
#include "s2s/app/training_run.h"
#include "s2s/io/model_dir.h"
#include "s2s/io/yaml_config.h"
#include "s2s/models/model_config.h"
#include "s2s/models/model_family.h"
#include "s2s/search/greedy.h"
#include "s2s/train/communicator.h"

namespace s2s::cli {

namespace {

// Short spellings of the most used options.
struct Alias {
  const char* name;
  const char* key;
};
constexpr Alias kAliases[] = {
    {"train", "data.train"},       {"dev", "data.dev"},           {"tokenizer", "data.tokenizer"},
    {"vocab-size", "data.vocab_size"}, {"max-len", "data.max_len"}, {"batch-tokens", "data.batch_tokens"},
    {"batch-sentences", "data.batch_sentences"}, {"optimizer", "optim.optimizer"}, {"lr", "optim.lr"},
    {"clip-norm", "optim.clip_norm"}, {"schedule", "schedule.kind"}, {"warmup", "schedule.warmup"},
    {"steps", "train.steps"},       {"accum-steps", "train.accum_steps"},
    {"epochs", "train.epochs"},     {"max-time", "train.max_time"}, {"valid-every", "train.valid_every"},
    {"save-every", "train.save_every"}, {"report-every", "train.report_every"}, {"patience", "train.patience"},
    {"label-smoothing", "train.label_smoothing"}, {"seed", "train.seed"}, {"threads", "train.threads"},
    {"save-dir", "train.save_dir"}, {"log", "train.log"},
};

std::atomic<bool> g_interrupted{false};

extern "C" void on_interrupt(int) {
  if (g_interrupted.load()) std::_Exit(130);  // a second Ctrl-C stops at once
  g_interrupted.store(true);
}

// Under mpirun a signal means the job is being taken down (mpirun sends
// SIGTERM to every rank when one fails or on Ctrl-C): the other ranks may
// be gone, so no final checkpoint can be agreed; say so and stop at once.
char g_stop_message[512];
std::size_t g_stop_message_len = 0;

extern "C" void on_mpi_signal(int sig) {
  if (g_stop_message_len > 0) {
    ssize_t ignored = ::write(STDERR_FILENO, g_stop_message, g_stop_message_len);
    (void)ignored;
  }
  std::_Exit(128 + sig);
}

void install_mpi_signal_handlers(const train::Communicator& comm, const std::string& save_dir) {
  if (comm.rank() == 0)  // one message for the job, not one per rank
    g_stop_message_len = static_cast<std::size_t>(std::snprintf(
        g_stop_message, sizeof g_stop_message,
        "s2s train: rank 0 of %d: stopped by a signal (mpirun ends every rank when one fails or is interrupted); "
        "continue from the last checkpoint with: mpirun -np %d s2s train --resume %s\n",
        comm.size(), comm.size(), save_dir.c_str()));
  g_stop_message_len = std::min(g_stop_message_len, sizeof g_stop_message - 1);
  std::signal(SIGINT, on_mpi_signal);
  std::signal(SIGTERM, on_mpi_signal);
}

// Greedy outputs for the dev corpus (else the first 1000 training pairs):
// the share decoded exactly right, and the first n pairs side by side.
void print_examples(const train::RunConfig& config, std::int64_t n) {
  io::ModelDir dir = io::load_model_dir(config.train.save_dir);
  const std::string& corpus = config.data.dev.empty() ? config.data.train : config.data.dev;
  auto reader = data::open_pairs(data::CorpusSpec::parse(corpus));
  std::vector<std::string> sources, references;
  data::RawPair pair;
  while (sources.size() < 1000 && reader->next(pair)) {
    if (pair.too_long || pair.src.empty()) continue;
    sources.emplace_back(pair.src);
    references.emplace_back(pair.tgt);
  }
  std::vector<std::string> outputs;
  constexpr std::size_t kChunk = 64;
  for (std::size_t i = 0; i < sources.size(); i += kChunk) {
    std::span<const std::string> chunk(sources.data() + i, std::min(kChunk, sources.size() - i));
    auto out = search::greedy_translate(*dir.model, {dir.vocab.src_tokenizer.get(), dir.vocab.src_vocab.get()},
                                        {dir.vocab.tgt_tokenizer.get(), dir.vocab.tgt_vocab.get()}, chunk, config.data.src_eos);
    outputs.insert(outputs.end(), out.begin(), out.end());
  }
  std::size_t shown = std::min<std::size_t>(static_cast<std::size_t>(n), sources.size()), width = 5, correct = 0;
  for (std::size_t i = 0; i < sources.size(); ++i) correct += outputs[i] == references[i];
  for (std::size_t i = 0; i < shown; ++i) width = std::max(width, std::max(sources[i].size(), outputs[i].size()));
  int w = static_cast<int>(width);
  std::printf("\ngreedy decoding with %s/model.safetensors, %s:\n  %-*s   %-*s   %s\n", config.train.save_dir.c_str(),
              corpus.c_str(), w, "input", w, "output", "reference");
  for (std::size_t i = 0; i < shown; ++i)
    std::printf("  %-*s   %-*s %s %s\n", w, sources[i].c_str(), w, outputs[i].c_str(), outputs[i] == references[i] ? "=" : "x",
                references[i].c_str());
  std::printf("exactly right: %zu of %zu (%.1f%%)\n", correct, sources.size(),
              sources.empty() ? 0.0 : 100.0 * static_cast<double>(correct) / static_cast<double>(sources.size()));
}

}  // namespace

TrainArgs parse_train_args(std::span<const std::string> argv, const io::ConfigFile* config) {
  TrainArgs out;
  Args args("s2s train",
            "Trains a sequence-to-sequence model. Options come from --config FILE (YAML, sections data, model,\n"
            "optim, schedule, train) and from the command line as --section.key VALUE, which wins. A model\n"
            "family's options (--model.rnn.cell, --model.transformer.heads) may also be given without the family.\n"
            "Writes the model directory --save-dir (weights, config.yaml, vocabularies, checkpoints, log);\n"
            "--resume DIR continues an interrupted run exactly. Under `mpirun -np N` the N processes train one\n"
            "model data-parallel (the model of --accum-steps N). docs/training.md explains every option.");
  args.add_string("config", "FILE", std::string(), "YAML run configuration")
      .add_flag("dump-config", "print the effective configuration as YAML and exit")
      .add_string("resume", "DIR", std::string(), "continue the run in model directory DIR (or one of its checkpoints)")
      .add_int("examples", 0, "after training, decode the dev set (else training pairs) greedily, show N and the share right");
  for (const Alias& a : kAliases) args.add_string(a.name, "VALUE", std::string(), std::string("same as --") + a.key);
  train::FlatOptions defaults = train::run_config_to_map(train::RunConfig{});
  for (const models::ModelFamily* family : models::model_families()) {  // every family's defaults for --help
    models::ModelConfig c;
    c.type = family->name;
    for (const auto& [k, v] : models::to_pairs(c)) defaults.emplace("model." + k, v);
  }
  for (const auto& [key, help] : train::run_config_help()) {
    auto it = defaults.find(key);
    args.add_string(key, "VALUE", it == defaults.end() ? std::string() : it->second, help);
  }
  // A family's options also without their section (--model.hidden_size):
  // they mean the chosen family's, as in a config file.
  std::vector<std::string> bare_model_keys;
  for (const auto& [key, help] : models::option_help()) {
    std::string bare = "model." + key.substr(key.rfind('.') + 1);
    if (bare != key && !args.declared(bare) &&
        std::find(bare_model_keys.begin(), bare_model_keys.end(), bare) == bare_model_keys.end()) {
      args.add_unlisted_string(bare);
      bare_model_keys.push_back(bare);
    }
  }
  if (!args.parse(argv)) {
    out.help = true;
    out.help_text = args.help();
    return out;
  }

  train::FlatOptions cmdline;
  for (const auto& [key, help] : train::run_config_help())
    if (args.given(key)) cmdline[key] = args.get_string(key);
  for (const std::string& key : bare_model_keys)
    if (args.given(key)) cmdline[key] = args.get_string(key);
  for (const Alias& a : kAliases) {
    if (!args.given(a.name)) continue;
    S2S_CHECK(!cmdline.count(a.key), "s2s train: --", a.name, " and --", a.key, " set the same option; give one");
    cmdline[a.key] = args.get_string(a.name);
  }
  io::ConfigFile file;
  if (config) {
    S2S_CHECK(!args.given("config"), "s2s train: --config and a configuration already read: give one");
    file = *config;
  } else if (args.given("config")) {
    file = io::read_yaml_config(args.get_string("config"));
  }
  out.resume = args.get_string("resume");
  out.config = app::assemble_run_config(file, cmdline, out.resume);
  out.dump_config = args.get_flag("dump-config");
  out.examples = args.get_int("examples");
  S2S_CHECK(out.examples >= 0, "s2s train: --examples must be >= 0, got ", out.examples);
  return out;
}

int train_command(std::span<const std::string> argv) {
  TrainArgs parsed = parse_train_args(argv);
  if (parsed.help) {
    std::printf("%s", parsed.help_text.c_str());
    return 0;
  }
  const train::RunConfig& config = parsed.config;
  const std::string& resume = parsed.resume;
  if (parsed.dump_config) {
    std::printf("# effective configuration of s2s train (model.*_vocab_size are set from the vocabularies)\n%s",
                io::to_yaml(train::run_config_to_map(config)).c_str());
    return 0;
  }
  const std::int64_t examples = parsed.examples;

  // mpirun -np N: this process is one rank of a data-parallel run.
  std::unique_ptr<train::Communicator> processes = train::make_communicator(config.train.comm_timeout);
  app::TrainingRunOptions run;
  run.resume = resume;
  run.processes = processes.get();
  if (processes->size() > 1) {
    install_mpi_signal_handlers(*processes, config.train.save_dir);
  } else {
    std::signal(SIGINT, on_interrupt);
    std::signal(SIGTERM, on_interrupt);
    run.interrupted = [] { return g_interrupted.load(); };
  }
  app::TrainingRunResult result;
  try {
    result = app::run_training(config, run);
  } catch (const std::exception& e) {
    if (processes->size() == 1) throw;
    // One rank's error ends them all (the others would wait for it): say
    // which and why, then abort the job. When every rank fails alike (a
    // refused start), rank 0 goes first and its abort takes the others
    // down before they repeat the message.
    g_stop_message_len = 0;  // the signals that follow are this abort's
    if (processes->rank() != 0) std::this_thread::sleep_for(std::chrono::seconds(2));
    std::fprintf(stderr, "s2s: error: %s: %s\n", processes->where().c_str(), e.what());
    processes->abort(1);
  }
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  if (processes->rank() != 0) return 0;  // rank 0 reports
  if (result.train.reason == train::StopReason::Interrupted) {
    std::fprintf(stderr, "s2s train: interrupted at step %lld; continue with: s2s train --resume %s\n",
                 static_cast<long long>(result.train.step), config.train.save_dir.c_str());
    return 130;
  }
  if (examples > 0) print_examples(config, examples);
  return 0;
}

}  // namespace s2s::cli
