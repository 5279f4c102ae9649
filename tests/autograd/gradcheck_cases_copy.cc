// Finite-difference cases for copy_mixture (copy attention's output
// distribution), alone and under the cross-entropy that trains it. The
// attention enters through softmax so that it is a distribution, as the
// model's is; ids are built inside each case.
#include "autograd/gradcheck.h"

namespace s2s::testing {
namespace {

using autograd::Graph;
using autograd::Var;
using V = std::vector<Var>;

// logits [N, 7], gate [N, 1], attention scores [N, 4].
auto copy_inputs(std::int64_t n) {
  return [=](Rng& r) {
    return std::vector{random_tensor(r, {n, 7}), random_tensor(r, {n, 1}, -2.0f, 2.0f), random_tensor(r, {n, 4})};
  };
}

// Two sentences, vocabulary 7, width 10. Sentence 0: id 7 at two positions
// (their mass adds up), a vocabulary id (3: mixed with the softmax) and
// padding (0: not copied); sentence 1: two extended ids, a vocabulary id and
// </s>. Rows r read sentence r % 2.
Tensor copy_ids() { return Tensor::from_ids({7, 3, 7, 0, 8, 9, 5, 2}, {2, 4}); }

// The extended columns a row's sentence lacks (-inf: 8, 9 on sentence 0's
// rows, 7 on sentence 1's), masked out of the weighted sum.
Tensor absent_columns() {
  Tensor m = Tensor::zeros(Shape{6, 10});
  for (std::int64_t r = 0; r < 6; r += 2) m.f32()[r * 10 + 8] = m.f32()[r * 10 + 9] = 1.0f;
  for (std::int64_t r = 1; r < 6; r += 2) m.f32()[r * 10 + 7] = 1.0f;
  return m;
}

S2S_GRAD_CASE("copy_mixture", copy_inputs(6), [](Graph&, const V& x) {
  return autograd::masked_fill(autograd::copy_mixture(x[0], x[1], autograd::softmax(x[2]), copy_ids(), 10),
                               absent_columns(), 0.0f);
});
S2S_GRAD_CASE("copy_mixture one row, width = vocabulary", copy_inputs(1), [](Graph&, const V& x) {
  return autograd::copy_mixture(x[0], x[1], autograd::softmax(x[2]), Tensor::from_ids({4, 6, 4, 1}, {1, 4}), 7);
});
// The training loss: smoothed cross-entropy over the target vocabulary only,
// gold ids in the vocabulary, in the copy columns, and one padding target.
S2S_GRAD_CASE("copy_mixture under cross_entropy, smoothing over the vocabulary", copy_inputs(6), [](Graph&, const V& x) {
  Var y = autograd::copy_mixture(x[0], x[1], autograd::softmax(x[2]), copy_ids(), 10);
  autograd::CrossEntropyOptions ce;
  ce.ignore_index = 0;
  ce.label_smoothing = 0.1f;
  ce.smoothing_classes = 7;
  ce.reduction = autograd::Reduction::Sum;
  return autograd::cross_entropy(y, Tensor::from_ids({7, 9, 3, 0, 4, 8}, {6}), ce);
});
S2S_GRAD_CASE("cross_entropy smoothing over the first columns", [](Rng& r) { return std::vector{random_tensor(r, {3, 9})}; },
              [](Graph&, const V& x) {
                autograd::CrossEntropyOptions ce;
                ce.label_smoothing = 0.2f;
                ce.smoothing_classes = 5;
                return autograd::cross_entropy(x[0], Tensor::from_ids({1, 7, 4}, {3}), ce);
              });

}  // namespace
}  // namespace s2s::testing
