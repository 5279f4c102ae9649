// The sum of an update's gradients over processes: rank order, absent
// gradients skipped (not added as zeros), chunk boundaries inside and
// between parameters, and what travels with it (loss in rank order, rank
// 0's RNG and clock, a stop request from any rank).
#include "s2s/train/gradient_exchange.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "support/thread_communicator.h"

namespace s2s::train {
namespace {

using testing::run_ranks;

// Values whose sums round differently in different orders (mixed magnitudes).
float value_of(int rank, std::size_t param, std::int64_t i) {
  const float scale[] = {1e-3f, 1.0f, 3e4f};
  return scale[(rank + static_cast<int>(i)) % 3] * std::sin(0.37f * static_cast<float>(i + 1) + static_cast<float>(rank * 7 + param));
}

// Parameters of 7, 1 and 12 values; which ranks have a gradient for which.
const std::vector<std::int64_t> kSizes{7, 1, 12};
const bool kHas[3][3] = {{true, false, true}, {true, false, false}, {true, false, true}};

std::vector<autograd::Parameter> params_of(int rank) {
  std::vector<autograd::Parameter> ps;
  for (std::size_t p = 0; p < kSizes.size(); ++p) {
    ps.emplace_back(std::string(1, static_cast<char>('a' + p)), Tensor::zeros(Shape{kSizes[p]}));
    if (!kHas[rank][p]) continue;
    ps.back().grad = Tensor::empty(Shape{kSizes[p]});
    for (std::int64_t i = 0; i < kSizes[p]; ++i) ps.back().grad.f32()[i] = value_of(rank, p, i);
  }
  return ps;
}

// (1 + 1e-16) + 1e-16 = 1, but 1 + (1e-16 + 1e-16) > 1: the order shows.
double loss_of(int rank) { return rank == 0 ? 1.0 : 1e-16; }

bool same_bits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }

TEST(GradientExchange, SumsInRankOrderSkippingAbsentGradients) {
  // The reference: accumulation's order, (g0 + g1) + g2, a missing gradient
  // skipped; from the stored values (an inlined product could be fused into the sum).
  std::vector<std::vector<autograd::Parameter>> inputs{params_of(0), params_of(1), params_of(2)};
  std::vector<std::vector<float>> expected(kSizes.size());
  std::vector<bool> any(kSizes.size(), false);
  for (std::size_t p = 0; p < kSizes.size(); ++p)
    for (int r = 0; r < 3; ++r) {
      if (!kHas[r][p]) continue;
      const std::vector<float> v = inputs[static_cast<std::size_t>(r)][p].grad.to_vector();
      if (!any[p]) expected[p] = v;
      else
        for (std::size_t i = 0; i < v.size(); ++i) expected[p][i] += v[i];
      any[p] = true;
    }
  // The grouping (g0 + (g1 + g2)) must differ somewhere, or the test could not tell the orders apart.
  bool order_matters = false;
  const std::vector<float> g0 = inputs[0][0].grad.to_vector(), g1 = inputs[1][0].grad.to_vector(), g2 = inputs[2][0].grad.to_vector();
  for (std::size_t i = 0; i < g0.size(); ++i) order_matters |= !same_bits(expected[0][i], g0[i] + (g1[i] + g2[i]));
  ASSERT_TRUE(order_matters);

  for (std::int64_t chunk : {5, 1, 64}) {  // pieces inside and across parameters; one piece for all
    std::vector<std::vector<autograd::Parameter>> params(3);
    std::vector<UpdateShare> shares(3);
    std::vector<std::string> errors = run_ranks(3, [&](Communicator& comm) {
      const auto r = static_cast<std::size_t>(comm.rank());
      params[r] = params_of(comm.rank());
      std::vector<autograd::Parameter*> ptrs;
      for (auto& p : params[r]) ptrs.push_back(&p);
      GradientExchange exchange(comm, ptrs, chunk);
      UpdateShare& s = shares[r];
      s.loss_sum = loss_of(comm.rank());
      s.stop = r == 2;
      s.rng = {100 + r, 200 + r};
      s.elapsed_s = 10.0 + static_cast<double>(r);
      exchange.sum(s);
    });
    for (int r = 0; r < 3; ++r) {
      ASSERT_EQ(errors[static_cast<std::size_t>(r)], "") << "rank " << r;
      const UpdateShare& s = shares[static_cast<std::size_t>(r)];
      EXPECT_EQ(s.loss_sum, 1.0) << "rank " << r;  // rank order, in double
      EXPECT_TRUE(s.stop);
      EXPECT_EQ(s.rng.seed, 100u);
      EXPECT_EQ(s.rng.offset, 200u);
      EXPECT_EQ(s.elapsed_s, 10.0);
      for (std::size_t p = 0; p < kSizes.size(); ++p) {
        const Tensor& g = params[static_cast<std::size_t>(r)][p].grad;
        ASSERT_EQ(g.defined(), any[p]) << "rank " << r << " parameter " << p << " chunk " << chunk;
        for (std::int64_t i = 0; any[p] && i < kSizes[p]; ++i)
          EXPECT_TRUE(same_bits(g.f32()[i], expected[p][static_cast<std::size_t>(i)]))
              << "rank " << r << " parameter " << p << " value " << i << " chunk " << chunk;
      }
    }
  }
}

TEST(GradientExchange, BytesPerUpdateCountTheGradientsOnce) {
  std::vector<autograd::Parameter> ps = params_of(0);
  std::vector<autograd::Parameter*> ptrs;
  for (auto& p : ps) ptrs.push_back(&p);
  SingleProcess one;
  GradientExchange exchange(one, ptrs);
  EXPECT_GE(exchange.bytes_per_update(), 20 * 4);
  EXPECT_LT(exchange.bytes_per_update(), 20 * 4 + 64);
  UpdateShare s;
  s.loss_sum = 3;
  exchange.sum(s);  // one process: nothing to do
  EXPECT_EQ(s.loss_sum, 3);
  EXPECT_FALSE(ps[1].grad.defined());
}

}  // namespace
}  // namespace s2s::train
