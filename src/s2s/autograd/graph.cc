#include "s2s/autograd/graph.h"

#include <algorithm>

#include "s2s/kernels/int8_gemm.h"

namespace s2s::autograd {

const std::array<const OpDef*, static_cast<std::size_t>(OpId::count)>& registered_ops() {
  static const std::array<const OpDef*, static_cast<std::size_t>(OpId::count)> ops = {
#define S2S_OP_REF(name) &op_defs::name,
      S2S_OP_LIST(S2S_OP_REF)
#undef S2S_OP_REF
  };
  return ops;
}

Node* Node::input(int k) const { return graph->inputs_[static_cast<std::size_t>(first_input + k)]; }

// A parameter's gradient lives in Parameter::grad, allocated by the first
// gradient it receives (several nodes may bind one parameter: the first one
// to receive a gradient allocates it, the others then accumulate into it). A
// row view's gradient is rows of its packed node's, allocated (zeroed) by the
// first view that needs one: forward allocates no gradient at all.
void Node::adopt_shared_grad() {
  if (grad.defined()) return;
  if (param) {
    grad = param->grad;
  } else if (op && op->views_input_rows) {
    Node* base = input(0);
    if (!base->grad.defined()) base->grad = Tensor::zeros(base->value.shape());
    grad = base->grad.narrow0(i[0], i[1]).reshape(value.shape());
  }
}

void Node::set_grad(Tensor g) {
  grad = std::move(g);
  if (param) param->grad = grad;
}

Tensor& Node::grad_for_write(bool& fresh) {
  adopt_shared_grad();
  fresh = !grad.defined();
  if (fresh) set_grad(Tensor::empty(value.shape()));
  return grad;
}

Tensor* Node::input_grad(int k) const {
  bool fresh = false;
  Tensor* g = input_grad_for_write(k, fresh);
  if (fresh) g->zero();
  return g;
}

Tensor* Node::input_grad_for_write(int k, bool& fresh) const {
  Node* in = input(k);
  fresh = false;
  return in->requires_grad ? &in->grad_for_write(fresh) : nullptr;
}

bool Node::pass_grad_to(int k) { return grad.defined() && pass_grad_to(k, grad); }

bool Node::pass_grad_to(int k, const Tensor& part) {
  Node* in = input(k);
  if (!in->requires_grad || part.numel() != in->value.numel()) return false;
  in->adopt_shared_grad();
  if (in->grad.defined()) return false;
  in->set_grad(part.reshape(in->value.shape()));
  return true;
}

void Node::reset() {
  value.reset();
  grad.reset();
  for (auto& t : saved) t.reset();
  op = nullptr;
  param = nullptr;
  num_inputs = 0;
  uses = 0;
  requires_grad = false;
}

Graph::~Graph() { clear(); }

Node* Graph::new_node() {
  if (count_ == chunks_.size() * kChunk) chunks_.push_back(std::make_unique<Node[]>(kChunk));
  Node* n = &node_at(count_++);
  n->graph = this;
  return n;
}

Var Graph::input(Tensor value, bool requires_grad) {
  Node* n = new_node();
  n->value = std::move(value);
  n->requires_grad = requires_grad && grad_enabled_;
  return Var(n);
}

Var Graph::param(Parameter& p) {
  Node* n = new_node();
  n->value = p.value;
  n->param = &p;
  n->requires_grad = p.trainable && grad_enabled_;
  return Var(n);
}

Node* Graph::record(const OpDef& op, std::span<const Var> inputs, Tensor value) {
  Node* n = new_node();
  n->value = std::move(value);
  bool needs = false;
  for (const Var& v : inputs) {
    S2S_CHECK(v.defined() && &v.graph() == this, op.name, ": an input belongs to another graph or is undefined");
    needs = needs || v.requires_grad();
  }
  if (grad_enabled_ && needs) {
    n->op = &op;
    n->requires_grad = true;
    n->first_input = static_cast<std::int32_t>(inputs_.size());
    n->num_inputs = static_cast<std::int32_t>(inputs.size());
    for (const Var& v : inputs) {
      inputs_.push_back(v.node());
      ++v.node()->uses;
    }
  }
  return n;
}

void Graph::backward(Var root, BackwardOptions options) {
  S2S_CHECK(root.value().numel() == 1, "backward: the root must be a scalar, got shape ", root.shape().str(),
            " (pass a seed gradient for other shapes)");
  Tensor seed = Tensor::full(root.shape(), 1.0f);
  backward(root, seed, options);
}

void Graph::backward(Var root, const Tensor& seed, BackwardOptions options) {
  S2S_CHECK(&root.graph() == this, "backward: the root belongs to another graph");
  S2S_CHECK(seed.shape() == root.shape(), "backward: seed shape ", seed.shape().str(), " differs from root ",
            root.shape().str());
  Node* r = root.node();
  if (!r->requires_grad) return;
  bool fresh = false;
  if (r->grad_for_write(fresh); fresh) r->grad.zero();
  {
    float* g = r->grad.f32();
    const float* s = seed.f32();
    for (std::int64_t k = 0; k < seed.numel(); ++k) g[k] += s[k];
  }
  std::size_t root_index = count_;
  for (std::size_t k = 0; k < count_; ++k)
    if (&node_at(k) == r) root_index = k;
  for (std::size_t k = root_index + 1; k-- > 0;) {
    Node& n = node_at(k);
    if (!n.op) continue;
    if (n.grad.defined()) n.op->backward(n);
    // Nothing reads an op node's gradient or saved tensors after its own
    // backward (its consumers ran before it): return them to the allocator
    // now, so later gradients reuse the blocks and the peak stays low.
    n.grad.reset();
    for (Tensor& t : n.saved) t.reset();
    if (options.release_values && &n != r) n.value.reset();
  }
}

Var rows_view(const OpDef& view_def, Var packed, std::int64_t start, std::int64_t length, const Shape& shape) {
  Node* n = packed.graph().record(view_def, {packed}, packed.value().narrow0(start, length).reshape(shape));
  n->i[0] = start;
  n->i[1] = length;
  return Var(n);
}

void view_backward(Node&) {}

const kernels::PackedNT* Graph::packed_weight(const Var& w, std::int64_t rows) {
  const Parameter* p = w.node() ? w.node()->param : nullptr;
  if (grad_enabled_ || !p || !kernels::packed_nt_pays(rows)) return nullptr;
  return &packed_->get(*p);
}

const kernels::Int8Weight* Graph::int8_weight(const Var& w) {
  const Parameter* p = w.node() ? w.node()->param : nullptr;
  return p ? int8_weight(*p) : nullptr;
}

void weight_product(Graph& g, const Var& w, const Tensor& x, Tensor& y, float beta) {
  const std::int64_t in = w.dim(1), rows = x.numel() / std::max<std::int64_t>(in, 1);
  if (const kernels::Int8Weight* q = g.int8_weight(w)) {
    S2S_CHECK(x.dim(-1) == in && y.numel() == rows * w.dim(0), "weight_product: x ", x.shape().str(), ", weight ",
              w.shape().str(), " and y ", y.shape().str(), " do not match");
    kernels::gemm_int8_nt(rows, x.f32(), in, *q, nullptr, beta, y.f32(), w.dim(0));
    return;
  }
  if (const kernels::PackedNT* packed = g.packed_weight(w, rows)) {
    S2S_CHECK(x.dim(-1) == in && y.numel() == rows * w.dim(0), "weight_product: x ", x.shape().str(), ", weight ",
              w.shape().str(), " and y ", y.shape().str(), " do not match");
    kernels::gemm_packed_nt(rows, x.f32(), in, *packed, beta, y.f32(), w.dim(0));
  } else {
    kernels::gemm(x, w.value(), y, {false, true, 1.0f, beta, !g.grad_enabled()});
  }
}

void Graph::clear() {
  for (std::size_t k = 0; k < count_; ++k) node_at(k).reset();
  count_ = 0;
  inputs_.clear();
  recomputed_.clear();
}

Graph& Graph::scratch() {
  if (!scratch_) scratch_ = std::make_unique<Graph>(true);
  return *scratch_;
}

}  // namespace s2s::autograd
