// TEMPORARY: OpDefs of listed ops that are still being written, so the
// library links meanwhile. Each op's owner deletes its line when its real
// definition lands; this file is deleted when empty.
#include "s2s/autograd/node.h"
#include "s2s/core/error.h"

namespace s2s::autograd {
namespace {
void not_yet(Node& n) { fail(n.op->name, ": backward is not implemented yet"); }
}  // namespace
#define S2S_PENDING(name)const OpDef op_defs::name{OpId::name, #name, not_yet};
// group A (elementwise, reductions, softmax, shape)
S2S_PENDING(add)
S2S_PENDING(sub)
S2S_PENDING(mul)
S2S_PENDING(div)
S2S_PENDING(scale)
S2S_PENDING(add_scalar)
S2S_PENDING(tanh)
S2S_PENDING(sigmoid)
S2S_PENDING(relu)
S2S_PENDING(exp)
S2S_PENDING(log)
S2S_PENDING(softmax)
S2S_PENDING(log_softmax)
S2S_PENDING(sum)
S2S_PENDING(mean)
S2S_PENDING(sum_all)
S2S_PENDING(concat)
S2S_PENDING(slice)
S2S_PENDING(reshape)
S2S_PENDING(transpose)
// group B (lookup, masking, dropout, layer norm, loss)
S2S_PENDING(embedding)
S2S_PENDING(masked_fill)
S2S_PENDING(dropout)
S2S_PENDING(layer_norm)
S2S_PENDING(cross_entropy)
// group C (recurrent)
S2S_PENDING(gru_cell)
S2S_PENDING(lstm_cell)
S2S_PENDING(rnn_sequence)
S2S_PENDING(gru_sequence)
S2S_PENDING(lstm_sequence)
}  // namespace s2s::autograd
