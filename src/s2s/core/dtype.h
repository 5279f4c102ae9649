#pragma once
// Element types and devices. Only F32 (values) and I32 (token ids) have kernels
// today; BF16/I8 and CUDA are reserved so that milestone 2 fits without
// changing the Tensor layout.
#include <cstddef>
#include <cstdint>

namespace s2s {

enum class DType : std::uint8_t { F32, I32, BF16, I8 };

constexpr std::size_t dtype_size(DType t) {
  switch (t) {
    case DType::F32: return 4;
    case DType::I32: return 4;
    case DType::BF16: return 2;
    case DType::I8: return 1;
  }
  return 0;
}

const char* dtype_name(DType t);

enum class DeviceType : std::uint8_t { CPU, CUDA };

struct Device {
  DeviceType type = DeviceType::CPU;
  int index = 0;
  friend bool operator==(const Device&, const Device&) = default;
};

inline constexpr Device kCPU{};

}  // namespace s2s
