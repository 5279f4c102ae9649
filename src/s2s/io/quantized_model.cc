#include "s2s/io/quantized_model.h"


#include <filesystem>
#include <set>
#include <vector>

#include "s2s/core/error.h"
#include "s2s/io/atomic_file.h"
#include "s2s/kernels/bf16.h"
#include "s2s/kernels/quantize.h"
#include "s2s/nn/precision.h"

namespace s2s::io {

namespace fs = std::filesystem;

kernels::ComputeType stored_type(const Metadata& metadata, const std::string& what) {
  auto it = metadata.find(kStorageKey);
  if (it == metadata.end() || it->second == "fp32") return kernels::ComputeType::Fp32;
  if (it->second == "int8") return kernels::ComputeType::Int8;
  if (it->second == "bf16") return kernels::ComputeType::Bf16;
  fail(what, ": __metadata__ storage '", it->second, "' is not one s2s knows (fp32, int8, bf16)");
}

kernels::ComputeType stored_type_of_dir(const std::string& dir) {
  const std::string weights = join_path(dir, kWeightsFile);
  if (!file_exists(weights)) return kernels::ComputeType::Fp32;
  return stored_type(read_safetensors_metadata(weights), weights);
}

void check_trainable(const std::string& dir) {
  const kernels::ComputeType stored = stored_type_of_dir(dir);
  S2S_CHECK(stored == kernels::ComputeType::Fp32, dir, ": its weights are stored in ", kernels::compute_type_name(stored),
            " (s2s quantize), for decoding only: train or resume from the fp32 model directory it was made from");
}

namespace {

// The files of a model directory besides its weights (those that exist).
std::vector<std::string> model_files(const ModelDir& d) {
  std::vector<std::string> files = {kConfigFile};
  for (const char* side : {"src", "tgt"}) {
    if (d.vocab.shared && std::string(side) == "tgt") break;
    for (const std::string& f : {vocab_file_name(side, d.vocab.shared), spm_file_name(side, d.vocab.shared)})
      if (file_exists(join_path(d.path, f))) files.push_back(f);
  }
  return files;
}

std::vector<NamedTensor> stored_tensors(std::span<autograd::Parameter* const> params, kernels::ComputeType to) {
  std::set<std::string> names;
  for (const autograd::Parameter* p : params) names.insert(p->name);
  std::vector<NamedTensor> out;
  std::set<std::string> seen;
  for (autograd::Parameter* p : params) {
    if (!seen.insert(p->name).second) continue;  // a tied weight is one tensor
    S2S_CHECK(p->value.dtype() == DType::F32, "s2s quantize: parameter '", p->name, "' is not fp32");
    if (to == kernels::ComputeType::Bf16) {
      out.push_back({p->name, kernels::to_bf16(p->value)});
    } else if (nn::int8_product_weight(*p)) {
      S2S_CHECK(!names.count(p->name + kScaleSuffix), "s2s quantize: parameter '", p->name, kScaleSuffix,
                "' has the name the scales of '", p->name, "' would get");
      const kernels::Int8Weight w = kernels::Int8Weight::quantize(p->value);
      out.push_back({p->name, w.values()});
      out.push_back({p->name + kScaleSuffix, w.scales()});
    } else {
      out.push_back({p->name, p->value});
    }
  }
  return out;
}

}  // namespace

std::uintmax_t write_quantized_model(const ModelDir& src, const std::string& out_dir, kernels::ComputeType to) {
  S2S_CHECK(to == kernels::ComputeType::Int8 || to == kernels::ComputeType::Bf16, "s2s quantize: --to ",
            kernels::compute_type_name(to), ": expected int8 or bf16");
  const kernels::ComputeType stored = stored_type(src.weights_metadata, join_path(src.path, kWeightsFile));
  S2S_CHECK(stored == kernels::ComputeType::Fp32, "s2s quantize: ", src.path, " is already stored in ",
            kernels::compute_type_name(stored), ": quantize the fp32 model directory it was made from");
  S2S_CHECK(!fs::exists(out_dir), "s2s quantize: ", out_dir, " already exists; the quantized model goes to a new directory");
  const std::vector<NamedTensor> tensors = stored_tensors(src.model->parameters(), to);
  Metadata meta = src.weights_metadata;
  meta[kStorageKey] = kernels::compute_type_name(to);

  const fs::path out = write_dir_atomic(out_dir, "the quantized model", [&](const std::string& tmp) {
    for (const std::string& f : model_files(src)) write_file_atomic(join_path(tmp, f), read_file(join_path(src.path, f)));
    save_safetensors(join_path(tmp, kWeightsFile), tensors, meta);
  });
  return fs::file_size(out / kWeightsFile);
}

void assign_stored_parameters(const SafetensorsFile& file, const std::string& what,
                              std::span<autograd::Parameter* const> params, kernels::ComputeType compute) {
  std::set<std::string> expected;
  std::vector<kernels::Int8Weight> int8(params.size());
  for (std::size_t i = 0; i < params.size(); ++i) {
    const autograd::Parameter* p = params[i];
    expected.insert(p->name);
    const Tensor* t = file.find(p->name);
    S2S_CHECK(t, what, ": tensor '", p->name, "' is missing (the model expects shape ", p->value.shape().str(), ")");
    S2S_CHECK(t->shape() == p->value.shape(), what, ": tensor '", p->name, "' has shape ", t->shape().str(),
              ", the model expects ", p->value.shape().str());
    if (t->dtype() == DType::I8) {
      S2S_CHECK(nn::int8_product_weight(*p), what, ": tensor '", p->name,
                "' is stored in I8, but the model reads it in fp32 (it must be F32)");
      const std::string scale_name = p->name + kScaleSuffix;
      const Tensor* scale = file.find(scale_name);
      S2S_CHECK(scale, what, ": tensor '", p->name, "' is stored in I8 without its scales '", scale_name, "'");
      S2S_CHECK(scale->dtype() == DType::F32 && scale->shape() == Shape({t->dim(0)}), what, ": tensor '", scale_name,
                "' has dtype ", dtype_name(scale->dtype()), " and shape ", scale->shape().str(), ", expected F32 [",
                t->dim(0), "] (one scale per row of '", p->name, "')");
      check_finite(*scale, what, scale_name);
      for (std::int64_t r = 0; r < scale->numel(); ++r)
        S2S_CHECK(scale->f32()[r] >= 0.0f, what, ": tensor '", scale_name, "' holds a negative scale at row ", r);
      const std::int8_t* q = t->data<std::int8_t>();
      for (std::int64_t k = 0; k < t->numel(); ++k)
        S2S_CHECK(q[k] != -128, what, ": tensor '", p->name, "' holds -128 at element ", k,
                  " (symmetric int8 weights lie in [-127, 127])");
      expected.insert(scale_name);
      int8[i] = kernels::Int8Weight(*t, *scale, what + ": tensor '" + p->name + "'");
    } else {
      S2S_CHECK(t->dtype() == DType::F32 || t->dtype() == DType::BF16, what, ": tensor '", p->name, "' has dtype ",
                dtype_name(t->dtype()), ", the model expects F32 (or BF16, or I8 with scales)");
      check_finite(*t, what, p->name);
    }
  }
  for (const NamedTensor& t : file.tensors)
    S2S_CHECK(expected.count(t.name), what, ": tensor '", t.name, "' is not a parameter of this model",
              t.name.ends_with(kScaleSuffix) ? " (nor the scales of an I8 one)" : "");
  for (std::size_t i = 0; i < params.size(); ++i) {
    autograd::Parameter* p = params[i];
    const Tensor& t = *file.find(p->name);
    if (int8[i].defined()) {
      if (compute == kernels::ComputeType::Int8) {
        p->int8 = int8[i];
        p->value = int8[i].values();
      } else {
        p->value.copy_from(int8[i].dequantize());  // fp32 or bf16 decoding of an int8 file: s_r q, documented
      }
    } else if (t.dtype() == DType::BF16) {
      p->value.copy_from(kernels::bf16_to_f32(t));
    } else {
      p->value.copy_from(t);
    }
  }
}

}  // namespace s2s::io
