#include "s2s/core/tensor.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "s2s/core/error.h"

namespace s2s {

Tensor::Tensor(const Tensor& o) : block_(o.block_), offset_(o.offset_), shape_(o.shape_), dtype_(o.dtype_), device_(o.device_) {
  if (block_) block_->refs.fetch_add(1, std::memory_order_relaxed);
}

Tensor::Tensor(Tensor&& o) noexcept
    : block_(std::exchange(o.block_, nullptr)), offset_(o.offset_), shape_(o.shape_), dtype_(o.dtype_), device_(o.device_) {}

Tensor& Tensor::operator=(const Tensor& o) {
  if (this != &o) {
    if (o.block_) o.block_->refs.fetch_add(1, std::memory_order_relaxed);
    reset();
    block_ = o.block_;
    offset_ = o.offset_;
    shape_ = o.shape_;
    dtype_ = o.dtype_;
    device_ = o.device_;
  }
  return *this;
}

Tensor& Tensor::operator=(Tensor&& o) noexcept {
  if (this != &o) {
    reset();
    block_ = std::exchange(o.block_, nullptr);
    offset_ = o.offset_;
    shape_ = o.shape_;
    dtype_ = o.dtype_;
    device_ = o.device_;
  }
  return *this;
}

void Tensor::reset() {
  if (block_) block_->owner->release(block_);
  block_ = nullptr;
}

Tensor Tensor::empty(const Shape& shape, DType dtype, Device device) {
  // numel() must not overflow (a shape read from a file or a config).
  std::int64_t n = 1;
  for (std::int64_t d : shape)
    S2S_CHECK(d >= 0 && !__builtin_mul_overflow(n, d, &n) && n <= (std::int64_t{1} << 46), "a tensor of shape ",
              shape.str(), " is too large");
  Tensor t;
  t.shape_ = shape;
  t.dtype_ = dtype;
  t.device_ = device;
  t.block_ = Allocator::for_device(device).allocate(std::max<std::size_t>(t.nbytes(), 1));
  return t;
}

Tensor Tensor::zeros(const Shape& shape, DType dtype, Device device) {
  Tensor t = empty(shape, dtype, device);
  t.zero();
  return t;
}

Tensor Tensor::full(const Shape& shape, float value) {
  Tensor t = empty(shape);
  t.fill(value);
  return t;
}

Tensor Tensor::from_vector(const std::vector<float>& values, const Shape& shape) {
  S2S_CHECK(static_cast<std::int64_t>(values.size()) == shape.numel(), "tensor: ", values.size(),
            " values do not fill shape ", shape.str());
  Tensor t = empty(shape);
  std::copy(values.begin(), values.end(), t.f32());
  return t;
}

Tensor Tensor::from_ids(const std::vector<std::int32_t>& ids, const Shape& shape) {
  S2S_CHECK(static_cast<std::int64_t>(ids.size()) == shape.numel(), "tensor: ", ids.size(),
            " ids do not fill shape ", shape.str());
  Tensor t = empty(shape, DType::I32);
  std::copy(ids.begin(), ids.end(), t.i32());
  return t;
}

std::vector<float> Tensor::to_vector() const { return {f32(), f32() + numel()}; }

Tensor Tensor::reshape(const Shape& shape) const {
  S2S_CHECK(shape.numel() == numel(), "reshape: cannot view ", shape_.str(), " as ", shape.str());
  Tensor t = *this;
  t.shape_ = shape;
  return t;
}

Tensor Tensor::narrow0(std::int64_t start, std::int64_t length) const {
  S2S_CHECK(ndim() >= 1 && start >= 0 && length >= 0 && start + length <= shape_[0], "narrow: rows [", start, ", ",
            start + length, ") are outside ", shape_.str());
  Tensor t = *this;
  t.shape_[0] = length;
  t.offset_ += static_cast<std::size_t>(start * shape_.inner(0)) * dtype_size(dtype_);
  return t;
}

Tensor Tensor::clone() const {
  Tensor t = empty(shape_, dtype_, device_);
  t.copy_from(*this);
  return t;
}

void Tensor::copy_from(const Tensor& src) {
  S2S_CHECK(src.numel() == numel() && src.dtype_ == dtype_, "copy: ", src.shape_.str(), " ", dtype_name(src.dtype_),
            " into ", shape_.str(), " ", dtype_name(dtype_));
  if (numel() == 0) return;
  std::memcpy(static_cast<char*>(block_->data()) + offset_, static_cast<char*>(src.block_->data()) + src.offset_, nbytes());
}

void Tensor::fill(float value) {
  float* p = f32();
  std::fill(p, p + numel(), value);
}

void Tensor::zero() {
  if (numel()) std::memset(static_cast<char*>(block_->data()) + offset_, 0, nbytes());
}

}  // namespace s2s
