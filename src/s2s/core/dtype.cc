#include "s2s/core/dtype.h"

namespace s2s {

const char* dtype_name(DType t) {
  switch (t) {
    case DType::F32: return "F32";
    case DType::I32: return "I32";
    case DType::BF16: return "BF16";
    case DType::I8: return "I8";
  }
  return "?";
}

}  // namespace s2s
