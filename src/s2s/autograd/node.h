#pragma once
// A tape entry: one op application. Nodes live in their Graph's pool and are
// reused step after step, so recording an op never allocates once the pool
// has grown to the size of a step.
#include <array>
#include <cstdint>

#include "s2s/autograd/op_list.h"
#include "s2s/core/tensor.h"

namespace s2s::autograd {

class Graph;
struct Node;
struct Parameter;

enum class OpId : std::uint16_t {
#define S2S_OP_ENUM(name) name,
  S2S_OP_LIST(S2S_OP_ENUM)
#undef S2S_OP_ENUM
      count
};

using BackwardFn = void (*)(Node&);

struct OpDef {
  OpId id;
  const char* name;
  BackwardFn backward;  // reads node.grad, accumulates into each input's grad
  // The node's value is rows [i[0], i[0] + i[1]) of input 0's value (one
  // result of a multi-output op, reshaped); its gradient is the same rows of
  // input 0's gradient, allocated (zeroed) when a consumer first needs it.
  bool views_input_rows = false;
};

// All listed ops, in OpId order.
const std::array<const OpDef*, static_cast<std::size_t>(OpId::count)>& registered_ops();

namespace op_defs {
#define S2S_OP_DECL(name) extern const OpDef name;
S2S_OP_LIST(S2S_OP_DECL)
#undef S2S_OP_DECL
}  // namespace op_defs

struct Node {
  static constexpr int kSaved = 8;

  Tensor value;
  Tensor grad;  // allocated on first accumulation; for parameters it is Parameter::grad
  const OpDef* op = nullptr;  // nullptr for leaves
  Graph* graph = nullptr;
  Parameter* param = nullptr;
  std::int32_t first_input = 0;
  std::int32_t num_inputs = 0;
  std::int32_t uses = 0;  // how many recorded ops (that need grad) take this node as an input
  bool requires_grad = false;

  // Op-specific state for the backward pass.
  std::array<Tensor, kSaved> saved;
  std::array<float, 4> f{};
  std::array<std::int64_t, 4> i{};

  Node* input(int k) const;
  // The input's gradient buffer, or nullptr when that input needs none.
  // Zeroed when first needed; the op accumulates (+=) into it.
  Tensor* input_grad(int k) const;
  // Same, without the zeroing: `fresh` is set when this is the first gradient
  // the input receives in this backward pass, and the buffer is then
  // uninitialised, so the op must write (=, gemm beta 0) instead of accumulate.
  Tensor* input_grad_for_write(int k, bool& fresh) const;
  // Hands this node's gradient to input k as its own when the input has none
  // yet (no copy, the buffer is shared); returns false (doing nothing) when it
  // already has one. Only for ops whose dx equals dy element for element, and
  // only as the last use of `grad` in the op's backward.
  bool pass_grad_to(int k);
  // Same with `part` (a view of this node's gradient shaped like input k).
  bool pass_grad_to(int k, const Tensor& part);
  // This node's gradient buffer: the one it shares (a parameter's
  // Parameter::grad, a row view's rows of its input's gradient) or a new one,
  // uninitialised, when `fresh` comes back true.
  Tensor& grad_for_write(bool& fresh);
  void reset();

 private:
  void adopt_shared_grad();  // points grad at the buffer it shares, if any
  void set_grad(Tensor g);   // and a parameter's Parameter::grad
};

}  // namespace s2s::autograd
