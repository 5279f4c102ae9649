// Model directories stored in int8 (s2s quantize --to int8): the file is
// small, it decodes to exactly the bits of --compute-type int8 on the fp32
// directory, it holds no fp32 copy of a quantized weight in memory, and every
// misuse or damage is one line naming the directory or the tensor.
#include "s2s/io/quantized_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <stdexcept>

#include "s2s/app/training_run.h"
#include "s2s/io/atomic_file.h"
#include "s2s/kernels/quantize.h"
#include "s2s/nn/precision.h"
#include "search/search_test_util.h"
#include "support/error_of.h"
#include "support/model_dir_writer.h"
#include "support/temp_dir.h"

namespace s2s::io {
namespace {

namespace fs = std::filesystem;
using kernels::ComputeType;
using s2s::testing::error_of;

constexpr std::int64_t kVocab = 4000;  // a realistic vocabulary: the embeddings and output layer dominate

struct Dirs {
  testing::TempDir tmp;
  std::string fp32 = tmp.file("fp32"), int8 = tmp.file("int8");
};

std::unique_ptr<Dirs> quantized(const models::ModelConfig& c, std::uint64_t seed) {
  auto d = std::make_unique<Dirs>();
  testing::write_random_model_dir(d->fp32, c, seed);
  const std::uintmax_t bytes = write_quantized_model(load_model_dir(d->fp32, ComputeType::Fp32), d->int8, ComputeType::Int8);
  EXPECT_EQ(bytes, fs::file_size(join_path(d->int8, kWeightsFile)));
  return d;
}

std::vector<search::SearchOptions> greedy_and_beam() {
  search::SearchOptions greedy;
  greedy.beam_size = 1;
  search::SearchOptions beam;
  beam.beam_size = 5;
  beam.n_best = 2;
  beam.keep_attention = true;
  return {greedy, beam};
}

TEST(QuantizedModel, Int8FileIsSmallAndHoldsI8WeightsWithScales) {
  for (const models::ModelConfig& c : {testing::rnn_config(kVocab), testing::transformer_config(kVocab)}) {
    SCOPED_TRACE(c.type);
    auto d = quantized(c, 1);
    const double before = static_cast<double>(fs::file_size(join_path(d->fp32, kWeightsFile)));
    const double after = static_cast<double>(fs::file_size(join_path(d->int8, kWeightsFile)));
    std::printf("[ INFO     ] %s, vocabulary %lld: model.safetensors %.0f bytes fp32, %.0f bytes int8 (%.3fx)\n",
                c.type.c_str(), static_cast<long long>(kVocab), before, after, after / before);
    EXPECT_LE(after, 0.35 * before);
    const SafetensorsFile f = load_safetensors(join_path(d->int8, kWeightsFile));
    EXPECT_EQ(f.metadata.at(kStorageKey), "int8");
    EXPECT_EQ(stored_type_of_dir(d->int8), ComputeType::Int8);
    EXPECT_EQ(stored_type_of_dir(d->fp32), ComputeType::Fp32);
    // The same files beside the weights, byte for byte.
    for (const char* file : {kConfigFile, "shared.vocab"})
      EXPECT_EQ(read_file(join_path(d->int8, file)), read_file(join_path(d->fp32, file))) << file;
    ModelDir src = load_model_dir(d->fp32, ComputeType::Fp32);
    for (autograd::Parameter* p : src.model->parameters()) {
      const Tensor* t = f.find(p->name);
      ASSERT_TRUE(t) << p->name;
      if (!nn::int8_product_weight(*p)) {
        EXPECT_EQ(t->dtype(), DType::F32) << p->name;
        EXPECT_EQ(t->to_vector(), p->value.to_vector()) << p->name;
        continue;
      }
      // Exactly what the load-time quantization makes.
      const kernels::Int8Weight want = kernels::Int8Weight::quantize(p->value);
      ASSERT_EQ(t->dtype(), DType::I8) << p->name;
      const Tensor* scale = f.find(p->name + kScaleSuffix);
      ASSERT_TRUE(scale) << p->name;
      EXPECT_EQ(scale->to_vector(), want.scales().to_vector()) << p->name;
      EXPECT_EQ(std::memcmp(t->data<std::int8_t>(), want.values().data<std::int8_t>(), t->nbytes()), 0) << p->name;
    }
  }
}

TEST(QuantizedModel, Int8DirDecodesLikeInt8AtLoadWithoutFp32Copies) {
  for (const models::ModelConfig& c : {testing::rnn_config(kVocab), testing::transformer_config(kVocab, 2)}) {
    SCOPED_TRACE(c.type);
    auto d = quantized(c, 2);
    const auto src = testing::random_sources(12, kVocab, 9, 3);
    const auto bytes_in_use = [] { return Allocator::for_device(kCPU).stats().bytes_in_use; };
    std::size_t before = bytes_in_use();
    ModelDir fp32 = load_model_dir(d->fp32, ComputeType::Fp32);
    const std::size_t fp32_bytes = bytes_in_use() - before;
    before = bytes_in_use();
    ModelDir at_load = load_model_dir(d->fp32, ComputeType::Int8);
    const std::size_t at_load_bytes = bytes_in_use() - before;
    before = bytes_in_use();
    ModelDir stored = load_model_dir(d->int8);  // auto: the stored type
    const std::size_t stored_bytes = bytes_in_use() - before;
    std::printf("[ INFO     ] %s: weights in memory %zu bytes fp32, %zu int8 at load, %zu int8 stored\n",
                c.type.c_str(), fp32_bytes, at_load_bytes, stored_bytes);
    EXPECT_EQ(stored.storage, ComputeType::Int8);
    EXPECT_EQ(stored.compute_type, ComputeType::Int8);
    EXPECT_LE(static_cast<double>(stored_bytes), 0.35 * static_cast<double>(fp32_bytes));
    EXPECT_LE(static_cast<double>(at_load_bytes), 0.35 * static_cast<double>(fp32_bytes));
    for (const ModelDir* m : {&at_load, &stored})
      for (const autograd::Parameter* p : m->model->parameters())
        if (nn::int8_product_weight(*p)) {
          EXPECT_TRUE(p->int8.defined()) << p->name;
          EXPECT_EQ(p->value.dtype(), DType::I8) << p->name << ": an fp32 copy is kept";
        }
    search::Ensemble want({at_load.model.get()}, {ComputeType::Int8}), got({stored.model.get()}, {ComputeType::Auto});
    // A model held in int8 without having been loaded so gives the same too (the C++ API's path).
    search::Ensemble from_fp32({fp32.model.get()}, {ComputeType::Int8});
    for (const search::SearchOptions& o : greedy_and_beam()) {
      SCOPED_TRACE(o.beam_size == 1 ? "greedy" : "beam");
      const auto expected = testing::run(want, src, o);
      testing::expect_identical(expected, testing::run(got, src, o));
      testing::expect_identical(expected, testing::run(from_fp32, src, o));
    }
    // Held in int8, the model decodes only in int8: fp32 is refused in one line.
    EXPECT_NE(error_of([&] { search::Ensemble({stored.model.get()}, {ComputeType::Fp32}); })
                  .find("holds its weights in int8"),
              std::string::npos);
  }
}

TEST(QuantizedModel, Fp32DecodingOfAnInt8DirUsesTheDequantizedWeights) {
  auto d = quantized(testing::rnn_config(200), 4);
  ModelDir fp32 = load_model_dir(d->fp32, ComputeType::Fp32), deq = load_model_dir(d->int8, ComputeType::Fp32);
  EXPECT_EQ(deq.storage, ComputeType::Int8);
  EXPECT_EQ(deq.compute_type, ComputeType::Fp32);
  auto a = fp32.model->parameters(), b = deq.model->parameters();
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(b[i]->value.dtype(), DType::F32) << b[i]->name;
    const std::vector<float> want = nn::int8_product_weight(*a[i])
                                        ? kernels::Int8Weight::quantize(a[i]->value).dequantize().to_vector()
                                        : a[i]->value.to_vector();
    EXPECT_EQ(b[i]->value.to_vector(), want) << b[i]->name;
  }
}

TEST(QuantizedModel, RefusesRequantizingTrainingAndSavingAnInt8Model) {
  auto d = quantized(testing::rnn_config(200), 5);
  EXPECT_EQ(error_of([&] { write_quantized_model(load_model_dir(d->int8, ComputeType::Fp32), d->tmp.file("again"), ComputeType::Int8); }),
            "s2s quantize: " + d->int8 + " is already stored in int8: quantize the fp32 model directory it was made from");
  EXPECT_EQ(error_of([&] { write_quantized_model(load_model_dir(d->fp32, ComputeType::Fp32), d->int8, ComputeType::Int8); }),
            "s2s quantize: " + d->int8 + " already exists; the quantized model goes to a new directory");
  const std::string refusal = d->int8 +
                              ": its weights are stored in int8 (s2s quantize), for decoding only: train or resume from "
                              "the fp32 model directory it was made from";
  EXPECT_EQ(error_of([&] { check_trainable(d->int8); }), refusal);
  EXPECT_EQ(error_of([&] { check_trainable(d->fp32); }), "(no error)");
  EXPECT_EQ(error_of([&] { app::resume_config(d->int8, {}); }), refusal);
  ModelDir held = load_model_dir(d->int8);
  EXPECT_NE(error_of([&] { write_model_weights(d->tmp.file("w"), *held.model, held.vocab); }).find("is held in I8"),
            std::string::npos);
}

// bf16 storage: every weight rounded to bf16 (half the file); decoding the
// copy equals --compute-type bf16 on the fp32 directory (which rounds at load).
TEST(QuantizedModel, Bf16DirDecodesLikeBf16AtLoad) {
  for (const models::ModelConfig& c : {testing::rnn_config(kVocab), testing::transformer_config(kVocab, 2)}) {
    SCOPED_TRACE(c.type);
    Dirs d;
    testing::write_random_model_dir(d.fp32, c, 7);
    const std::string bf16 = d.tmp.file("bf16");
    write_quantized_model(load_model_dir(d.fp32, ComputeType::Fp32), bf16, ComputeType::Bf16);
    const double before = static_cast<double>(fs::file_size(join_path(d.fp32, kWeightsFile)));
    const double after = static_cast<double>(fs::file_size(join_path(bf16, kWeightsFile)));
    std::printf("[ INFO     ] %s, vocabulary %lld: model.safetensors %.0f bytes fp32, %.0f bytes bf16 (%.3fx)\n",
                c.type.c_str(), static_cast<long long>(kVocab), before, after, after / before);
    EXPECT_LE(after, 0.51 * before);
    EXPECT_GE(after, 0.49 * before);
    const SafetensorsFile f = load_safetensors(join_path(bf16, kWeightsFile));
    EXPECT_EQ(f.metadata.at(kStorageKey), "bf16");
    for (const NamedTensor& t : f.tensors) EXPECT_EQ(t.tensor.dtype(), DType::BF16) << t.name;
    ModelDir at_load = load_model_dir(d.fp32, ComputeType::Bf16), stored = load_model_dir(bf16);
    EXPECT_EQ(stored.storage, ComputeType::Bf16);
    EXPECT_EQ(stored.compute_type, ComputeType::Bf16);
    ModelDir fp32 = load_model_dir(d.fp32, ComputeType::Fp32);
    auto a = at_load.model->parameters(), b = stored.model->parameters(), o = fp32.model->parameters();
    bool rounded = false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i]->value.to_vector(), b[i]->value.to_vector()) << a[i]->name;
      rounded = rounded || a[i]->value.to_vector() != o[i]->value.to_vector();
    }
    EXPECT_TRUE(rounded) << "bf16 at load left the fp32 weights as they were";
    const auto src = testing::random_sources(12, kVocab, 9, 8);
    search::Ensemble want({at_load.model.get()}, {ComputeType::Bf16}), got({stored.model.get()}, {ComputeType::Auto});
    for (const search::SearchOptions& opt : greedy_and_beam())
      testing::expect_identical(testing::run(want, src, opt), testing::run(got, src, opt));
    EXPECT_EQ(error_of([&] { check_trainable(bf16); }),
              bf16 + ": its weights are stored in bf16 (s2s quantize), for decoding only: train or resume from the "
                     "fp32 model directory it was made from");
  }
}

// A copy of the int8 weights file with `edit` applied to its tensors.
std::string damaged(const Dirs& d, const std::function<void(std::vector<NamedTensor>&)>& edit) {
  SafetensorsFile f = load_safetensors(join_path(d.int8, kWeightsFile));
  edit(f.tensors);
  const std::string dir = d.tmp.file("damaged");
  fs::remove_all(dir);
  fs::copy(d.int8, dir);
  save_safetensors(join_path(dir, kWeightsFile), f.tensors, f.metadata);
  return dir;
}

NamedTensor& named(std::vector<NamedTensor>& ts, const std::string& name) {
  for (NamedTensor& t : ts)
    if (t.name == name) return t;
  throw std::runtime_error("no tensor " + name);
}

TEST(QuantizedModel, DamagedI8TensorsAreRefusedNamingTheTensor) {
  auto d = quantized(testing::rnn_config(200), 6);
  const std::string w = "decoder.output.weight";
  ModelDir ref = load_model_dir(d->int8);
  const autograd::Parameter* p = nullptr;
  for (const autograd::Parameter* q : ref.model->parameters())
    if (q->name == w) p = q;
  ASSERT_TRUE(p) << "the test expects a parameter named " << w;
  const std::int64_t rows = p->value.dim(0), cols = p->value.dim(1);
  auto error_loading = [&](const std::function<void(std::vector<NamedTensor>&)>& edit) {
    const std::string dir = damaged(*d, edit);
    return error_of([&] { load_model_dir(dir); });
  };
  const std::string file = join_path(d->tmp.file("damaged"), kWeightsFile);
  EXPECT_EQ(error_loading([&](auto& ts) { std::erase_if(ts, [&](const NamedTensor& t) { return t.name == w + ".scale"; }); }),
            file + ": tensor '" + w + "' is stored in I8 without its scales '" + w + ".scale'");
  EXPECT_EQ(error_loading([&](auto& ts) { named(ts, w).tensor = Tensor::zeros(Shape{rows, cols - 1}, DType::I8); }),
            file + ": tensor '" + w + "' has shape [" + std::to_string(rows) + ", " + std::to_string(cols - 1) +
                "], the model expects [" + std::to_string(rows) + ", " + std::to_string(cols) + "]");
  EXPECT_EQ(error_loading([&](auto& ts) { named(ts, w + ".scale").tensor = Tensor::zeros(Shape{rows - 1}); }),
            file + ": tensor '" + w + ".scale' has dtype F32 and shape [" + std::to_string(rows - 1) +
                "], expected F32 [" + std::to_string(rows) + "] (one scale per row of '" + w + "')");
  EXPECT_EQ(error_loading([&](auto& ts) { named(ts, w + ".scale").tensor.f32()[3] = std::nanf(""); }),
            file + ": tensor '" + w + ".scale' holds NaN at element 3 of " + std::to_string(rows) +
                " (values must be finite: the file is corrupt or was written from a diverged model)");
  EXPECT_EQ(error_loading([&](auto& ts) { named(ts, w).tensor.template data<std::int8_t>()[5] = -128; }),
            file + ": tensor '" + w + "' holds -128 at element 5 (symmetric int8 weights lie in [-127, 127])");
  EXPECT_EQ(error_loading([&](auto& ts) { ts.push_back({"stray.scale", Tensor::zeros(Shape{2})}); }),
            file + ": tensor 'stray.scale' is not a parameter of this model (nor the scales of an I8 one)");
  // A 1-d tensor (a bias) stored as I8 has no int8 form.
  const std::string bias = "decoder.output.bias";
  EXPECT_EQ(error_loading([&](auto& ts) { named(ts, bias).tensor = Tensor::zeros(Shape{rows}, DType::I8); }),
            file + ": tensor '" + bias + "' is stored in I8, but the model reads it in fp32 (it must be F32)");
  // Truncated: the safetensors reader names the file.
  const std::string dir = damaged(*d, [](auto&) {});
  std::string bytes = read_file(file);
  write_file_atomic(file, bytes.substr(0, bytes.size() - 100));
  EXPECT_NE(error_of([&] { load_model_dir(dir); }).find(file + ": truncated"), std::string::npos);
}

}  // namespace
}  // namespace s2s::io
