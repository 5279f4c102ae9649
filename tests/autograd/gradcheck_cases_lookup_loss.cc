// Finite-difference cases for group B: embedding, masked_fill, dropout,
// layer_norm, cross_entropy. Integer inputs (ids, targets) and masks are
// built inside each case so every evaluation sees the same ones.
#include "autograd/gradcheck.h"

namespace s2s::testing {
namespace {

using autograd::Graph;
using autograd::Var;
using V = std::vector<Var>;

Tensor ids(std::vector<std::int32_t> v, const Shape& shape) { return Tensor::from_ids(v, shape); }

// --- embedding ---------------------------------------------------------------
// Id 1 repeats three times: its row must collect all three upstream gradients.
S2S_GRAD_CASE("embedding repeated id", [](Rng& r) { return std::vector{random_tensor(r, {7, 5})}; },
              [](Graph&, const V& x) { return autograd::embedding(x[0], ids({1, 4, 1, 6, 0, 1}, {2, 3})); });
S2S_GRAD_CASE("embedding single id, dim 1", [](Rng& r) { return std::vector{random_tensor(r, {3, 1})}; },
              [](Graph&, const V& x) { return autograd::embedding(x[0], ids({2}, {1})); });
S2S_GRAD_CASE("embedding 3-d ids, dim 17", [](Rng& r) { return std::vector{random_tensor(r, {11, 17})}; },
              [](Graph&, const V& x) { return autograd::embedding(x[0], ids({10, 0, 3, 3, 9, 2}, {1, 2, 3})); });
// padding_idx 3 is present; its outputs are masked out so the loss does not
// read the padding row (PyTorch gives that row no gradient even though the
// forward reads it; embedding_test checks that part exactly).
S2S_GRAD_CASE("embedding with padding_idx", [](Rng& r) { return std::vector{random_tensor(r, {6, 9})}; },
              [](Graph&, const V& x) {
                Var e = autograd::embedding(x[0], ids({3, 5, 3, 0, 5}, {5}), /*padding_idx=*/3);
                return autograd::masked_fill(e, Tensor::from_vector({1, 0, 1, 0, 0}, {5, 1}), 0.0f);
              });

// --- masked_fill ---------------------------------------------------------------
S2S_GRAD_CASE("masked_fill full mask", [](Rng& r) { return std::vector{random_tensor(r, {3, 5})}; },
              [](Graph&, const V& x) {
                Tensor m = Tensor::from_vector({1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 0}, {3, 5});
                return autograd::masked_fill(x[0], m, -2.5f);
              });
S2S_GRAD_CASE("masked_fill row mask", [](Rng& r) { return std::vector{random_tensor(r, {2, 3, 5})}; },
              [](Graph&, const V& x) { return autograd::masked_fill(x[0], Tensor::from_vector({0, 1, 0, 0, 1}, {5}), 7.0f); });
S2S_GRAD_CASE("masked_fill [1, cols] mask", [](Rng& r) { return std::vector{random_tensor(r, {4, 3})}; },
              [](Graph&, const V& x) { return autograd::masked_fill(x[0], Tensor::from_vector({1, 0, 0}, {1, 3}), 0.0f); });
S2S_GRAD_CASE("masked_fill column mask", [](Rng& r) { return std::vector{random_tensor(r, {2, 3, 5})}; },
              [](Graph&, const V& x) {
                return autograd::masked_fill(x[0], Tensor::from_vector({0, 1, 1, 0, 0, 1}, {6, 1}), -1e9f);
              });
// NumPy-broadcast masks: attention padding [B, 1, 1, Tk] over [B, H, Tq, Tk],
// and one repeated along the last dim.
S2S_GRAD_CASE("masked_fill broadcast [B, 1, 1, Tk]", [](Rng& r) { return std::vector{random_tensor(r, {2, 3, 2, 5})}; },
              [](Graph&, const V& x) {
                return autograd::masked_fill(x[0], Tensor::from_vector({0, 0, 0, 1, 1, 0, 0, 1, 1, 1}, {2, 1, 1, 5}), -1e9f);
              });
S2S_GRAD_CASE("masked_fill broadcast [1, 3, 1]", [](Rng& r) { return std::vector{random_tensor(r, {2, 3, 4})}; },
              [](Graph&, const V& x) { return autograd::masked_fill(x[0], Tensor::from_vector({1, 0, 1}, {1, 3, 1}), 0.5f); });
S2S_GRAD_CASE("masked_fill scalar mask off", [](Rng& r) { return std::vector{random_tensor(r, {1, 9})}; },
              [](Graph&, const V& x) { return autograd::masked_fill(x[0], Tensor::from_vector({0}, {1}), 3.0f); });

// --- dropout -----------------------------------------------------------------------
// A fresh generator per evaluation gives the same mask every time.
S2S_GRAD_CASE("dropout p=0.3, tail word", [](Rng& r) { return std::vector{random_tensor(r, {3, 37})}; },
              [](Graph&, const V& x) {
                Rng rng(99);
                return autograd::dropout(x[0], 0.3f, rng);
              });
S2S_GRAD_CASE("dropout p=0.5 single", [](Rng& r) { return std::vector{random_tensor(r, {1})}; },
              [](Graph&, const V& x) {
                Rng rng(5);
                return autograd::dropout(autograd::dropout(x[0], 0.5f, rng), 0.0f, rng);
              });

// --- layer_norm ---------------------------------------------------------------------
S2S_GRAD_CASE("layer_norm", [](Rng& r) { return std::vector{random_tensor(r, {4, 7}), random_tensor(r, {7}), random_tensor(r, {7})}; },
              [](Graph&, const V& x) { return autograd::layer_norm(x[0], x[1], x[2]); });
S2S_GRAD_CASE("layer_norm 3-d, dim 17",
              [](Rng& r) { return std::vector{random_tensor(r, {2, 3, 17}, -2, 2), random_tensor(r, {17}), random_tensor(r, {17})}; },
              [](Graph&, const V& x) { return autograd::layer_norm(x[0], x[1], x[2], 1e-3f); });
S2S_GRAD_CASE("layer_norm single row",
              [](Rng& r) { return std::vector{random_tensor(r, {1, 3}), random_tensor(r, {3}), random_tensor(r, {3})}; },
              [](Graph&, const V& x) { return autograd::layer_norm(x[0], x[1], x[2]); });
// dim 1: every x normalises to 0, so y = beta and x gets a zero gradient.
S2S_GRAD_CASE("layer_norm dim 1",
              [](Rng& r) { return std::vector{random_tensor(r, {5, 1}), random_tensor(r, {1}), random_tensor(r, {1})}; },
              [](Graph&, const V& x) { return autograd::layer_norm(x[0], x[1], x[2]); });

// --- cross_entropy --------------------------------------------------------------------
autograd::CrossEntropyOptions ce(float smoothing, autograd::Reduction reduction, std::int32_t ignore = -100) {
  autograd::CrossEntropyOptions o;
  o.label_smoothing = smoothing;
  o.reduction = reduction;
  o.ignore_index = ignore;
  return o;
}
using autograd::Reduction;

S2S_GRAD_CASE("cross_entropy mean", [](Rng& r) { return std::vector{random_tensor(r, {5, 7}, -3, 3)}; },
              [](Graph&, const V& x) {
                return autograd::cross_entropy(x[0], ids({3, 0, 6, 6, 2}, {5}), ce(0.0f, Reduction::Mean));
              });
S2S_GRAD_CASE("cross_entropy smoothed, ignore_index", [](Rng& r) { return std::vector{random_tensor(r, {6, 17}, -3, 3)}; },
              [](Graph&, const V& x) {
                return autograd::cross_entropy(x[0], ids({16, -100, 0, 5, -100, 9}, {6}), ce(0.1f, Reduction::Mean));
              });
// ignore_index inside the vocabulary (padding id 0), summed.
S2S_GRAD_CASE("cross_entropy sum, ignore 0", [](Rng& r) { return std::vector{random_tensor(r, {4, 9}, -3, 3)}; },
              [](Graph&, const V& x) {
                return autograd::cross_entropy(x[0], ids({0, 8, 1, 0}, {4}), ce(0.25f, Reduction::Sum, 0));
              });
S2S_GRAD_CASE("cross_entropy one row", [](Rng& r) { return std::vector{random_tensor(r, {1, 3}, -3, 3)}; },
              [](Graph&, const V& x) { return autograd::cross_entropy(x[0], ids({1}, {1}), ce(0.3f, Reduction::Mean)); });
// Upstream ops feed the loss: gradients must flow through the fused op into them.
S2S_GRAD_CASE("cross_entropy after layer_norm",
              [](Rng& r) { return std::vector{random_tensor(r, {3, 11}), random_tensor(r, {11}), random_tensor(r, {11})}; },
              [](Graph&, const V& x) {
                Var h = autograd::layer_norm(x[0], x[1], x[2]);
                return autograd::cross_entropy(h, ids({10, 2, -100}, {3}), ce(0.1f, Reduction::Mean));
              });

}  // namespace
}  // namespace s2s::testing
