#pragma once
// A model's parameters converted in place for inference in a reduced
// precision (docs/precision.md). Loading a model directory for int8 or bf16
// decoding (io::load_model_dir) ends here; a model converted so is for
// decoding only (training it would train the rounded weights).
#include <span>

#include "s2s/autograd/parameter.h"

namespace s2s::nn {

// True for a parameter int8 decoding multiplies or looks up in int8: a
// quantizable matrix. s2s quantize stores exactly these as I8.
bool int8_product_weight(const autograd::Parameter& p);

// Every int8 product weight not yet held in int8 is quantized per row
// (kernels::Int8Weight::quantize, as an int8 search::Ensemble does it) and
// held in int8 (Parameter::int8), its fp32 value dropped. A parameter listed
// twice (a tied embedding) is converted once.
void hold_in_int8(std::span<autograd::Parameter* const> params);

// Every fp32 value rounded to bf16 precision, in place (values stay F32).
void round_to_bf16(std::span<autograd::Parameter* const> params);

// The first parameter held in int8, or nullptr (an fp32 model).
const autograd::Parameter* first_held_in_int8(std::span<autograd::Parameter* const> params);

}  // namespace s2s::nn
