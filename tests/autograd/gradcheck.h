#pragma once
// Table of finite-difference gradient checks, one or more per op. Cases are
// registered from tests/autograd/gradcheck_cases_*.cc with S2S_GRAD_CASE; the
// test in gradcheck_test.cc runs them all and fails when a listed op
// (autograd/op_list.h) appears on no case's tape.
#include <functional>
#include <string>
#include <vector>

#include "s2s/autograd/graph.h"
#include "s2s/autograd/ops.h"
#include "support/random.h"

namespace s2s::testing {

struct GradCase {
  std::string name;
  // The float inputs whose gradients are checked (each becomes a leaf).
  std::function<std::vector<Tensor>(Rng&)> make_inputs;
  // Builds the op(s) under test from the leaves. Must be deterministic:
  // it is called again for every finite-difference evaluation.
  std::function<autograd::Var(autograd::Graph&, const std::vector<autograd::Var>&)> build;
  // Tolerances: |analytic - numeric| <= atol + rtol * max(|analytic|, |numeric|).
  double atol = 1e-3;
  double rtol = 1e-2;
  float eps = 1e-2f;
};

std::vector<GradCase>& grad_cases();

struct GradCaseRegistrar {
  explicit GradCaseRegistrar(GradCase c) { grad_cases().push_back(std::move(c)); }
};

#define S2S_GRAD_CASE_CAT2(a, b) a##b
#define S2S_GRAD_CASE_CAT(a, b) S2S_GRAD_CASE_CAT2(a, b)
#define S2S_GRAD_CASE(...) \
  static ::s2s::testing::GradCaseRegistrar S2S_GRAD_CASE_CAT(grad_case_, __LINE__)(::s2s::testing::GradCase{__VA_ARGS__})

}  // namespace s2s::testing
