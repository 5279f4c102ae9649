#pragma once
// Model directories whose weights are stored in reduced precision (`s2s
// quantize`, docs/precision.md). model.safetensors then holds
//
//   int8: each int8 product weight (nn::int8_product_weight: embeddings,
//         projections, recurrent and attention matrices, the output layer)
//         as I8 values "<name>" [rows, cols] with its F32 per-row scales
//         "<name>.scale" [rows], symmetric per row exactly as
//         kernels::Int8Weight::quantize makes them at load; every other
//         tensor (biases, norms, relative position tables, Bahdanau's v) F32;
//   bf16: every tensor as BF16, rounded to nearest even;
//
// and its __metadata__ records "storage": "int8" or "bf16" (absent: fp32).
// config.yaml and the vocabularies are the source directory's, byte for byte.
#include <cstdint>
#include <string>

#include "s2s/io/model_dir.h"
#include "s2s/kernels/compute_type.h"

namespace s2s::io {

inline constexpr const char* kStorageKey = "storage";
inline constexpr const char* kScaleSuffix = ".scale";

// The storage type a weights file's metadata records: Fp32, Int8 or Bf16;
// fails naming `what` for an unknown value.
kernels::ComputeType stored_type(const Metadata& metadata, const std::string& what);
// The storage type of a model directory's model.safetensors (its header
// only); Fp32 when the directory holds no weights file (loading it then
// reports what is missing).
kernels::ComputeType stored_type_of_dir(const std::string& dir);

// Writes `out` (which must not exist): src's config.yaml, vocabularies and
// SentencePiece models copied, and its weights stored in `to` (Int8 or Bf16),
// every file atomically. `src` must be loaded in fp32 from an fp32 directory.
// Returns the size in bytes of the new model.safetensors.
std::uintmax_t write_quantized_model(const ModelDir& src, const std::string& out, kernels::ComputeType to);

// Checks the tensors of a weights file (`what`) against the model's
// parameters, whatever their storage (F32, BF16, or I8 with scales), and only
// then assigns them: an I8 weight is held in int8 when `compute` is Int8
// (nn::hold_in_int8's form: Parameter::int8 set, value its I8 values),
// else dequantized into the fp32 value; BF16 is widened exactly. Every
// problem is one line naming `what` and the tensor: a missing tensor or
// scale, a wrong dtype or shape, non-finite values, int8 values outside
// [-127, 127], a tensor that is not the model's.
void assign_stored_parameters(const SafetensorsFile& file, const std::string& what,
                              std::span<autograd::Parameter* const> params, kernels::ComputeType compute);

// Fails naming `dir` when its weights are stored in int8 or bf16: such a
// model is for decoding; training and resuming start from the fp32 model.
void check_trainable(const std::string& dir);

}  // namespace s2s::io
