#pragma once
// A tiny reverse-the-sequence task and a tiny model of each family, so that
// whole training runs (with checkpoints, validation, resume) take well under
// a second.
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "s2s/core/error.h"
#include "s2s/core/rng.h"
#include "s2s/data/batch.h"
#include "s2s/data/batch_plan.h"
#include "s2s/data/dataset.h"
#include "s2s/models/model_family.h"
#include "s2s/train/run_config.h"

namespace s2s::testing {

// Pairs of random ids in [4, vocab) of length 3..6 and their reversal.
inline std::shared_ptr<data::Dataset> reverse_dataset(int pairs, std::uint64_t seed, std::int32_t vocab = 12) {
  auto ds = std::make_shared<data::Dataset>(vocab);
  Rng rng(seed);
  for (int i = 0; i < pairs; ++i) {
    std::vector<std::int32_t> src(3 + rng.below(4));
    for (auto& t : src) t = 4 + static_cast<std::int32_t>(rng.below(static_cast<std::uint64_t>(vocab - 4)));
    std::vector<std::int32_t> tgt(src.rbegin(), src.rend());
    ds->add(src, tgt);
  }
  return ds;
}

inline std::vector<data::Batch> batches_of(const data::Dataset& ds, std::int64_t sentences) {
  data::BatchOptions o;
  o.batch_sentences = sentences;
  o.shuffle = false;
  Rng rng(0);
  auto plan = data::plan_batches(ds, o, rng);
  std::vector<data::Batch> out(plan.batches());
  for (std::size_t k = 0; k < plan.batches(); ++k) data::make_batch(ds, plan.batch(k), false, out[k]);
  return out;
}

// The same task as text: "cadb<TAB>bdac" lines over the letters a..h.
inline void write_reverse_tsv(const std::string& path, int pairs, std::uint64_t seed) {
  std::ofstream out(path);
  Rng rng(seed);
  for (int i = 0; i < pairs; ++i) {
    std::string s(3 + rng.below(4), 'a');
    for (auto& c : s) c = static_cast<char>('a' + rng.below(8));
    out << s << '\t' << std::string(s.rbegin(), s.rend()) << '\n';
  }
}

// Every registered model family by name: the whole-run tests instantiate
// over these, so a new family needs its tiny model below to pass them.
inline std::vector<std::string> model_families() {
  std::vector<std::string> names;
  for (const models::ModelFamily* f : models::model_families()) names.emplace_back(f->name);
  return names;
}

// The model part of a tiny run: a GRU + Bahdanau model (hidden 16), a
// 2+2-layer pre-norm Transformer of width 16 with 2 heads, or a 2+2-layer
// ConvS2S with 16 channels. All have dropout (the Transformer on its attention
// weights too), so that every RNG the trainer owns is exercised.
inline train::FlatOptions tiny_model_options(const std::string& family) {
  if (family == "convs2s")
    return {{"model.type", "convs2s"},        {"model.embedding_size", "16"}, {"model.convs2s.channels", "16"},
            {"model.convs2s.layers", "2"},    {"model.dropout", "0.1"}};
  if (family == "transformer")
    return {{"model.type", "transformer"},          {"model.embedding_size", "16"},
            {"model.transformer.d_model", "16"},    {"model.transformer.heads", "2"},
            {"model.transformer.ffn_size", "32"},   {"model.transformer.layers", "2"},
            {"model.transformer.attention_dropout", "0.1"}, {"model.dropout", "0.1"}};
  S2S_CHECK(family == "rnn", "tiny_model_options: no tiny model for the family '", family, "' (add one here)");
  return {{"model.hidden_size", "16"}, {"model.embedding_size", "8"}, {"model.dropout", "0.1"}};
}

// A tiny run of `family` on the reverse task; the RNN also has scheduled
// sampling (RNN-only).
inline train::RunConfig tiny_config(const std::string& dir, const std::string& family = "rnn") {
  train::FlatOptions o{
      {"data.train", dir + "/train.tsv"}, {"data.dev", dir + "/dev.tsv"}, {"data.batch_sentences", "16"},
      {"data.batch_tokens", "0"},         {"data.max_len", "0"},          {"optim.lr", "0.01"},
      {"optim.clip_norm", "1"},           {"train.valid_every", "25"},    {"train.save_every", "40"},
      {"train.report_every", "1000"},     {"train.seed", "7"},            {"train.threads", "1"},
      {"train.progress", "false"},        {"train.save_dir", dir + "/model"},
  };
  for (const auto& [k, v] : tiny_model_options(family)) o[k] = v;
  if (family == "rnn") o["train.teacher_forcing"] = "0.8";
  return train::run_config_from_map(o);
}

inline void write_tiny_corpus(const std::string& dir) {
  write_reverse_tsv(dir + "/train.tsv", 200, 1);
  write_reverse_tsv(dir + "/dev.tsv", 30, 2);
}

}  // namespace s2s::testing
