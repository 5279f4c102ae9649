#pragma once
// Every differentiable op, listed once. An op's OpDef needs its OpId from this
// list, the registry references every entry (so a listed op must be defined),
// and tests/autograd/gradcheck_test.cc fails for any entry without a
// finite-difference check. Add new ops here (see docs/architecture.md).
#define S2S_OP_LIST(X)                                                                        \
  X(matmul) X(bmm)                                                                            \
  X(add) X(sub) X(mul) X(div) X(scale) X(add_scalar)                                          \
  X(tanh) X(sigmoid) X(relu) X(exp) X(log) X(gelu)                                            \
  X(softmax) X(log_softmax) X(sum) X(mean) X(sum_all)                                         \
  X(concat) X(slice) X(reshape) X(transpose)                                                  \
  X(embedding) X(masked_fill) X(dropout) X(layer_norm) X(cross_entropy)                       \
  X(gru_cell) X(lstm_cell) X(rnn_sequence) X(gru_sequence) X(lstm_sequence)                   \
  X(linear) X(additive_attention) X(multi_head_attention) X(copy_mixture)                     \
  X(unfold_time) X(glu) X(weight_norm) X(recompute)
