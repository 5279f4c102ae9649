#pragma once
// Tensor: dtype, shape, contiguous row-major storage on a device. Copies share
// storage (refcounted block from the device's caching Allocator); views made
// by reshape / narrow share it too. Use clone() for a deep copy.
#include <cstdint>
#include <initializer_list>
#include <span>
#include <vector>

#include "s2s/core/allocator.h"
#include "s2s/core/dtype.h"
#include "s2s/core/error.h"
#include "s2s/core/shape.h"

namespace s2s {

class Tensor {
 public:
  Tensor() = default;
  ~Tensor() { reset(); }
  Tensor(const Tensor& other);
  Tensor(Tensor&& other) noexcept;
  Tensor& operator=(const Tensor& other);
  Tensor& operator=(Tensor&& other) noexcept;

  // Uninitialised storage.
  static Tensor empty(const Shape& shape, DType dtype = DType::F32, Device device = kCPU);
  static Tensor zeros(const Shape& shape, DType dtype = DType::F32, Device device = kCPU);
  static Tensor full(const Shape& shape, float value);
  static Tensor from_vector(const std::vector<float>& values, const Shape& shape);
  static Tensor from_ids(const std::vector<std::int32_t>& ids, const Shape& shape);

  bool defined() const { return block_ != nullptr; }
  void reset();

  const Shape& shape() const { return shape_; }
  int ndim() const { return shape_.ndim(); }
  std::int64_t dim(int axis) const { return shape_.dim(axis); }
  std::int64_t numel() const { return shape_.numel(); }
  DType dtype() const { return dtype_; }
  Device device() const { return device_; }
  std::size_t nbytes() const { return static_cast<std::size_t>(numel()) * dtype_size(dtype_); }

  template <typename T>
  T* data() const {
    check_type<T>();
    return reinterpret_cast<T*>(static_cast<char*>(block_->data()) + offset_);
  }
  float* f32() const { return data<float>(); }
  std::int32_t* i32() const { return data<std::int32_t>(); }
  std::span<float> span() const { return {f32(), static_cast<std::size_t>(numel())}; }
  std::vector<float> to_vector() const;

  // Views sharing storage.
  Tensor reshape(const Shape& shape) const;
  Tensor narrow0(std::int64_t start, std::int64_t length) const;  // rows [start, start+length) of axis 0

  Tensor clone() const;
  void copy_from(const Tensor& src);  // same numel and dtype
  void fill(float value);
  void zero();

  // True when both tensors view the same bytes.
  bool same_storage(const Tensor& other) const { return block_ == other.block_ && offset_ == other.offset_; }

 private:
  template <typename T>
  void check_type() const {
    if constexpr (std::is_same_v<T, float>)
      S2S_CHECK(dtype_ == DType::F32, "tensor: expected F32 data, have ", dtype_name(dtype_));
    else if constexpr (std::is_same_v<T, std::int32_t>)
      S2S_CHECK(dtype_ == DType::I32, "tensor: expected I32 data, have ", dtype_name(dtype_));
    else if constexpr (std::is_same_v<T, std::int8_t>)
      S2S_CHECK(dtype_ == DType::I8, "tensor: expected I8 data, have ", dtype_name(dtype_));
  }

  Block* block_ = nullptr;
  std::size_t offset_ = 0;  // bytes from the block's data
  Shape shape_;
  DType dtype_ = DType::F32;
  Device device_ = kCPU;
};

}  // namespace s2s
