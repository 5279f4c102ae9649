#pragma once
// Var: a handle to a value recorded on a Graph. Cheap to copy; valid until the
// graph is cleared.
#include "s2s/autograd/node.h"

namespace s2s::autograd {

class Var {
 public:
  Var() = default;
  explicit Var(Node* node) : node_(node) {}

  bool defined() const { return node_ != nullptr; }
  const Tensor& value() const { return node_->value; }
  const Tensor& grad() const { return node_->grad; }
  const Shape& shape() const { return node_->value.shape(); }
  std::int64_t dim(int axis) const { return node_->value.dim(axis); }
  int ndim() const { return node_->value.ndim(); }
  bool requires_grad() const { return node_->requires_grad; }
  Graph& graph() const { return *node_->graph; }
  Node* node() const { return node_; }

 private:
  Node* node_ = nullptr;
};

}  // namespace s2s::autograd
