// Decoding metrics during training (train.valid_metrics): the values are the
// greedy translations of the dev set scored against its references, they
// appear in the log, train.valid_metric can name one of them to pick the best
// model and drive early stopping, and decoding leaves training untouched.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/run_quietly.h"
#include "s2s/core/error.h"
#include "s2s/io/atomic_file.h"
#include "s2s/io/checkpoint.h"
#include "s2s/io/model_dir.h"
#include "s2s/app/training_run.h"
#include "s2s/metrics/evaluate.h"
#include "s2s/search/greedy.h"
#include "support/error_of.h"
#include "support/temp_dir.h"
#include "train/tiny_run.h"

namespace s2s::io {
namespace {

using s2s::testing::error_of;

using testing::run_quietly;

std::vector<nlohmann::json> valid_events(const std::string& model_dir) {
  std::vector<nlohmann::json> out;
  std::ifstream in(model_dir + "/train.log.jsonl");
  std::string line;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line);
    if (j.at("event") == "valid") out.push_back(j);
  }
  return out;
}

train::RunConfig with(train::RunConfig c, const train::FlatOptions& changes) {
  train::FlatOptions m = train::run_config_to_map(c);
  for (const auto& [k, v] : changes) m[k] = v;
  return train::run_config_from_map(m);
}

TEST(ValidMetrics, AreLoggedAndPickTheBestModelByWer) {
  testing::TempDir dir;
  testing::write_tiny_corpus(dir.path());
  train::RunConfig c = with(testing::tiny_config(dir.path()),
                            {{"train.valid_metrics", "BLEU, wer"}, {"train.valid_metric", "wer"}, {"train.steps", "150"}});
  auto r = run_quietly(c);
  auto events = valid_events(dir.file("model"));
  ASSERT_EQ(events.size(), 6u);  // every 25 steps
  // The best model is the first validation with the lowest WER.
  double best = 0;
  std::int64_t best_step = 0;
  for (const auto& e : events) {
    ASSERT_TRUE(e.at("bleu").is_number() && e.at("wer").is_number()) << e.dump();
    double wer = e.at("wer").get<double>(), bleu = e.at("bleu").get<double>();
    EXPECT_GE(wer, 0.0);
    EXPECT_GE(bleu, 0.0);
    EXPECT_LE(bleu, 100.0);
    bool improved = best_step == 0 || wer < best;
    EXPECT_EQ(e.at("improved").get<bool>(), improved) << e.dump();
    if (improved) best = wer, best_step = e.at("step").get<std::int64_t>();
  }
  EXPECT_EQ(r.train.best_step, best_step);
  EXPECT_EQ(r.train.best_metric, best);
  ASSERT_TRUE(r.train.validated);
  ASSERT_EQ(r.train.last_validation.decoded.size(), 2u);
  EXPECT_EQ(r.train.last_validation.decoded[0].first, "bleu");
  EXPECT_EQ(r.train.last_validation.decoded[1].first, "wer");
  EXPECT_EQ(r.train.last_validation.decoded[1].second, events.back().at("wer").get<double>());

  // The saved best model decodes the dev set to exactly the logged WER.
  ModelDir m = load_model_dir(dir.file("model"));
  EXPECT_EQ(m.weights_metadata.at("step"), std::to_string(best_step));
  std::vector<std::string> src;
  std::vector<std::vector<std::string>> refs(1);
  std::ifstream in(dir.file("dev.tsv"));
  std::string line;
  while (std::getline(in, line)) {
    src.push_back(line.substr(0, line.find('\t')));
    refs[0].push_back(line.substr(line.find('\t') + 1));
  }
  auto hyps = search::greedy_translate(*m.model, {m.vocab.src_tokenizer.get(), m.vocab.src_vocab.get()},
                                       {m.vocab.tgt_tokenizer.get(), m.vocab.tgt_vocab.get()}, src, false);
  auto scores = metrics::evaluate(hyps, refs, std::vector<std::string>{"wer"});
  EXPECT_DOUBLE_EQ(scores.at(0).score, best);
}

TEST(ValidMetrics, WerDrivesEarlyStopping) {
  testing::TempDir dir;
  testing::write_tiny_corpus(dir.path());
  // A tiny learning rate barely moves the greedy outputs: WER stops improving
  // long before the step limit while the loss still creeps down.
  train::RunConfig c = with(testing::tiny_config(dir.path()),
                            {{"train.valid_metrics", "wer,bleu"}, {"train.valid_metric", "wer"}, {"train.patience", "2"},
                             {"optim.lr", "1e-6"}, {"train.steps", "2000"}});
  auto r = run_quietly(c);
  EXPECT_EQ(r.train.reason, train::StopReason::EarlyStopping);
  auto events = valid_events(dir.file("model"));
  // Replay patience on the logged WER: training stops at the second
  // validation in a row that does not beat the best.
  double best = 0;
  std::int64_t bad = 0, stop_step = -1, first = 0;
  for (const auto& e : events) {
    double wer = e.at("wer").get<double>();
    bool improved = first++ == 0 || wer < best;
    bad = improved ? 0 : bad + 1;
    if (improved) best = wer;
    EXPECT_EQ(e.at("bad_checks").get<std::int64_t>(), bad) << e.dump();
    if (bad >= 2) {
      stop_step = e.at("step").get<std::int64_t>();
      break;
    }
  }
  EXPECT_EQ(r.train.step, stop_step);
  EXPECT_EQ(events.back().at("step").get<std::int64_t>(), stop_step);
  // The loss kept falling, so it was WER that stopped the run.
  for (std::size_t k = 1; k < events.size(); ++k)
    EXPECT_LT(events[k].at("loss").get<double>(), events[k - 1].at("loss").get<double>());
}

TEST(ValidMetrics, DecodingDoesNotChangeTraining) {
  testing::TempDir a, b;
  for (auto* d : {&a, &b}) testing::write_tiny_corpus(d->path());
  train::RunConfig ca = with(testing::tiny_config(a.path()), {{"train.steps", "100"}});
  train::RunConfig cb = with(testing::tiny_config(b.path()), {{"train.steps", "100"}, {"train.valid_metrics", "bleu,chrf,wer,ser,per"},
                                                             {"train.valid_max_sentences", "10"}});
  run_quietly(ca);
  run_quietly(cb);
  std::string ka = find_checkpoint(a.file("model")), kb = find_checkpoint(b.file("model"));
  EXPECT_EQ(checkpoint_step(kb), 100);
  EXPECT_TRUE(read_file(ka + "/model.safetensors") == read_file(kb + "/model.safetensors"));
  EXPECT_TRUE(read_file(ka + "/optimizer.safetensors") == read_file(kb + "/optimizer.safetensors"));
  auto ta = nlohmann::json::parse(read_file(ka + "/trainer.json")), tb = nlohmann::json::parse(read_file(kb + "/trainer.json"));
  ta.erase("elapsed_s"), tb.erase("elapsed_s");
  EXPECT_EQ(ta, tb);
  auto events = valid_events(b.file("model"));
  ASSERT_FALSE(events.empty());
  for (const char* k : {"bleu", "chrf", "wer", "ser", "per"}) EXPECT_TRUE(events[0].contains(k)) << k;
  EXPECT_FALSE(valid_events(a.file("model"))[0].contains("bleu"));
}

TEST(ValidMetrics, OptionsAreChecked) {
  testing::TempDir dir;
  train::RunConfig base = testing::tiny_config(dir.path());
  EXPECT_NE(error_of([&] { with(base, {{"train.valid_metric", "bleu"}}); }).find("train.valid_metric: expected loss, accuracy or a metric listed in train.valid_metrics (now: none), got 'bleu'"),
            std::string::npos);
  EXPECT_NE(error_of([&] { with(base, {{"train.valid_metrics", "wer"}, {"train.valid_metric", "chrf"}}); }).find("train.valid_metric"),
            std::string::npos);
  EXPECT_NE(error_of([&] { with(base, {{"train.valid_metrics", "bleu,rouge"}}); }).find("train.valid_metrics: expected names"),
            std::string::npos);
  EXPECT_NE(error_of([&] { with(base, {{"train.valid_metrics", "bleu,BLEU"}}); }).find("listed twice"), std::string::npos);
  EXPECT_NE(error_of([&] { with(base, {{"train.valid_metrics", "bleu"}, {"data.dev", ""}}); }).find("need a dev set"),
            std::string::npos);
  EXPECT_NE(error_of([&] { with(base, {{"train.valid_max_sentences", "-1"}}); }).find("train.valid_max_sentences"), std::string::npos);
  EXPECT_EQ(train::parse_valid_metrics(" chrfpp ,PER"), (std::vector<std::string>{"chrf++", "per"}));
  // The plateau schedule follows the metric's direction.
  EXPECT_TRUE(train::schedule_config(with(base, {{"train.valid_metrics", "bleu"}, {"train.valid_metric", "bleu"}})).plateau.maximize);
  EXPECT_FALSE(train::schedule_config(with(base, {{"train.valid_metrics", "wer"}, {"train.valid_metric", "wer"}})).plateau.maximize);
}

}  // namespace
}  // namespace s2s::io
