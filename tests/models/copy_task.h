#pragma once
// The synthetic rewriting task of the copy attention tests (every family
// that copies): source 3-8 tokens drawn from a0..a39 and X; target the same
// with every X replaced by Y. The target vocabulary holds Y and four tokens
// the task never uses, so every a token is a source OOV: only copying can
// produce it. A tiny training loop (Adam, clipping, label-smoothed
// cross-entropy over the target vocabulary) and decoding through search::
// (greedy or beam over the extended vocabulary, output strings read through
// each sentence's data::SourceCopy) measure what a model learns.
#include <memory>
#include <string>
#include <vector>

#include "models/model_test_util.h"
#include "s2s/autograd/ops.h"
#include "s2s/data/source_copy.h"
#include "s2s/data/vocab.h"
#include "s2s/models/model_config.h"
#include "s2s/search/search.h"
#include "s2s/train/adam.h"
#include "s2s/train/clip_grad.h"

namespace s2s::testing {

using Seqs = std::vector<std::vector<std::int32_t>>;
using Sentences = std::vector<std::vector<std::string>>;

// A time-major copy-id batch ([T, B], kPad after the end) for make_batch's source.
inline Tensor copy_batch(const Seqs& copy_ids) { return make_batch(copy_ids).ids; }

struct CopyTask {
  data::Vocab src, tgt;
  // "a" + std::to_string(k) trips GCC 12's -Wrestrict false positive.
  static std::string word(std::uint64_t k) { return std::string("a").append(std::to_string(k)); }
  CopyTask() {
    for (int k = 0; k < 40; ++k) src.add(word(static_cast<std::uint64_t>(k)), 1);
    src.add("X", 1);
    for (const char* t : {"Y", "b0", "b1", "b2", "b3"}) tgt.add(t, 1);
  }
  std::vector<std::string> random_source(Rng& rng) const {
    std::vector<std::string> s;
    for (std::uint64_t n = 3 + rng.below(6); n > 0; --n)
      s.push_back(rng.below(6) == 0 ? std::string("X") : word(rng.below(40)));
    return s;
  }
  static std::vector<std::string> rewrite(std::vector<std::string> s) {
    for (std::string& t : s)
      if (t == "X") t = "Y";
    return s;
  }
};

struct CopyEncoded {
  models::TokenBatch src;
  Seqs tgt;                              // target ids (extended with copy; <unk> without)
  std::vector<data::SourceCopy> copies;  // each sentence's extended vocabulary
};

inline CopyEncoded encode_copy_task(const CopyTask& task, const Sentences& sources, bool copy) {
  CopyEncoded e;
  Seqs src_ids, copy_ids;
  for (const auto& s : sources) {
    std::vector<std::int32_t> ids;
    task.src.encode(s, ids);
    src_ids.push_back(ids);
    data::SourceCopy sc;
    sc.assign(s, task.tgt);
    copy_ids.push_back(sc.ids());
    std::vector<std::int32_t> y;
    for (const std::string& t : CopyTask::rewrite(s)) y.push_back(copy ? sc.target_id(t, task.tgt) : task.tgt.id(t));
    e.tgt.push_back(y);
    e.copies.push_back(std::move(sc));
  }
  e.src = make_batch(src_ids);
  if (copy) e.src.copy_ids = copy_batch(copy_ids);
  return e;
}

struct CopyTrainSetup {
  std::int64_t steps = 400;
  std::int64_t batch = 32;
  double lr = 1e-2;          // constant over the first half, then falling linearly to 0
  std::int64_t warmup = 0;   // > 0: rising linearly over the first `warmup` steps
};

// Trains a model of `config` (its vocabulary sizes are the task's) on fresh
// random batches; seeds fixed.
inline std::unique_ptr<models::EncoderDecoder> train_copy_task(const CopyTask& task, const models::ModelConfig& config,
                                                               const CopyTrainSetup& s) {
  const bool copy = models::copies_source(config);
  Rng init(1), data_rng(2), dropout_rng(3);
  auto model = models::build_model(config, init);
  train::AdamOptions ao;
  ao.lr = s.lr;
  train::Adam adam(model->parameters(), ao);
  autograd::CrossEntropyOptions ce;
  ce.ignore_index = models::kPad;
  ce.smoothing_classes = task.tgt.size();
  models::ForwardOptions fo;
  fo.rng = &dropout_rng;
  autograd::Graph g;
  for (std::int64_t step = 0; step < s.steps; ++step) {
    Sentences sources;
    for (std::int64_t b = 0; b < s.batch; ++b) sources.push_back(task.random_source(data_rng));
    CopyEncoded e = encode_copy_task(task, sources, copy);
    double lr = step < s.steps / 2 ? s.lr
                                   : s.lr * 2.0 * static_cast<double>(s.steps - step) / static_cast<double>(s.steps);
    if (step < s.warmup) lr *= static_cast<double>(step + 1) / static_cast<double>(s.warmup);
    adam.set_lr(lr);
    adam.zero_grad();
    autograd::Var y = model->forward(g, e.src, make_decoder_input(e.tgt), fo);
    g.backward(autograd::cross_entropy(y, make_decoder_output(e.tgt), ce));
    g.clear();
    train::clip_grad_norm(adam.params(), 1.0);
    adam.step();
  }
  return model;
}

// Output strings of each sentence: extended ids are the sentence's source tokens.
inline Sentences decode_copy_task(models::EncoderDecoder& model, const CopyTask& task, const CopyEncoded& e,
                                  std::int64_t beam) {
  search::Ensemble ensemble({&model});
  search::SearchOptions o;
  o.beam_size = beam;
  Sentences out;
  std::vector<search::SentenceResult> results = search::decode(ensemble, std::span<const models::TokenBatch>(&e.src, 1), o);
  for (std::size_t b = 0; b < results.size(); ++b) {
    EXPECT_TRUE(results[b].error.empty()) << results[b].error;
    std::vector<std::string> words;
    for (std::int32_t id : results[b].hypotheses.at(0).tokens)
      words.push_back(model.copies_source() ? e.copies[b].token(id, task.tgt) : task.tgt.token(id));
    out.push_back(words);
  }
  return out;
}

inline double copy_exact_match(const Sentences& got, const Sentences& sources) {
  std::size_t ok = 0;
  for (std::size_t i = 0; i < got.size(); ++i) ok += got[i] == CopyTask::rewrite(sources[i]);
  return static_cast<double>(ok) / static_cast<double>(got.size());
}

}  // namespace s2s::testing
