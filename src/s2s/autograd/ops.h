#pragma once
// Differentiable ops. Each takes Vars of one Graph and records its result
// there; forward and backward of an op live side by side in ops/<group>.cc.
//
// Broadcasting (add, sub, mul, div, masked_fill) follows NumPy: shapes are
// aligned at the right and each pair of dims is equal or holds a 1; the
// result takes the larger (x [T, B, d] + positions [T, 1, d] -> [T, B, d];
// [B, 1, Tk] * [1, Tq, 1] -> [B, Tq, Tk]). Gradients are summed over the
// repeated dims in a fixed order. Two legacy layouts also keep a's shape
// where NumPy would not: a column [rows, 1] (b's rank at most a's) with
// rows = a.numel() / a's last dim (a [2, 3, 4], b [6, 1]), a row [1, .., 1,
// cols] and a one-element b of any rank (the same values, a's shape).
// masked_fill's mask broadcasts to x (the result keeps x's shape).
#include <cstdint>
#include <initializer_list>
#include <span>
#include <vector>

#include "s2s/autograd/graph.h"
#include "s2s/core/rng.h"

namespace s2s::autograd {

// --- linear algebra -------------------------------------------------------
// a viewed as a matrix [numel / last dim, last dim]; b 2-D. Result keeps a's
// leading dims: [..., n].
Var matmul(Var a, Var b, bool trans_a = false, bool trans_b = false);
// a [batch, m, k], b [batch, k, n] (or transposed), result [batch, m, n].
Var bmm(Var a, Var b, bool trans_a = false, bool trans_b = false);
// y = x w^T + b: x [..., in], w [out, in] -> [..., out]; b is a bias [out], an
// addend with the result's shape, or undefined (none). One op and one output
// buffer (b is the gemm's C), as torch's addmm.
// With grad disabled, a parameter w that the graph holds in int8
// (Graph::int8_weight) is multiplied in int8.
Var linear(Var x, Var w, Var b = Var());
// Inference only (grad disabled): y = x w^T + b through an int8 weight that
// is no parameter of the graph (a joined projection, Graph::int8_joined).
Var linear(Var x, const kernels::Int8Weight& w, Var b = Var());

// --- elementwise ------------------------------------------------------------
Var add(Var a, Var b);
Var sub(Var a, Var b);
Var mul(Var a, Var b);
Var div(Var a, Var b);
Var scale(Var x, float s);
Var add_scalar(Var x, float s);
Var tanh(Var x);
Var sigmoid(Var x);
Var relu(Var x);
Var exp(Var x);
Var log(Var x);
// x Phi(x) (Phi the standard normal CDF): the exact, erf form of GELU, as
// torch.nn.functional.gelu(approximate='none'); relative error < 2e-7.
Var gelu(Var x);

// --- softmax and reductions -------------------------------------------------
Var softmax(Var x);      // over the last axis
Var log_softmax(Var x);  // over the last axis
Var sum(Var x, int axis, bool keepdim = false);
Var mean(Var x, int axis, bool keepdim = false);
Var sum_all(Var x);  // shape [1]

// --- shape ------------------------------------------------------------------
// `out` (optional): a buffer of the result's shape to write into instead of a
// new one, e.g. rows of a larger buffer that a later concat along axis 0 joins
// (an input already sitting where the result needs it is not copied again).
// The result keeps it; the caller must not write to it afterwards.
Var concat(std::span<const Var> xs, int axis, Tensor out = {});
inline Var concat(std::initializer_list<Var> xs, int axis, Tensor out = {}) {
  return concat(std::span<const Var>(xs.begin(), xs.size()), axis, std::move(out));
}
Var slice(Var x, int axis, std::int64_t start, std::int64_t length);
std::vector<Var> split(Var x, int axis, std::span<const std::int64_t> sizes);  // slices, no op of its own
Var reshape(Var x, const Shape& shape);
Var transpose(Var x, int axis0, int axis1);

// --- lookup, masking, regularisation, normalisation -------------------------
// ids: I32 tensor of any shape with values in [0, weight rows); result [ids..., dim].
// Rows equal to padding_idx (if >= 0) get no gradient, as in PyTorch. With
// grad disabled, a table the graph holds in int8 gives its dequantized rows.
Var embedding(Var weight, const Tensor& ids, std::int32_t padding_idx = -1);
// Sets x to `value` where mask != 0 (mask F32, broadcast as above); no gradient flows there.
Var masked_fill(Var x, const Tensor& mask, float value);
// Inverted dropout: zeroes with probability p, scales the rest by 1/(1-p).
// Draws its mask from rng (advancing it by x.numel()); identity when p == 0.
Var dropout(Var x, float p, Rng& rng);
Var layer_norm(Var x, Var gamma, Var beta, float eps = 1e-5f);  // over the last axis

// --- loss -------------------------------------------------------------------
enum class Reduction : std::uint8_t { Mean, Sum };
struct CrossEntropyOptions {
  std::int32_t ignore_index = -100;  // targets equal to this (padding) add nothing
  float label_smoothing = 0.0f;      // PyTorch's definition: eps/V spread over all classes
  // > 0: the smoothing mass goes to the first smoothing_classes columns only
  // (the target vocabulary of a copy model, whose extra columns are source
  // tokens that only some rows have); 0: all columns.
  std::int64_t smoothing_classes = 0;
  Reduction reduction = Reduction::Mean;  // Mean: over non-ignored targets
};
// Fused log-softmax + negative log-likelihood. logits [N, V], targets I32 [N]. Result [1].
// Memory: when the logits come straight from linear or matmul and nothing
// else on the tape uses them, backward writes their gradient over their
// values (no second [N, V] buffer), so read the logits before backward.
Var cross_entropy(Var logits, const Tensor& targets, const CrossEntropyOptions& options = {});

// --- recurrent (fused, hand-derived backward; PyTorch gate layout) -----------
// x_proj = x W_ih^T + b_ih for the step ([B, 3H] GRU gates r,z,n; [B, 4H] LSTM gates i,f,g,o).
Var gru_cell(Var x_proj, Var h, Var w_hh, Var b_hh);  // -> h' [B, H]
struct LstmState {
  Var h, c;
};
LstmState lstm_cell(Var x_proj, Var h, Var c, Var w_hh, Var b_hh);

// Whole-sequence layers, time-major. x [T, B, I]; lengths I32 [B] (1..T):
// steps t >= lengths[b] leave the state unchanged and output zeros, so the
// final state is the state after each sequence's last real token (PyTorch's
// packed-sequence semantics). reverse runs t = T-1 .. 0.
// Input projections for all steps are one gemm; only the recurrent gemm runs per step.
enum class RnnActivation : std::uint8_t { Tanh, Relu };
struct SequenceOutput {
  Var output;  // [T, B, H]
  Var h;       // [B, H] final hidden state
  Var c;       // [B, H] final cell state (LSTM only)
};
SequenceOutput rnn_sequence(Var x, Var h0, Var w_ih, Var w_hh, Var b_ih, Var b_hh, const Tensor& lengths, bool reverse,
                            RnnActivation activation = RnnActivation::Tanh);
SequenceOutput gru_sequence(Var x, Var h0, Var w_ih, Var w_hh, Var b_ih, Var b_hh, const Tensor& lengths, bool reverse);
SequenceOutput lstm_sequence(Var x, Var h0, Var c0, Var w_ih, Var w_hh, Var b_ih, Var b_hh, const Tensor& lengths,
                             bool reverse);

// --- attention (fused, hand-derived backward) ---------------------------------
// One Bahdanau step: e[b, s] = v . tanh(keys[s, b, :] + query[b, :]), padding
// (mask F32 [B, S] != 0; undefined = none) gets weight 0, weights = softmax_s(e),
// context[b] = sum_s weights[b, s] values[b, s, :]. keys [S, B, A] time-major,
// query [B, A], v A elements, values [B, S, D]. Equals the composition
// tanh(add) -> matmul(v) -> masked_fill(-1e30) -> softmax -> bmm.
// rows (inference only; undefined = row b reads memory row b): I32 [B], the
// memory row (keys, values, mask: one per source sentence) each query reads.
struct AttentionStep {
  Var context;  // [B, D]
  Var weights;  // [B, S]
};
AttentionStep additive_attention(Var keys, Var query, Var v, Var values, const Tensor& mask, const Tensor& rows = Tensor());

// Scaled dot-product multi-head attention, fused (hand-derived backward;
// arithmetic and determinism in kernels/multi_head_attention.h). For each
// batch row b and head h, with q_i, k_j, v_j head h's slices:
//   s_ij = scale q_i . (k_j + rel_keys[r_ij])        (rel_keys term optional)
//   p_ij = softmax over the keys visible to query i  (0 at the others)
//   o_i  = sum_j dropout(p)_ij (v_j + rel_values[r_ij])   (rel_values term optional)
// and the result is o for all heads side by side (the heads' concat, before
// the output projection), in q's layout: [Tq, B, H dv] time-major.
//
// Layout: q [Tq, B, d], k [Tk, B, d], v [Tk, B, dv_model] time-major (the
// layout TokenBatch ids [T, B] embed to; no transposes in the model), or
// [B, T, .] with time_major = false. d and dv_model are multiples of heads;
// head h is columns [h d/H, (h+1) d/H), read in place (no per-head copies).
// The projections stay outside (linear on [T, B, d]); q, k, v may be column
// windows of one fused projection (AttentionOptions::q_cols ..).
//
// Masks: key j is visible to query i when j < key_lengths[b] (source or
// target padding) and, when causal, j <= i + Tk - Tq (the queries are the last
// Tq positions of the keys: Tq == Tk in training, Tq == 1 against the cached
// keys when decoding a step). The softmax is fp32 with the max subtracted.
//
// Relative positions (Shaw et al. 2018): r_ij = clip(j - (i + Tk - Tq), -K, K) + K
// indexes tables [2K + 1, d/H] (rel_keys) and [2K + 1, dv_model/H]
// (rel_values), shared by all heads, both optional, K from their rows; they
// get gradients like any input (learned, e.g. nn parameters).
//
// Dropout on the weights (training; 0 = none) draws its mask from rng,
// advancing it by B H Tq Tk counters (the mask autograd::dropout would draw
// on [B, H, Tq, Tk] weights), so it is deterministic and thread-count free.
//
// Inference (grad disabled): every product is row-invariant and each query
// row's softmax and sums run over its visible keys only, so a sentence's
// output is bit-identical alone or in any batch. kv_rows (inference only;
// I32 [B]) maps each query row to the k/v batch row it reads (k and v then
// hold one row per source sentence, shared by its beams; key_lengths is
// indexed by that row). weights_out, when given, receives the weights
// averaged over heads (before dropout), [B, Tq, Tk], for alignments; it is a
// plain tensor (no gradient).
struct AttentionMasks {
  Tensor key_lengths;   // I32 [B] (or [M] with kv_rows), 1..Tk; undefined: all Tk keys
  bool causal = false;  // query i sees keys j <= i + Tk - Tq
};
// Columns [offset, offset + width) of a tensor's last dim (width 0: to the end).
struct AttentionColumns {
  std::int64_t offset = 0, width = 0;
};
struct AttentionOptions {
  bool time_major = true;  // [T, B, d]; false: [B, T, d]
  // Column windows: q, k and v may be parts of one wider tensor, read in
  // place. Self-attention with a fused projection qkv = linear(x, w_qkv)
  // [T, B, 3d]: multi_head_attention(qkv, qkv, qkv, H, masks, {.q_cols = {0, d},
  // .k_cols = {d, d}, .v_cols = {2 * d, d}}); cross-attention: k and v as
  // windows of one [S, B, 2d] projection of the memory. No slices, no copies.
  AttentionColumns q_cols, k_cols, v_cols;
  float dropout = 0.0f;    // on the attention weights; > 0 needs rng
  Rng* rng = nullptr;
  float scale = 0.0f;  // 0: 1 / sqrt(d / heads)
  Var rel_keys;        // [2K + 1, d / heads] or undefined
  Var rel_values;      // [2K + 1, dv_model / heads] or undefined
  Tensor kv_rows;      // inference: I32 [B] k/v row per query row; undefined: row b
  Tensor* weights_out = nullptr;  // receives [B, Tq, Tk] head-averaged weights
};
Var multi_head_attention(Var q, Var k, Var v, int heads, const AttentionMasks& masks = {},
                         const AttentionOptions& options = {});

// --- convolution over time (ConvS2S) -------------------------------------------
// Windows of a time-major sequence for a convolution over time (im2col):
// x [T_in, B, C] -> [steps, B, kernel C], row (t, b) holding x[t - pad_left +
// j, b, :] for j = 0 .. kernel-1 side by side, zeros where that falls outside
// x. A convolution is then linear(unfold_time(x, k, p, T), w [out, k C], bias):
// pad_left (k - 1) / 2 with steps T_in the centred ("same") one, pad_left k - 1
// the causal one, pad_left 0 with steps 1 one decoding step over a window of
// the last k inputs. Equals slicing a zero-padded x k times and concatenating
// along the last axis (tests/autograd/convolution_ops_test.cc).
Var unfold_time(Var x, std::int64_t kernel, std::int64_t pad_left, std::int64_t steps);
// Gated linear unit (Dauphin et al. 2017) over the last axis: x = [a, b]
// [..., 2C] -> a sigmoid(b) [..., C], torch.nn.functional.glu(x, -1).
Var glu(Var x);
// Weight normalisation (Salimans & Kingma 2016), row by row: v [out, in], g
// [out] -> w = g v / ||v|| [out, in] (torch.nn.utils.weight_norm, dim 0).
Var weight_norm(Var v, Var g);

// --- copy attention -------------------------------------------------------------
// The pointer-generator's output (See et al. 2017), log-probabilities over an
// extended vocabulary of `width` >= V columns: row r mixes the vocabulary
// softmax and the attention over source positions,
//   p[w] = g softmax(logits)[w] + (1 - g) sum_{i : ids[i] == w} attention[i],  g = sigmoid(gate),
// result log max(p, 1e-20) [N, width]. logits [N, V], gate [N, 1] (before the
// sigmoid), attention [N, S]; ids I32 [M, S] (constant): each source
// position's extended id (0: not copied), row r reading ids row r % M (the
// (t, b) rows of teacher forcing over M = B sentences) or, in inference,
// rows[r] (I32 [N]: beams reading their sentence's row). Details and the
// gradient: kernels/copy_mixture.h. Each row's values do not depend on the
// batch (width and padding add nothing to it).
Var copy_mixture(Var logits, Var gate, Var attention, const Tensor& ids, std::int64_t width, const Tensor& rows = Tensor());

}  // namespace s2s::autograd
