#pragma once
// The safetensors format (https://github.com/huggingface/safetensors), as
// written by the Python and Rust libraries, so model files move freely
// between s2s and PyTorch:
//   u64 little-endian N | N bytes of JSON header | tensor bytes
// The header maps each tensor name to {"dtype", "shape", "data_offsets":
// [begin, end)} (offsets relative to the byte after the header) and may hold
// "__metadata__", a string -> string map. Reading validates everything, so a
// corrupt or truncated file fails with one line that names the file.
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "s2s/autograd/parameter.h"
#include "s2s/core/tensor.h"

namespace s2s::io {

using Metadata = std::map<std::string, std::string>;

struct NamedTensor {
  std::string name;
  Tensor tensor;
};

struct SafetensorsFile {
  Metadata metadata;
  std::vector<NamedTensor> tensors;  // in file order (by data offset)

  const Tensor* find(const std::string& name) const;
};

// Serialises tensors (names must be unique and non-empty) and metadata.
std::string encode_safetensors(std::span<const NamedTensor> tensors, const Metadata& metadata = {});
// `what` names the source in error messages (normally the file path).
SafetensorsFile decode_safetensors(std::string_view bytes, const std::string& what);

void save_safetensors(const std::string& path, std::span<const NamedTensor> tensors, const Metadata& metadata = {});
SafetensorsFile load_safetensors(const std::string& path);
// The __metadata__ of a safetensors file, reading only its header.
Metadata read_safetensors_metadata(const std::string& path);

// Parameters by name, values only (gradients are not model state); fails
// naming a parameter held in int8 (its scales are not in `value`: quantized
// model files are written by io/quantized_model.h).
void save_parameters(const std::string& path, std::span<autograd::Parameter* const> params,
                     const Metadata& metadata = {});
// Checks that the file holds exactly the parameters given, each with the
// expected dtype and shape and only finite values, and only then copies the
// values in (so a failed load leaves the model untouched). Returns the
// file's metadata.
Metadata load_parameters(const std::string& path, std::span<autograd::Parameter* const> params);
// The same check and copy against tensors already decoded from `what`.
void assign_parameters(const SafetensorsFile& file, const std::string& what,
                       std::span<autograd::Parameter* const> params);

// Fails naming `what`, the tensor and the first bad element when a
// floating-point tensor (F32, BF16) holds NaN or an infinity: such weights
// or optimizer state would make every score NaN (search fails each
// sentence) or poison training. Integer tensors pass.
void check_finite(const Tensor& tensor, const std::string& what, const std::string& name);

// "F32", "I32", "BF16", "I8" (the safetensors spelling); fails for others.
DType dtype_from_safetensors(const std::string& name, const std::string& what, const std::string& tensor);

}  // namespace s2s::io
