// Checkpointing: state out, state in, and bitwise-identical continuation.
#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <memory>

#include "s2s/core/parallel.h"
#include "s2s/train/adagrad.h"
#include "s2s/train/adam.h"
#include "s2s/train/rmsprop.h"
#include "s2s/train/sgd.h"
#include "train/optim_harness.h"

namespace s2s::train {
namespace {

using Params = std::vector<autograd::Parameter*>;
using Factory = std::function<std::unique_ptr<Optimizer>(Params)>;

struct Model {
  autograd::Parameter enc = testing::make_test_param("enc.w", 37);
  autograd::Parameter dec = testing::make_test_param("dec.w", 8);
  autograd::Parameter frozen{"frozen", Tensor::full({3}, 0.5f), false};
  Params params() { return {&enc, &dec, &frozen}; }
};

void train(Optimizer& opt, Model& m, int first_step, int steps) {
  for (int t = first_step; t < first_step + steps; ++t) {
    opt.zero_grad();
    testing::fill_test_grad(m.enc, t);
    testing::fill_test_grad(m.dec, t);
    opt.step();
  }
}

bool bitwise_equal(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && std::memcmp(a.f32(), b.f32(), a.nbytes()) == 0;
}

// Every optimizer with the options that give it all its slots.
std::vector<std::pair<std::string, Factory>> factories() {
  return {
      {"sgd", [](Params p) { return std::make_unique<Sgd>(p, SgdOptions{.lr = 0.01, .momentum = 0.9, .nesterov = true}); }},
      {"adam", [](Params p) { return std::make_unique<Adam>(p, AdamOptions{.lr = 0.01, .amsgrad = true}); }},
      {"adamw", [](Params p) { return std::make_unique<AdamW>(p, AdamWOptions{.lr = 0.01, .weight_decay = 0.1}); }},
      {"rmsprop",
       [](Params p) {
         return std::make_unique<Rmsprop>(p, RmspropOptions{.lr = 0.001, .momentum = 0.5, .centered = true});
       }},
      {"adagrad", [](Params p) { return std::make_unique<Adagrad>(p, AdagradOptions{.lr = 0.05, .lr_decay = 0.01}); }},
  };
}

TEST(OptimizerState, ResumeIsBitwiseIdentical) {
  for (auto& [name, make] : factories()) {
    // 200 uninterrupted steps.
    Model straight;
    auto opt_a = make(straight.params());
    opt_a->set_lr(opt_a->lr() * 0.5);
    train(*opt_a, straight, 1, 200);

    // 100 steps, save, load into a fresh model and optimizer, 100 more.
    Model first;
    auto opt_b = make(first.params());
    opt_b->set_lr(opt_b->lr() * 0.5);  // the lr is part of the saved state
    train(*opt_b, first, 1, 100);
    NamedTensors saved;
    for (auto& [key, t] : opt_b->state_tensors()) saved.emplace_back(key, t.clone());
    NamedScalars scalars = opt_b->state_scalars();

    Model resumed;
    resumed.enc.value.copy_from(first.enc.value);
    resumed.dec.value.copy_from(first.dec.value);
    auto opt_c = make(resumed.params());
    opt_c->load_state(saved, scalars);
    EXPECT_EQ(opt_c->step_count(), 100) << name;
    EXPECT_EQ(opt_c->lr(), opt_a->lr()) << name;
    train(*opt_c, resumed, 101, 100);

    EXPECT_TRUE(bitwise_equal(straight.enc.value, resumed.enc.value)) << name;
    EXPECT_TRUE(bitwise_equal(straight.dec.value, resumed.dec.value)) << name;
    auto sa = opt_a->state_tensors(), sc = opt_c->state_tensors();
    ASSERT_EQ(sa.size(), sc.size());
    for (std::size_t i = 0; i < sa.size(); ++i) {
      EXPECT_EQ(sa[i].first, sc[i].first);
      EXPECT_TRUE(bitwise_equal(sa[i].second, sc[i].second)) << sa[i].first;
    }
    EXPECT_EQ(straight.frozen.value.f32()[0], 0.5f);
  }
}

TEST(OptimizerState, ResumeWithoutStateDiverges) {
  // The check above can fail: dropping the state changes the result.
  Model straight, first;
  Adam a(straight.params(), {.lr = 0.01});
  train(a, straight, 1, 20);
  Adam b(first.params(), {.lr = 0.01});
  train(b, first, 1, 10);
  Adam c(first.params(), {.lr = 0.01});
  train(c, first, 11, 10);
  EXPECT_FALSE(bitwise_equal(straight.enc.value, first.enc.value));
}

TEST(OptimizerState, NamesFollowOptimizerSlotAndParameter) {
  Model m;
  Adam adam(m.params(), {.amsgrad = true});
  auto tensors = adam.state_tensors();
  std::vector<std::string> names;
  for (auto& [key, t] : tensors) names.push_back(key);
  EXPECT_EQ(names, (std::vector<std::string>{"adam.exp_avg.enc.w", "adam.exp_avg_sq.enc.w", "adam.max_exp_avg_sq.enc.w",
                                             "adam.exp_avg.dec.w", "adam.exp_avg_sq.dec.w",
                                             "adam.max_exp_avg_sq.dec.w"}));
  EXPECT_EQ(tensors[3].second.shape(), Shape({8}));
  auto scalars = adam.state_scalars();
  ASSERT_EQ(scalars.size(), 2u);
  EXPECT_EQ(scalars[0].first, "adam.step");
  EXPECT_EQ(scalars[1].first, "adam.lr");
  EXPECT_EQ(scalars[1].second, 1e-3);

  Sgd plain(m.params());
  EXPECT_TRUE(plain.state_tensors().empty());  // no momentum, no buffer
  Rmsprop rms(m.params(), {.momentum = 0.9, .centered = true});
  EXPECT_EQ(rms.state_tensors()[1].first, "rmsprop.grad_avg.enc.w");
  EXPECT_EQ(rms.state_tensors()[2].first, "rmsprop.momentum_buffer.enc.w");
  Adagrad ada(m.params(), {.initial_accumulator_value = 0.25});
  EXPECT_EQ(ada.state_tensors()[0].first, "adagrad.sum.enc.w");
  EXPECT_EQ(ada.state_tensors()[0].second.f32()[5], 0.25f);
}

std::string load_error(Optimizer& opt, const NamedTensors& t, const NamedScalars& s) {
  try {
    opt.load_state(t, s);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(OptimizerState, LoadReportsEveryMismatchByName) {
  Model m;
  Adam source(m.params());
  NamedTensors good;
  for (auto& [key, t] : source.state_tensors()) good.emplace_back(key, t.clone());
  NamedScalars scalars = {{"adam.step", 7}, {"adam.lr", 0.5}};

  Model target_model;
  Adam target(target_model.params());
  auto expect_error = [&](const NamedTensors& t, const NamedScalars& s, const std::string& needle) {
    std::string msg = load_error(target, t, s);
    EXPECT_NE(msg.find(needle), std::string::npos) << "message: '" << msg << "', expected to mention " << needle;
    EXPECT_EQ(target.step_count(), 0);  // nothing was loaded
  };

  NamedTensors missing(good.begin() + 1, good.end());
  expect_error(missing, scalars, "no state tensor 'adam.exp_avg.enc.w'");
  NamedTensors misshapen = good;
  misshapen[2].second = Tensor::zeros({4, 2});
  expect_error(misshapen, scalars, "'adam.exp_avg.dec.w' has shape [4, 2], expected [8]");
  NamedTensors extra = good;
  extra.emplace_back("adam.exp_avg.decoder.w", Tensor::zeros({8}));
  expect_error(extra, scalars, "unexpected state tensor 'adam.exp_avg.decoder.w'");
  NamedTensors from_sgd = {{"sgd.momentum_buffer.enc.w", Tensor::zeros({37})}};
  expect_error(from_sgd, scalars, "no state tensor 'adam.exp_avg.enc.w'");
  expect_error(good, {{"adam.step", 7}}, "no scalar 'adam.lr'");
  expect_error(good, {{"adam.step", 7.5}, {"adam.lr", 0.5}}, "non-negative integer");
  expect_error(good, {{"adam.step", 7}, {"adam.lr", 0.5}, {"adam.beta9", 1}}, "unexpected scalar 'adam.beta9'");

  target.load_state(good, scalars);
  EXPECT_EQ(target.step_count(), 7);
  EXPECT_EQ(target.lr(), 0.5);
}

TEST(OptimizerState, ResultsDoNotDependOnThreadCount) {
  // Large enough to be split across threads, odd so chunks end mid-vector.
  const std::int64_t n = 200003;
  auto run = [&](int threads) {
    set_num_threads(threads);
    autograd::Parameter p = testing::make_test_param("w", n);
    Adam opt({&p}, {.lr = 0.01, .weight_decay = 0.01, .amsgrad = true});
    for (int t = 1; t <= 3; ++t) {
      testing::fill_test_grad(p, t);
      opt.step();
    }
    return p.value.clone();
  };
  int saved = num_threads();
  Tensor one = run(1), three = run(3), four = run(4);
  set_num_threads(saved);
  EXPECT_TRUE(bitwise_equal(one, three));
  EXPECT_TRUE(bitwise_equal(one, four));
}

}  // namespace
}  // namespace s2s::train
